import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * RFC 4235 dialog-info+xml, as a busy-lamp field needs it: which dialogs the watched
 * extension has, and in what state. The body comes from the PBX, but it describes calls
 * strangers placed, so it is read as hostile: size-capped, no DTD (so no entity expansion,
 * no external entities), a bounded number of dialogs, and anything unexpected is an error
 * rather than a guess.
 */
// Parsing runs on the main thread beside the media: a few lamps' worth, not a megabyte.
export const maxDialogInfoBytes = 16 * 1024;
export const maxDialogsPerDocument = 32;
/** Elements (counted as '<') in one document: about a dozen per dialog. */
export const maxDialogInfoTags = 512;

export type DialogState = 'trying' | 'proceeding' | 'early' | 'confirmed' | 'terminated';
const dialogStates: readonly string[] = ['trying', 'proceeding', 'early', 'confirmed', 'terminated'];

export interface DialogInfoDialog {
  id: string;
  state: DialogState;
  /** initiator: the watched party placed the call; recipient: it is being called. */
  direction?: 'initiator' | 'recipient';
}

export interface DialogInfoDocument {
  entity: string;
  version: number;
  /** full: the complete list; partial: only the dialogs that changed. */
  state: 'full' | 'partial';
  dialogs: DialogInfoDialog[];
}

export type DialogInfoParse = { ok: true; doc: DialogInfoDocument } | { ok: false; error: string };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  // Entities stay as written: nothing in a lamp needs them, and expanding them is the attack.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  trimValues: true,
  isArray: (name) => name === 'dialog',
});

type Node = Record<string, unknown>;

/** The text of an element that may carry attributes (`<state event="...">early</state>`). */
function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Node)['#text'] === 'string') return (v as Node)['#text'] as string;
  return undefined;
}

export function parseDialogInfo(body: string): DialogInfoParse {
  if (Buffer.byteLength(body, 'utf8') > maxDialogInfoBytes) return { ok: false, error: `body over ${maxDialogInfoBytes} bytes` };
  let tags = 0;
  for (let i = body.indexOf('<'); i >= 0; i = body.indexOf('<', i + 1)) if (++tags > maxDialogInfoTags) return { ok: false, error: `more than ${maxDialogInfoTags} tags` };
  // A DTD is where entity bombs and external entities live; dialog-info never needs one.
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) return { ok: false, error: 'a DTD is not accepted' };
  const valid = XMLValidator.validate(body);
  if (valid !== true) return { ok: false, error: `not well-formed XML: ${valid.err.msg} (line ${valid.err.line})` };
  let tree: Node;
  try {
    tree = parser.parse(body) as Node;
  } catch (error) {
    return { ok: false, error: `not well-formed XML: ${error instanceof Error ? error.message : String(error)}` };
  }
  const root = tree['dialog-info'];
  if (!root || typeof root !== 'object' || Array.isArray(root)) return { ok: false, error: 'no dialog-info element' };
  const info = root as Node;
  const entity = info['@entity'];
  const version = Number(info['@version']);
  const state = info['@state'];
  if (typeof entity !== 'string' || entity === '') return { ok: false, error: 'dialog-info has no entity' };
  if (!Number.isSafeInteger(version) || version < 0) return { ok: false, error: 'dialog-info has no valid version' };
  if (state !== 'full' && state !== 'partial') return { ok: false, error: 'dialog-info state is neither full nor partial' };
  const raw = info.dialog === undefined ? [] : (info.dialog as unknown[]);
  if (raw.length > maxDialogsPerDocument) return { ok: false, error: `more than ${maxDialogsPerDocument} dialogs` };
  const dialogs: DialogInfoDialog[] = [];
  for (const d of raw) {
    if (!d || typeof d !== 'object') return { ok: false, error: 'a dialog element is empty' };
    const node = d as Node;
    const id = node['@id'];
    const s = textOf(node.state);
    if (typeof id !== 'string' || id === '' || id.length > 256) return { ok: false, error: 'a dialog has no valid id' };
    if (s === undefined || !dialogStates.includes(s)) return { ok: false, error: `dialog ${id.slice(0, 64)}: unknown state` };
    const dir = node['@direction'];
    dialogs.push({ id, state: s as DialogState, ...(dir === 'initiator' || dir === 'recipient' ? { direction: dir } : {}) });
  }
  return { ok: true, doc: { entity, version, state, dialogs } };
}

import { z } from 'zod';
import { sipTargetPattern } from './vocabulary.js';

/**
 * Every command LineDesk accepts, from the headless runner's stdin, from a window over
 * IPC, or from the browser-mode WebSocket. Untrusted input: always parse it with
 * `parseCommand` first.
 */
const lineId = z.string().min(1).max(64);
/** An optional correlation id, echoed on the answer. */
const id = z.string().max(128).optional();
const sipTarget = z
  .string()
  .min(1)
  .max(256)
  .regex(sipTargetPattern, 'must be a number, an extension or a sip:/sips:/tel: URI');
export const agentStates = ['available', 'paused', 'offline'] as const;

export const commandSchema = z.discriminatedUnion('cmd', [
  // Calls
  z.strictObject({ cmd: z.literal('accept'), line: lineId, id }),
  z.strictObject({ cmd: z.literal('decline'), line: lineId, reason: z.string().max(200).optional(), id }),
  z.strictObject({ cmd: z.literal('hangup'), line: lineId, id }),
  z.strictObject({ cmd: z.literal('hold'), line: lineId, on: z.boolean(), id }),
  z.strictObject({ cmd: z.literal('mute'), line: lineId, on: z.boolean(), id }),
  z.strictObject({ cmd: z.literal('dtmf'), line: lineId, digits: z.string().regex(/^[0-9*#A-Da-d]{1,32}$/, 'digits are 0-9, *, #, A-D'), id }),
  /** Outbound call from a line (click-to-dial, redial). */
  z.strictObject({ cmd: z.literal('dial'), line: lineId, target: sipTarget, id }),
  /** Blind transfer of the line's active call (REFER). */
  z.strictObject({ cmd: z.literal('transfer'), line: lineId, target: sipTarget, id }),
  /** Attended transfer, step 1: hold the active call and call the target from the same line. */
  z.strictObject({ cmd: z.literal('consult'), line: lineId, target: sipTarget, id }),
  /** Attended transfer, step 2: join the held caller and the consulted party (REFER with Replaces). */
  z.strictObject({ cmd: z.literal('transfer.complete'), line: lineId, id }),
  /** Abandon the consultation and go back to the held caller. */
  z.strictObject({ cmd: z.literal('consult.cancel'), line: lineId, id }),
  /** The far end asked (REFER) to call someone from this line: place that call (202 first). */
  z.strictObject({ cmd: z.literal('refer.accept'), line: lineId, id }),
  /** Refuse the far end's REFER on this line (603). */
  z.strictObject({ cmd: z.literal('refer.decline'), line: lineId, id }),
  /** Starts (on) or stops recording a call: the call by its id, or the line's active call. */
  z.strictObject({ cmd: z.literal('record'), line: lineId.optional(), call: z.string().min(1).max(256).optional(), on: z.boolean(), id }),
  /** The bytes of a recording a `history` record names, for a window to play: {file, mime, data (base64)}. */
  z.strictObject({ cmd: z.literal('recording.get'), file: z.string().min(1).max(4096), id }),
  // Availability
  z.strictObject({ cmd: z.literal('dnd'), line: lineId, on: z.boolean(), id }),
  z.strictObject({ cmd: z.literal('agent.state'), state: z.enum(agentStates), reason: z.string().min(1).max(64).optional(), id }),
  /** Extends the current wrap-up by this many seconds. */
  z.strictObject({ cmd: z.literal('wrapup.extend'), seconds: z.number().int().min(1).max(3_600), id }),
  /** Ends wrap-up now: on to the state asked for during it (Available by default). */
  z.strictObject({ cmd: z.literal('wrapup.end'), id }),
  // Audio devices
  z.strictObject({ cmd: z.literal('devices.list'), id }),
  z.strictObject({
    cmd: z.literal('devices.set'),
    /** Applies to one line only when given; otherwise the default for every line. */
    line: lineId.optional(),
    /** A device name; null: the system default (for a line: drop its own choice, so it follows the default); left out: unchanged. */
    headset: z.string().max(256).nullable().optional(),
    microphone: z.string().max(256).nullable().optional(),
    ringer: z.string().max(256).nullable().optional(),
    id,
  }),
  /** Plays a short test tone on a device (settings window). */
  z.strictObject({ cmd: z.literal('devices.test'), device: z.enum(['headset', 'ringer']), id }),
  // Statistics and history
  z.strictObject({
    cmd: z.literal('stats'),
    range: z.union([z.enum(['today', 'week']), z.strictObject({ from: z.number().int().min(0), to: z.number().int().min(0) })]),
    id,
  }),
  z.strictObject({ cmd: z.literal('history'), query: z.string().max(128).optional(), limit: z.number().int().min(1).max(1_000).optional(), before: z.number().int().optional(), id }),
  z.strictObject({ cmd: z.literal('export'), what: z.enum(['records', 'summary']), range: z.union([z.enum(['today', 'week']), z.strictObject({ from: z.number().int(), to: z.number().int() })]), id }),
  // Links (desktop app and browser mode only): the agent's answer to a `link.prompt`
  z.strictObject({ cmd: z.literal('link.dial'), prompt: z.string().min(1).max(64), id }),
  z.strictObject({ cmd: z.literal('link.cancel'), prompt: z.string().min(1).max(64), id }),
  // Team (docs/team.md): answered by `team.agents` and `team.stats` events
  z.strictObject({ cmd: z.literal('team.agents'), id }),
  z.strictObject({
    cmd: z.literal('team.stats'),
    range: z.union([z.enum(['today', 'week']), z.strictObject({ from: z.number().int().min(0), to: z.number().int().min(0) })]),
    id,
  }),
  // Presence (BLF) and message waiting: answered by a `presence.list` event
  z.strictObject({ cmd: z.literal('presence.list'), id }),
  // Process
  z.strictObject({ cmd: z.literal('status'), id }),
  /** Memory and the sizes of what the core keeps, for monitoring and leak checks; `gc` collects first when Node runs with --expose-gc. */
  z.strictObject({ cmd: z.literal('diagnostics'), gc: z.boolean().optional(), id }),
  /** Stops cleanly (un-registers every line) and exits. */
  z.strictObject({ cmd: z.literal('quit'), id }),
]);

export type Command = z.infer<typeof commandSchema>;
export type CommandName = Command['cmd'];

/** The answer to one command (IPC invoke, WebSocket request). */
export type CommandResult = { ok: true; value?: unknown } | { ok: false; error: string; issues?: { path: string; message: string }[] };

export type CommandParse = { ok: true; command: Command } | { ok: false; message: string; cmd?: string; id?: string };

/** A zod issue path as people write it: "lines[1].aor". */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(top level)';
}

/** Validates one untrusted command (a JSON line, an IPC payload). */
export function parseCommand(raw: unknown): CommandParse {
  const r = commandSchema.safeParse(raw);
  if (r.success) return { ok: true, command: r.data };
  const obj = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const out: CommandParse = {
    ok: false,
    message: r.error.issues.map((i) => `${formatPath(i.path)}: ${i.code === 'invalid_union' || i.code === 'invalid_value' ? `unknown command ${JSON.stringify(obj.cmd)}` : i.message}`).join('; '),
  };
  if (typeof obj.cmd === 'string') out.cmd = obj.cmd;
  if (typeof obj.id === 'string') out.id = obj.id;
  return out;
}

/** Parses one line of the JSON-lines command stream. */
export function parseCommandLine(line: string): CommandParse {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, message: `not JSON: ${line.slice(0, 80)}` };
  }
  return parseCommand(raw);
}

import { z } from 'zod';

const lineId = z.string().min(1).max(64);
/** An optional correlation id, echoed on the answer (`status`, `error`). */
const id = z.string().max(128).optional();

export const commandSchema = z.discriminatedUnion('cmd', [
  z.strictObject({ cmd: z.literal('accept'), line: lineId, id }),
  z.strictObject({ cmd: z.literal('decline'), line: lineId, reason: z.string().max(200).optional(), id }),
  z.strictObject({ cmd: z.literal('hangup'), line: lineId, id }),
  z.strictObject({ cmd: z.literal('status'), id }),
  z.strictObject({ cmd: z.literal('dnd'), line: lineId, on: z.boolean(), id }),
  /** Stops cleanly (un-registers every line) and exits. */
  z.strictObject({ cmd: z.literal('quit'), id }),
]);

export type Command = z.infer<typeof commandSchema>;

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(top level)';
}

export type CommandParse = { ok: true; command: Command } | { ok: false; message: string; cmd?: string; id?: string };

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

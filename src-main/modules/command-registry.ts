import type { Command, CommandName, CommandResult } from '../contract/commands.js';

export type CommandHandler<C extends Command = Command> = (cmd: C) => CommandResult | Promise<CommandResult>;

/**
 * The one way into LineDesk's features: each module (calls, media, agent, stats…)
 * registers the commands it carries out. A command nobody registered is answered with an
 * error, never dropped.
 */
export class CommandRegistry {
  #handlers = new Map<CommandName, CommandHandler<never>>();

  register<N extends CommandName>(name: N, handler: CommandHandler<Extract<Command, { cmd: N }>>): void {
    if (this.#handlers.has(name)) throw new Error(`command "${name}" is already handled`);
    this.#handlers.set(name, handler);
  }

  has(name: CommandName): boolean {
    return this.#handlers.has(name);
  }

  async execute(cmd: Command): Promise<CommandResult> {
    const handler = this.#handlers.get(cmd.cmd) as CommandHandler | undefined;
    if (!handler) return { ok: false, error: `"${cmd.cmd}" is not available in this configuration` };
    try {
      return await handler(cmd);
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }
}

/** Turns the old "error message or undefined" convention into a result. */
export function resultOf(error: string | undefined, value?: unknown): CommandResult {
  return error ? { ok: false, error } : value === undefined ? { ok: true } : { ok: true, value };
}

/**
 * The `linedesk` command's subcommands: `linedesk NAME [ARGS]` runs the subcommand NAME;
 * `linedesk [OPTIONS]` (no name) runs the default one, the headless runner.
 */

/** One `linedesk NAME ...`. */
export interface Subcommand {
  /** One line for `linedesk help`. */
  summary: string;
  /**
   * Runs with the arguments after NAME and resolves to the exit code. It should import its
   * module when called (`(await import('./x.js')).run(argv)`), so that the other
   * subcommands, the headless runner first, never load its code.
   */
  run: (argv: string[]) => Promise<number>;
}

export type SubcommandTable = Readonly<Record<string, Subcommand>>;

/** What `linedesk ARGV` asks for: a subcommand with its arguments, the overview, or a mistake. */
export type Choice = { kind: 'run'; name: string; args: string[] } | { kind: 'help' } | { kind: 'unknown'; name: string };

export function chooseSubcommand(argv: readonly string[], table: SubcommandTable, defaultName: string): Choice {
  const [first, ...rest] = argv;
  if (first === 'help' || ((first === '--help' || first === '-h') && rest.length === 0)) return { kind: 'help' };
  // An option first (or nothing at all) belongs to the default subcommand.
  if (first === undefined || first.startsWith('-')) return { kind: 'run', name: defaultName, args: [...argv] };
  if (!Object.hasOwn(table, first)) return { kind: 'unknown', name: first };
  return { kind: 'run', name: first, args: rest };
}

export function overview(table: SubcommandTable, defaultName: string): string {
  const width = Math.max(...Object.keys(table).map((n) => n.length), 'help'.length) + 2;
  const rows = Object.entries(table).map(([name, s]) => `  ${name.padEnd(width)}${s.summary}${name === defaultName ? ' (the default)' : ''}`);
  return `usage: linedesk [COMMAND] [OPTIONS]

Commands:
${rows.join('\n')}
  ${'help'.padEnd(width)}this overview

"linedesk --config FILE" is "linedesk ${defaultName} --config FILE".
"linedesk COMMAND --help" tells a command's options.`;
}

/** Runs what `argv` asks for; resolves to the exit code (2 for an unknown command). */
export async function runCommand(argv: readonly string[], table: SubcommandTable, defaultName: string, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const choice = chooseSubcommand(argv, table, defaultName);
  if (choice.kind === 'help') {
    out.write(overview(table, defaultName) + '\n');
    return 0;
  }
  if (choice.kind === 'unknown') {
    err.write(`linedesk: unknown command "${choice.name}"\n${overview(table, defaultName)}\n`);
    return 2;
  }
  return table[choice.name]!.run(choice.args);
}

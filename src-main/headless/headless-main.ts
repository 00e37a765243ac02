/**
 * The headless runner: `linedesk --config FILE` (or `node dist/src-main/headless/cli.js`).
 * Events go to stdout as JSON lines, commands come in on stdin as JSON lines, logs go to
 * stderr. See docs/control-protocol.md.
 */
import { parseArgs } from 'node:util';
import { createLogger, isLogLevel } from '../common/logger.js';
import { ConfigError, loadConfigFile } from '../config/load-config.js';
import { parseCommandLine } from '../contract/commands.js';
import { defaultModules } from '../core/default-modules.js';
import { LineDeskCore } from '../core/linedesk-core.js';
import { jsonLineWriter, readLines } from './json-lines.js';

/** Milliseconds since the epoch, to the microsecond: latency measurements compare these. */
const now = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000) / 1000;

export const headlessUsage = `usage: linedesk [headless] --config FILE [--log-level debug|info|warn|error|off]

Runs LineDesk's core without a window. Events are written to stdout as JSON lines,
commands are read from stdin as JSON lines (docs/control-protocol.md).
Exit codes: 0 after a clean stop (SIGINT/SIGTERM or {"cmd":"quit"}), 2 on a bad
config or command line, 1 on a startup failure.`;

/** Runs until stopped; resolves to the exit code. `argv` are the arguments after the command name. */
export async function runHeadless(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, options: { config: { type: 'string', short: 'c' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${headlessUsage}\n`);
    return 2;
  }
  if (args.values.help) {
    process.stdout.write(headlessUsage + '\n');
    return 0;
  }
  if (!args.values.config) {
    process.stderr.write(`missing --config FILE\n${headlessUsage}\n`);
    return 2;
  }
  let loaded;
  try {
    loaded = loadConfigFile(args.values.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`linedesk: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const level = args.values['log-level'] ?? loaded.config.log.level;
  if (!isLogLevel(level)) {
    process.stderr.write(`unknown log level ${level}\n`);
    return 2;
  }
  // A reader that closes our stderr must cost only the logs: unhandled, each failed write
  // would be an uncaught exception, whose handler logs it, which fails again, for good.
  process.stderr.on('error', () => {});
  const log = createLogger(level);
  const write = jsonLineWriter(process.stdout);
  const core = new LineDeskCore({
    config: loaded.config,
    baseDir: loaded.baseDir,
    log,
    modules: defaultModules(),
  });
  core.events.on('event', (e) => write({ ...e, ts: now() }));

  // A bug in one call must not take the other lines down: report it and keep serving.
  process.on('uncaughtException', (error) => {
    log.error('uncaught exception', { error: error.stack ?? String(error) });
    write({ event: 'error', message: `internal error: ${error.message}`, ts: now() });
  });
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { reason: String(reason) }));

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= core.stop());
  // A signal and {"cmd":"quit"} end the same way: stop, then main returns 0. (Sending
  // ourselves SIGTERM instead would kill the process outright on Windows, with no handler.)
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void stop().then(finish));
  readLines(
    process.stdin,
    (line) => {
      const parsed = parseCommandLine(line);
      if (!parsed.ok) {
        write({ event: 'error', message: parsed.message, ...(parsed.cmd ? { cmd: parsed.cmd } : {}), ...(parsed.id ? { id: parsed.id } : {}), ts: now() });
        return;
      }
      const command = parsed.command;
      if (command.cmd === 'quit') {
        void stop().then(finish);
        return;
      }
      void core.execute(command).then((r) => {
        if (!r.ok) write({ event: 'error', cmd: command.cmd, message: r.error, ...(command.id ? { id: command.id } : {}), ts: now() });
      });
    },
    () => {
      /* stdin closed: keep serving until a signal (a CRM may only listen) */
    },
  );
  try {
    await core.start();
  } catch (error) {
    log.error('startup failed', { error: error instanceof Error ? error.message : String(error) });
    process.stderr.write(`linedesk: startup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    await stop().catch(() => {});
    write.flush();
    return 1;
  }
  // Keep the process alive while serving (our timers and sockets are unref'd where they may be).
  const keepAlive = setInterval(() => {}, 1 << 30);
  await done;
  clearInterval(keepAlive);
  write.flush();
  return 0;
}

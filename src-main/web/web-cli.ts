#!/usr/bin/env node
/**
 * Browser mode: `npm run web -- --config FILE [--port N]`. Runs LineDesk's core (the same
 * modules as the headless runner and the desktop app) and serves the desktop UI on
 * 127.0.0.1, with the LineDeskApi over a WebSocket that needs the token printed below.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger, isLogLevel, type Logger } from '../common/logger.js';
import { readableByOthers } from '../common/private-files.js';
import { runMain } from '../common/run-main.js';
import { ConfigError } from '../config/load-config.js';
import { defaultModules } from '../core/default-modules.js';
import { LineDeskCore } from '../core/linedesk-core.js';
import { newAccessToken } from './access-token.js';
import { ConfigFileStore } from '../desk/config-file-store.js';
import { DeskHost } from '../desk/desk-host.js';
import { dialLinkFrom } from '../desk/dial-links.js';
import { JsonPrefsStore, MemoryPrefsStore } from '../desk/prefs-store.js';
import { defaultRendererDir } from './renderer-dir.js';
import { startWebServer } from './web-server.js';
import { windowUrls } from './window-urls.js';

const usage = `usage: linedesk-web --config FILE [--port N] [--renderer DIR] [--prefs FILE] [--log-level LEVEL] [LINK]

Starts LineDesk's core and serves its windows on http://127.0.0.1:PORT (default: a free
port). Open the printed URLs; each carries this run's access token after "#token=".
--prefs keeps shortcuts and the UI language in a JSON file (default: for this run only).
LINK, a sip:, sips: or tel: link, waits in the dashboard until Dial or Cancel is pressed.
Exit codes: 0 after SIGINT/SIGTERM or a window's "quit", 2 bad arguments or config, 1 startup failure.`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        renderer: { type: 'string' },
        prefs: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    return 2;
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(usage + '\n');
    return 0;
  }
  if (!v.config) {
    process.stderr.write(`missing --config FILE\n${usage}\n`);
    return 2;
  }
  const link = dialLinkFrom(args.positionals);
  if (args.positionals.length > (link ? 1 : 0)) {
    process.stderr.write(`unexpected argument ${JSON.stringify(args.positionals.find((a) => a !== link))} (one sip:, sips: or tel: link at most)\n${usage}\n`);
    return 2;
  }
  const port = Number(v.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be 0-65535\n`);
    return 2;
  }
  const rendererDir = v.renderer ? resolve(v.renderer) : defaultRendererDir();
  if (!rendererDir || !existsSync(join(rendererDir, 'index.html'))) {
    process.stderr.write(`linedesk: the UI is not built (no ${rendererDir ?? 'dist/renderer'}/index.html); run "npm run build:renderer" first\n`);
    return 2;
  }
  const store = new ConfigFileStore(v.config);
  let level: string;
  try {
    level = v['log-level'] ?? store.load().config.log.level;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`linedesk: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (!isLogLevel(level)) {
    process.stderr.write(`unknown log level ${level}\n`);
    return 2;
  }
  const log = createLogger(level);
  // Browser mode's config is the user's own file: LineDesk writes it 0600 on a save, but does not change it behind their back.
  if (readableByOthers(v.config) && store.load().config.lines.some((l) => l.password !== '')) {
    log.warn('the config file holds line passwords and other users of this machine can read it: chmod 600 it', { file: v.config });
  }
  let quit: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    quit = resolve;
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => resolve());
  });
  const host = new DeskHost({
    store,
    prefs: v.prefs ? new JsonPrefsStore(v.prefs) : new MemoryPrefsStore(),
    createCore: (config, baseDir) => new LineDeskCore({ config, baseDir, log, modules: defaultModules() }),
    log: log.child('desk'),
    onQuit: () => quit(),
  });
  process.on('uncaughtException', (error) => log.error('uncaught exception', { error: error.stack ?? String(error) }));
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { reason: String(reason) }));

  const token = newAccessToken();
  let server;
  try {
    await host.start();
    server = await startWebServer({ host, rendererDir, token, port, log: log.child('web') });
  } catch (error) {
    process.stderr.write(`linedesk: startup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    await host.stop().catch(() => {});
    return 1;
  }
  const urls = windowUrls(server.origin, token, host.lineIds(), { team: host.config.team?.role === 'supervisor' });
  process.stdout.write(
    `LineDesk is running in browser mode (only this machine can connect; the token is in each URL).\n` +
      urls.map((u) => `  ${u.label.padEnd(12)}${u.url}\n`).join(''),
  );
  if (link) offerLink(host, link, log);
  await stopped;
  await server.close();
  await host.stop();
  return 0;
}

/** The link waits in the dashboard for Dial or Cancel, like a link opened with the desktop app (desk/link-prompts.ts). */
function offerLink(host: DeskHost, link: string, log: Logger): void {
  const offered = host.offerLink(link);
  if (offered.ok) process.stdout.write(`  ${'link:'.padEnd(12)}${offered.target} waits in the dashboard for Dial or Cancel\n`);
  else log.warn('the link was not offered for dialling', { link, reason: offered.reason });
}

runMain(main);

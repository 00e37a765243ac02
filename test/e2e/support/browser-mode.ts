import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../../support/paths.js';

/** The compiled browser-mode CLI beside these compiled tests (dist/ or a helper's dist-<name>/). */
const cli = fileURLToPath(new URL('../../../src-main/web/web-cli.js', import.meta.url));
export const rendererDir = join(repoRoot(), 'dist', 'renderer');

/** Why the UI cannot be served, or undefined. In CI (LINEDESK_REQUIRE_PEERS=1) a missing build is an error. */
export function rendererSkipReason(): string | undefined {
  if (existsSync(join(rendererDir, 'index.html'))) return undefined;
  const reason = `the renderer is not built (${rendererDir}/index.html missing; run npm run build:renderer)`;
  if (process.env.LINEDESK_REQUIRE_PEERS === '1') throw new Error(`${reason} (LINEDESK_REQUIRE_PEERS=1)`);
  return reason;
}

export interface BrowserMode {
  readonly configFile: string;
  readonly stderr: string[];
  url(window: 'dashboard' | 'settings' | 'team' | `line:${string}`): string;
  stop(): Promise<void>;
}

/**
 * Runs `linedesk-web --config FILE --port 0 [args]` (the real core, same modules as the
 * desktop app) and reads the window URLs, token included, from what it prints.
 */
export async function startBrowserMode(config: object, opts: { args?: string[] } = {}): Promise<BrowserMode> {
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-web-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [cli, '--config', configFile, '--port', '0', '--renderer', rendererDir, ...(opts.args ?? [])], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (l) => stderr.push(l));
  const urls = new Map<string, string>();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 8_000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`browser mode did not start in 15 s\n${stderr.join('\n')}`)), 15_000);
      createInterface({ input: child.stdout }).on('line', (line) => {
        const m = /^\s+(dashboard|settings|team|line (\S+)):\s+(http:\S+)$/.exec(line);
        if (m) urls.set(m[2] ? `line:${m[2]}` : m[1]!, m[3]!);
        if (urls.has('settings')) resolve();
      });
      void exited.then((code) => reject(new Error(`browser mode exited with ${code}\n${stderr.join('\n')}`)));
    });
  } catch (error) {
    // a server that never came up (or came up too late) must not outlive the test, nor its folder
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    configFile,
    stderr,
    url: (window) => {
      const u = urls.get(window);
      if (!u) throw new Error(`no URL for ${window}; have ${[...urls.keys()].join(', ')}`);
      return u;
    },
    stop,
  };
}

import { spawnSync } from 'node:child_process';
import { accessSync, chownSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/**
 * A real PostgreSQL 15 for a test: `initdb` in a temp dir, `pg_ctl start` on a free
 * loopback port, stopped (and the dir removed) by `stop()`. Passwords are checked
 * (scram-sha-256), as on a real server, so roles and password files are exercised.
 *
 * initdb refuses to run as root, so when the tests run as root (CI) the server runs as an
 * unprivileged user (`nobody`, through setpriv) that owns the data dir.
 */
const BIN_DIRS = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];
export const SUPERUSER = 'postgres';

function binDir(): string | undefined {
  for (const dir of BIN_DIRS) {
    try {
      accessSync(join(dir, 'initdb'), constants.X_OK);
      accessSync(join(dir, 'pg_ctl'), constants.X_OK);
      return dir;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** The user the server runs as: ourselves, or `nobody` when we are root. */
function runAs(): { uid: number; gid: number; wrap: string[] } | undefined {
  if (process.getuid?.() !== 0) return { uid: userInfo().uid, gid: userInfo().gid, wrap: [] };
  const id = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'nobody'], { encoding: 'utf8' });
  if (id.status !== 0 || gid.status !== 0) return undefined;
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!setpriv) return undefined;
  const uid = Number(id.stdout.trim());
  const g = Number(gid.stdout.trim());
  return { uid, gid: g, wrap: [setpriv, `--reuid=${uid}`, `--regid=${g}`, '--clear-groups', '--'] };
}

/**
 * For `describe(..., { skip: postgresSkipReason() })`: why PostgreSQL cannot run here, or
 * undefined. With LINEDESK_REQUIRE_PEERS=1 (CI) a missing server is an error instead.
 */
export function postgresSkipReason(): string | undefined {
  let reason: string | undefined;
  if (!binDir()) reason = 'PostgreSQL tests need initdb and pg_ctl (/usr/lib/postgresql/15/bin); install with: apt-get install postgresql';
  else if (!runAs()) reason = 'PostgreSQL tests run as root need an unprivileged user (nobody) and setpriv to run initdb';
  if (reason && process.env.LINEDESK_REQUIRE_PEERS === '1') throw new Error(`${reason} (LINEDESK_REQUIRE_PEERS=1)`);
  return reason;
}

export interface Postgres {
  readonly port: number;
  readonly host: string;
  /** The superuser's password (also in `passwordFile`). */
  readonly password: string;
  readonly passwordFile: string;
  /** postgres://postgres:…@127.0.0.1:port/linedesk (the admin URL `team init` takes). */
  readonly adminUrl: string;
  readonly database: string;
  readonly dir: string;
  /** Stops the server (fast: open sessions are cut, as in an outage); the data stays. */
  halt(): Promise<void>;
  /** Starts it again on the same port and data (nothing if it runs). */
  start(): Promise<void>;
  /** Stops it and removes the data dir. */
  stop(): Promise<void>;
  /** The server log, for failure messages. */
  log(): string;
}

const running = new Set<string>();
let exitHook = false;

export async function startPostgres(opts: { database?: string; settings?: Record<string, string> } = {}): Promise<Postgres> {
  const bin = binDir();
  const who = runAs();
  if (!bin || !who) throw new Error(postgresSkipReason() ?? 'PostgreSQL unavailable');
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const passwordFile = join(dir, 'superuser.password');
  writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
  if (process.getuid?.() === 0) {
    chownSync(dir, who.uid, who.gid);
    chownSync(passwordFile, who.uid, who.gid);
  }
  const port = await freePort('tcp');
  const database = opts.database ?? 'linedesk';
  const run = (args: string[], what: string): void => {
    const cmd = [...who.wrap, ...args];
    const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', HOME: dir }, cwd: dir, timeout: 120_000 });
    if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr || r.stdout}\n${safeRead(logFile)}`);
  };
  try {
    run([join(bin, 'initdb'), '-D', data, '-U', SUPERUSER, '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '--no-sync', '-E', 'UTF8', '--locale=C'], 'initdb');
    const settings = {
      listen_addresses: "'127.0.0.1'",
      port: String(port),
      unix_socket_directories: `'${dir}'`,
      fsync: 'off',
      max_connections: '60',
      ...opts.settings,
    };
    writeFileSync(join(data, 'postgresql.auto.conf'), Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
    if (process.getuid?.() === 0) chownSync(join(data, 'postgresql.auto.conf'), who.uid, who.gid);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  // pg_ctl -w waits for the server itself; these stay promises for their callers.
  const start = (): Promise<void> => {
    if (!running.has(data)) {
      run([join(bin, 'pg_ctl'), '-D', data, '-l', logFile, '-w', '-t', '60', 'start'], 'pg_ctl start');
      running.add(data);
    }
    return Promise.resolve();
  };
  const halt = (): Promise<void> => {
    if (running.has(data)) {
      run([join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', '-t', '60', 'stop'], 'pg_ctl stop');
      running.delete(data);
    }
    return Promise.resolve();
  };
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      // The test process is going away without stop(): leave no server behind.
      for (const d of running) {
        const cmd = [...who.wrap, join(bin, 'pg_ctl'), '-D', d, '-m', 'immediate', 'stop'];
        spawnSync(cmd[0]!, cmd.slice(1));
      }
    });
  }
  await start();
  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  await createDatabase(`${url}/postgres`, database);
  return {
    port,
    host: '127.0.0.1',
    password,
    passwordFile,
    adminUrl: `${url}/${database}`,
    database,
    dir,
    halt,
    start,
    async stop() {
      try {
        await halt();
      } finally {
        if (!process.env.LINEDESK_KEEP_PEERS) rmSync(dir, { recursive: true, force: true });
      }
    },
    log: () => safeRead(logFile),
  };
}

async function createDatabase(url: string, name: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Runs `psql`-like SQL as a given role (tests of access rules). */
export async function queryAs<T = Record<string, unknown>>(pgInfo: Pick<Postgres, 'port' | 'database'>, user: string, password: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ host: '127.0.0.1', port: pgInfo.port, database: pgInfo.database, user, password });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

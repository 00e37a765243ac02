import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ClientConfig } from 'pg';
import type { TeamConfig } from '../config/schema.js';

/** The team database settings could not be used (a file missing, a password in the URL…). */
export class TeamConfigError extends Error {
  override readonly name = 'TeamConfigError';
}

/** How long a desk waits for the database to answer before it counts it as away. */
const CONNECT_TIMEOUT_MS = 5_000;
const QUERY_TIMEOUT_MS = 15_000;

function readFile(path: string, baseDir: string, what: string): string {
  const file = isAbsolute(path) ? path : resolve(baseDir, path);
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new TeamConfigError(`team.database.${what}: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * node-postgres client settings from `team.database`. Files are read once, here, so a
 * missing password or CA file stops LineDesk at start with its name rather than failing
 * quietly later. TLS is on and verified unless the config says `ssl: false`; a URL may
 * not carry a password or TLS settings (they belong in passwordFile and ssl, where they
 * are checked).
 */
export function teamClientConfig(db: TeamConfig['database'], baseDir: string, applicationName = 'LineDesk'): ClientConfig {
  const spec = typeof db === 'string' ? { url: db } : db;
  const out: ClientConfig = { application_name: applicationName, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS, keepAlive: true };
  if (spec.url !== undefined) {
    let url: URL;
    try {
      url = new URL(spec.url);
    } catch {
      throw new TeamConfigError('team.database: not a valid URL');
    }
    if (url.password) throw new TeamConfigError('team.database: the URL must not hold a password; put it in a file named by passwordFile');
    for (const key of url.searchParams.keys()) {
      throw new TeamConfigError(`team.database: URL parameter "${key}" is not accepted; use the object form (ssl, passwordFile…)`);
    }
    if (url.hostname) out.host = decodeURIComponent(url.hostname).replace(/^\[|\]$/g, '');
    if (url.port) out.port = Number(url.port);
    if (url.username) out.user = decodeURIComponent(url.username);
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (database) out.database = database;
  }
  if (spec.host !== undefined) out.host = spec.host;
  if (spec.port !== undefined) out.port = spec.port;
  if (spec.user !== undefined) out.user = spec.user;
  if (spec.database !== undefined) out.database = spec.database;
  if (!out.host) throw new TeamConfigError('team.database: no host');
  if (!out.user) throw new TeamConfigError('team.database: no user (each desk connects as its own role)');
  if (spec.passwordFile !== undefined) out.password = readFile(spec.passwordFile, baseDir, 'passwordFile').replace(/\r?\n$/, '');
  const ssl = spec.ssl ?? { rejectUnauthorized: true };
  if (ssl !== false) {
    out.ssl = {
      rejectUnauthorized: ssl.rejectUnauthorized,
      ...(ssl.caFile !== undefined ? { ca: readFile(ssl.caFile, baseDir, 'ssl.caFile') } : {}),
      ...(ssl.certFile !== undefined ? { cert: readFile(ssl.certFile, baseDir, 'ssl.certFile') } : {}),
      ...(ssl.keyFile !== undefined ? { key: readFile(ssl.keyFile, baseDir, 'ssl.keyFile') } : {}),
      ...(ssl.servername !== undefined ? { servername: ssl.servername } : {}),
    };
  } else {
    out.ssl = false;
  }
  return out;
}

/** "user@host:port/database", for logs and messages (never the password). */
export function describeTarget(c: ClientConfig): string {
  return `${c.user ?? ''}@${c.host ?? ''}:${c.port ?? 5432}/${c.database ?? c.user ?? ''}`;
}

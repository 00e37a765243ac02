import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { addTeamUser, initTeamSchema } from '../../src-main/team/team-schema-init.js';
import type { Postgres } from './postgres.js';

/**
 * A team database for tests: the schema and policies made by the real `team init` code,
 * and one login role per desk made by `team add-user`, each with its password in a file.
 */
export interface TeamDb {
  pg: Postgres;
  /** The password file of each role made by addUser. */
  passwordFiles: Map<string, string>;
  passwords: Map<string, string>;
  addUser(user: string, role: 'agent' | 'supervisor'): Promise<string>;
  /** `team.database` for a desk connecting as `user` (no TLS: loopback). */
  database(user: string): { host: string; port: number; database: string; user: string; passwordFile: string; ssl: false };
  /** A query as the superuser. */
  admin<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export async function initTeamDb(server: Postgres, opts: { init?: boolean } = {}): Promise<TeamDb> {
  const admin = { connectionString: server.adminUrl };
  if (opts.init !== false) await initTeamSchema(admin);
  const passwordFiles = new Map<string, string>();
  const passwords = new Map<string, string>();
  return {
    pg: server,
    passwordFiles,
    passwords,
    async addUser(user, role) {
      const password = `${user}-${Math.random().toString(36).slice(2)}`;
      await addTeamUser(admin, user, role, password);
      const file = join(server.dir, `${user}.password`);
      writeFileSync(file, password + '\n', { mode: 0o600 });
      passwordFiles.set(user, file);
      passwords.set(user, password);
      return file;
    },
    database(user) {
      const passwordFile = passwordFiles.get(user);
      if (!passwordFile) throw new Error(`no role ${user}: addUser first`);
      return { host: server.host, port: server.port, database: server.database, user, passwordFile, ssl: false };
    },
    async admin<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      const c = new pg.Client({ connectionString: server.adminUrl });
      await c.connect();
      try {
        return (await c.query(sql, params)).rows as T[];
      } finally {
        await c.end();
      }
    },
  };
}

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';

/** The schema LineDesk's tables live in, and its two group roles. */
export const TEAM_SCHEMA = 'linedesk';
export const AGENT_GROUP = 'linedesk_agent';
export const SUPERVISOR_GROUP = 'linedesk_supervisor';
const MIGRATIONS_TABLE = 'pgmigrations';

/**
 * The folder of the compiled migrations: pg-migrations/*.js beside this file in the
 * compiled tree (dist/src-main/team/), which is also where the `linedesk` bundle
 * (dist/linedesk/linedesk.cjs) finds them: node-pg-migrate loads them as files.
 */
function migrationsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'pg-migrations'), join(here, '..', 'src-main', 'team', 'pg-migrations')];
  const found = candidates.find((d) => existsSync(d));
  if (!found) throw new Error(`the team database migrations are missing (looked in ${candidates.join(', ')}); run "npm run build"`);
  return found;
}

export interface InitReport {
  /** Migrations applied by this run (none: the schema was already current). */
  applied: string[];
  rolesCreated: string[];
}

/**
 * `linedesk team init`: creates (or brings up to date) the team schema, the two group roles
 * and the row-level security policies, as a role that may create roles and schemas (the
 * database owner with CREATEROLE, or a superuser). Safe to run again: roles that exist are
 * kept, applied migrations are skipped (node-pg-migrate's table and lock).
 */
export async function initTeamSchema(config: pg.ClientConfig, log: (line: string) => void = () => {}, opts: { serviceLevelSeconds?: number } = {}): Promise<InitReport> {
  const client = new pg.Client(config);
  await client.connect();
  try {
    const rolesCreated: string[] = [];
    for (const role of [AGENT_GROUP, SUPERVISOR_GROUP]) {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      if (exists.rowCount === 0) {
        await client.query(`CREATE ROLE ${client.escapeIdentifier(role)} NOLOGIN`);
        rolesCreated.push(role);
      }
    }
    // A supervisor's desk is also an agent's: it ships its own records like any desk.
    await client.query(`GRANT ${AGENT_GROUP} TO ${SUPERVISOR_GROUP}`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${TEAM_SCHEMA}`);
    const applied = await runner({
      dbClient: client,
      dir: migrationsDir(),
      ignorePattern: '.*\\.(map|d\\.ts)$',
      migrationsTable: MIGRATIONS_TABLE,
      migrationsSchema: TEAM_SCHEMA,
      schema: TEAM_SCHEMA,
      direction: 'up',
      checkOrder: true,
      singleTransaction: true,
      log: (m: string) => log(m),
      logger: { debug: () => {}, info: (m: string) => log(m), warn: (m: string) => log(m), error: (m: string) => log(m) },
    });
    if (opts.serviceLevelSeconds !== undefined) {
      // The team's threshold: the per-day figures count it, so a new one recounts them.
      const ms = opts.serviceLevelSeconds * 1_000;
      const changed = await client.query("UPDATE linedesk.settings SET value = $1 WHERE key = 'service_level_ms' AND value <> $1", [ms]);
      if (changed.rowCount) await client.query('SELECT linedesk.refresh_call_figures()');
    }
    return { applied: applied.map((m) => m.name), rolesCreated };
  } finally {
    await client.end();
  }
}

/**
 * `linedesk team add-user`: a login role for one desk (agent) or supervisor, with its
 * password, in the matching group role. An existing role gets the new password and group.
 */
export async function addTeamUser(config: pg.ClientConfig, user: string, role: 'agent' | 'supervisor', password: string): Promise<'created' | 'updated'> {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,62}$/.test(user)) throw new Error(`"${user}" is not a usable role name (letters, digits, _ . -; 63 at most)`);
  if (password.length < 8) throw new Error('the password must be at least 8 characters');
  const client = new pg.Client(config);
  await client.connect();
  try {
    const id = client.escapeIdentifier(user);
    const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user])).rowCount !== 0;
    // DDL takes no parameters: the password goes in as an escaped literal.
    await client.query(`${exists ? 'ALTER' : 'CREATE'} ROLE ${id} LOGIN PASSWORD ${client.escapeLiteral(password)}`);
    await client.query(`GRANT ${role === 'supervisor' ? SUPERVISOR_GROUP : AGENT_GROUP} TO ${id}`);
    const wasSupervisor = (await client.query('SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = $1 AND u.rolname = $2', [SUPERVISOR_GROUP, user])).rowCount !== 0;
    if (role === 'agent' && wasSupervisor) await client.query(`REVOKE ${SUPERVISOR_GROUP} FROM ${id}`);
    return exists ? 'updated' : 'created';
  } finally {
    await client.end();
  }
}

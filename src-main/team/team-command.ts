/**
 * `linedesk team init|add-user` (a subcommand of the `linedesk` command,
 * src-main/headless/linedesk-cli.ts; from a checkout also `npm run team -- …`): sets up
 * the team database for an IT department (docs/team.md).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { explainPgError } from './pg-errors.js';
import { addTeamUser, AGENT_GROUP, initTeamSchema, SUPERVISOR_GROUP } from './team-schema-init.js';

const usage = `usage:
  linedesk team init     --database URL [--service-level-seconds N] [--password-file FILE] [--ca-file FILE]
  linedesk team add-user --database URL --user NAME --role agent|supervisor --user-password-file FILE
                         [--password-file FILE] [--ca-file FILE]

init      creates or migrates the LineDesk schema, the group roles ${AGENT_GROUP} and
          ${SUPERVISOR_GROUP}, and the row-level security policies. Run it as the
          database owner with CREATEROLE (or a superuser). Safe to run again.
          --service-level-seconds sets the team's threshold (default 20) that the
          per-day figures count.
add-user  creates (or updates) the login role one desk connects as, in the agent or the
          supervisor group, with the password read from --user-password-file.

--database is a postgres:// URL of the administrator's connection; its password may come
from --password-file (or PGPASSWORD), TLS from the URL's sslmode and --ca-file.
Exit codes: 0 done, 1 the database refused or failed, 2 a bad command line.`;

function connectionOf(v: { database?: string | undefined; 'password-file'?: string | undefined; 'ca-file'?: string | undefined }): pg.ClientConfig {
  if (!v.database) throw new UsageError('missing --database URL');
  const c: pg.ClientConfig = { connectionString: v.database, application_name: 'linedesk team', connectionTimeoutMillis: 10_000 };
  if (v['password-file']) c.password = readFileSync(v['password-file'], 'utf8').replace(/\r?\n$/, '');
  if (v['ca-file']) c.ssl = { ca: readFileSync(v['ca-file'], 'utf8'), rejectUnauthorized: true };
  return c;
}

class UsageError extends Error {}

/** Runs `linedesk team ARGV`; resolves to the exit code. */
export async function runTeam(args: readonly string[]): Promise<number> {
  const argv = [...args];
  // `linedesk team init …` and `npm run team -- init …` both arrive here.
  if (argv[0] === 'team') argv.shift();
  const sub = argv.shift();
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        database: { type: 'string' },
        'password-file': { type: 'string' },
        'ca-file': { type: 'string' },
        user: { type: 'string' },
        role: { type: 'string' },
        'user-password-file': { type: 'string' },
        'service-level-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    return 2;
  }
  if (values.help || sub === undefined || sub === 'help') {
    process.stdout.write(usage + '\n');
    return sub === undefined ? 2 : 0;
  }
  try {
    if (sub === 'init') {
      const slText = values['service-level-seconds'];
      const sl = slText === undefined ? undefined : Number(slText);
      if (sl !== undefined && (!Number.isInteger(sl) || sl < 1 || sl > 3_600)) throw new UsageError('--service-level-seconds must be a whole number of seconds, 1 to 3600');
      const report = await initTeamSchema(connectionOf(values), (line) => process.stderr.write(`${line}\n`), sl === undefined ? {} : { serviceLevelSeconds: sl });
      process.stdout.write(
        `team database ready: ${report.applied.length ? `applied ${report.applied.join(', ')}` : 'schema already current'}` +
          `${report.rolesCreated.length ? `; created roles ${report.rolesCreated.join(', ')}` : ''}\n`,
      );
      return 0;
    }
    if (sub === 'add-user') {
      if (!values.user) throw new UsageError('missing --user NAME');
      if (values.role !== 'agent' && values.role !== 'supervisor') throw new UsageError('--role must be agent or supervisor');
      if (!values['user-password-file']) throw new UsageError('missing --user-password-file FILE');
      const password = readFileSync(values['user-password-file'], 'utf8').replace(/\r?\n$/, '');
      const done = await addTeamUser(connectionOf(values), values.user, values.role, password);
      process.stdout.write(`role ${values.user} ${done} (${values.role})\n`);
      return 0;
    }
    throw new UsageError(`unknown command "${sub}"`);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${usage}\n`);
      return 2;
    }
    process.stderr.write(`linedesk team: ${explainPgError(error)}\n`);
    return 1;
  }
}


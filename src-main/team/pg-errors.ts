/**
 * A team-database failure in words an administrator can act on (it becomes the `reason`
 * of `team.sync`). PostgreSQL error codes: https://www.postgresql.org/docs/15/errcodes-appendix.html
 */
export function explainPgError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const message = e?.message ?? String(error);
  switch (e?.code) {
    case '42P01': // undefined_table
    case '3F000': // invalid_schema_name
      return `the team database has no LineDesk schema yet: run "linedesk team init" (${message})`;
    case '42703': // undefined_column: the desk is newer than the team schema
      return `the team database's LineDesk schema is older than this desk: run "linedesk team init" again to migrate it (${message})`;
    case '42501': // insufficient_privilege (also row-level security refusals)
      return `the team database refused this role: ${message} (is it in the linedesk_agent role? does another role own this agent id?)`;
    case '28P01': // invalid_password
    case '28000': // invalid_authorization_specification
      return `the team database refused the login: ${message}`;
    case '3D000': // invalid_catalog_name
      return `no such database: ${message}`;
    case '57P01': // admin_shutdown
    case '57P02':
    case '57P03': // cannot_connect_now (starting up)
      return `the team database is shutting down or starting: ${message}`;
    case 'ECONNREFUSED':
      return `the team database is unreachable (connection refused)`;
    default:
      return message;
  }
}

import type { MigrationBuilder } from 'node-pg-migrate';

/**
 * Version 3: whether a call's media was encrypted (SRTP), as the desk records it (its
 * SQLite migration 4): 1 yes, 0 no, NULL unknown (no media).
 */
export const up = (pgm: MigrationBuilder): void => {
  pgm.sql(`ALTER TABLE linedesk.calls ADD COLUMN encrypted smallint CHECK (encrypted IN (0, 1));`);
};

export const down = false;

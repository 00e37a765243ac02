import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src-main/config/load-config.js';

/** The smallest config that parses: one UDP line on a named PBX, everything else defaulted. */
export const minimalConfig = {
  transport: { protocol: 'udp' },
  registrar: { uri: 'sip:pbx.example.com' },
  lines: [{ id: 'l1', aor: 'sip:200@pbx.example.com', username: '200', password: 'secret' }],
};

/** What parseConfig refuses in `raw`, as "path: message" lines; fails the test if it accepts it. */
export function configIssues(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
  assert.fail('expected a ConfigError');
}

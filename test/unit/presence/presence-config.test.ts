import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, parseConfig } from '../../../src-main/config/load-config.js';

const base = {
  transport: { protocol: 'udp' },
  registrar: { uri: 'sip:pbx.example.com' },
  lines: [{ id: 'l1', aor: 'sip:200@pbx.example.com', username: '200', password: 'secret', mwi: true }],
};

describe('config: presence.watch and lines[].mwi', () => {
  test('extensions as strings or {ext, label}; defaults when absent', () => {
    const cfg = parseConfig({ ...base, presence: { watch: ['201', { ext: '202', label: 'Bob' }] } });
    assert.deepEqual(cfg.presence.watch, ['201', { ext: '202', label: 'Bob' }]);
    assert.equal(cfg.presence.expiresSec, 600);
    assert.equal(cfg.lines[0]!.mwi, true);
    assert.deepEqual(parseConfig(base).presence.watch, []);
  });

  test('a duplicate, a bad extension or an unknown line is a clear error', () => {
    const cases: [object, RegExp][] = [
      [{ watch: ['201', { ext: '201' }] }, /presence\.watch\[1\].*watched twice/],
      [{ watch: ['20 1'] }, /presence\.watch\[0\]/],
      [{ watch: ['201'], line: 'nope' }, /presence\.line.*no line "nope"/],
      [{ watch: [], expiresSec: 1 }, /presence\.expiresSec/],
    ];
    for (const [presence, message] of cases) {
      assert.throws(() => parseConfig({ ...base, presence }), (e: unknown) => e instanceof ConfigError && message.test(e.message), JSON.stringify(presence));
    }
  });
});

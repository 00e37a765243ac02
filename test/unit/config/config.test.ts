import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { aorUser } from '../../../src-main/config/aor-user.js';
import { loadConfigFile, parseConfig } from '../../../src-main/config/load-config.js';
import { configIssues } from '../../support/config-fixture.js';
import { lineSettings } from '../../../src-main/core/line-settings-from-config.js';
import { lineEncryption } from '../../../src-main/config/media-encryption.js';

const sample = {
  transport: { protocol: 'udp', bind: '127.0.0.1:0' },
  registrar: { uri: 'sip:127.0.0.1:5060', backups: [] },
  lines: [
    { id: 'l1', aor: 'sip:200@127.0.0.1', username: '200', password: 'secret' },
    { id: 'l2', aor: 'sip:201@127.0.0.1', username: '201', password: 'secret', autoAnswerMs: 0 },
  ],
};

describe('config', () => {
  test('SRTP policy per line: its own, else media.encryption, else optional on TLS/WSS lines and off on UDP/TCP/WS', () => {
    const lines = [
      { id: 'u', aor: 'sip:200@pbx', username: '200', password: 'x', transport: 'udp' },
      { id: 't', aor: 'sip:201@pbx', username: '201', password: 'x', transport: 'tls' },
      { id: 'w', aor: 'sip:202@pbx', username: '202', password: 'x', transport: 'wss' },
      { id: 'm', aor: 'sip:203@pbx', username: '203', password: 'x', transport: 'tls', media: { encryption: 'mandatory' } },
      { id: 'o', aor: 'sip:204@pbx', username: '204', password: 'x', transport: 'tcp', media: { encryption: 'optional' } },
    ];
    const transport = ['udp', 'tls', 'wss', 'tcp'].map((protocol) => ({ protocol }));
    const c = parseConfig({ ...sample, transport, lines });
    assert.deepEqual(c.lines.map((l) => lineEncryption(c, l)), ['off', 'optional', 'optional', 'mandatory', 'optional']);
    const all = parseConfig({ ...sample, transport, lines, media: { encryption: 'mandatory' } });
    assert.deepEqual(all.lines.map((l) => lineEncryption(all, l)), ['mandatory', 'mandatory', 'mandatory', 'mandatory', 'optional']);
    assert.deepEqual(configIssues({ ...sample, media: { encryption: 'on' } }), ['media.encryption: must be one of off, optional, mandatory']);
  });

  test('the sample from the issue parses, with defaults filled in', () => {
    const c = parseConfig(sample);
    assert.equal(c.transport.length, 1);
    assert.equal(c.timers.t1, 500);
    const s = lineSettings(c, c.lines[1]!);
    assert.equal(s.protocol, 'udp');
    assert.deepEqual(s.registrars, [{ uri: 'sip:127.0.0.1:5060', address: { host: '127.0.0.1', port: 5060 } }]);
    assert.equal(s.autoAnswerMs, 0);
    assert.ok(s.maxCalls > 1, 'service lines may hold many calls');
    assert.equal(lineSettings(c, c.lines[0]!).maxCalls, 1);
  });

  test('an absent section gets the defaults of its fields; each parse gets its own objects', () => {
    const c = parseConfig(sample);
    assert.deepEqual(c.dispatch, { strategy: 'rrmemory', offerTimeoutMs: 15_000, queue: { maxLength: 10, maxWaitMs: 60_000, overflowUri: null } });
    assert.deepEqual(c.agent, { wrapupSeconds: 30, pauseReasons: ['break', 'lunch', 'training', 'meeting', 'admin'], initialState: 'available' });
    assert.deepEqual(c.store, { path: 'linedesk.sqlite', synchronous: 'NORMAL' });
    assert.deepEqual(c.limits, { maxMessageBytes: 65_535, maxHeaderBytes: 32_768 });
    assert.deepEqual(c.log, { level: 'info' });
    assert.deepEqual(c.tls, { rejectUnauthorized: true });
    assert.deepEqual([c.media.codecs, c.media.ptimeMs, c.media.dtmf], [['opus', 'PCMU', 'PCMA'], 20, 'auto']);
    assert.deepEqual(parseConfig({ ...sample, dispatch: { queue: { maxLength: 3 } } }).dispatch, { strategy: 'rrmemory', offerTimeoutMs: 15_000, queue: { maxLength: 3, maxWaitMs: 60_000, overflowUri: null } });
    c.agent.pauseReasons.push('changed');
    c.media.codecs.pop();
    c.timers.t1 = 1;
    const again = parseConfig(sample);
    assert.deepEqual([again.agent.pauseReasons.length, again.media.codecs.length, again.timers.t1], [5, 3, 500], 'a default is never shared between parses');
  });

  test('errors name the offending field', () => {
    assert.deepEqual(configIssues({ ...sample, transport: { protocol: 'sctp' } }), ['transport[0].protocol: must be one of udp, tcp, tls, ws, wss']);
    assert.deepEqual(configIssues({ ...sample, registrar: { uri: 'http://pbx' } }), ['registrar.uri: must be a sip: or sips: URI, e.g. "sip:pbx.example.com:5060"']);
    assert.deepEqual(configIssues({ ...sample, lines: [{ ...sample.lines[0], pasword: 'x' }] }), ['lines[0]: unknown field "pasword"']);
    assert.deepEqual(configIssues({ ...sample, lines: [sample.lines[0], sample.lines[0]] }), ['lines[1].id: duplicate line id "l1"']);
    assert.deepEqual(configIssues({ ...sample, lines: [{ ...sample.lines[0], transport: 'tls' }] }), ['lines[0].transport: no tls transport is configured']);
    assert.deepEqual(configIssues({ ...sample, timers: { t1: 800, t2: 600 } }), ['timers.t2: must not be smaller than t1']);
    assert.deepEqual(configIssues({ ...sample, lines: [{ ...sample.lines[0], aor: 'sip:127.0.0.1' }] }), ['lines[0].aor: must be a SIP address of record with a user, e.g. "sip:200@pbx.example.com"']);
    assert.deepEqual(configIssues({ registrar: sample.registrar, lines: sample.lines }), ['transport: is required']);
  });

  test("a line's number is the user part of its AOR, parsed as the SIP line parses it", () => {
    assert.equal(aorUser('sip:200@127.0.0.1'), '200');
    assert.equal(aorUser('SIPS:agent.7@pbx.example.com:5061;transport=tls'), 'agent.7');
    assert.equal(aorUser('sip:%32%30%31@pbx'), '201', 'escaped characters decoded, as SipLine and the mux compare them');
    assert.equal(aorUser('sip:pbx.example.com'), undefined);
  });

  test('a file that is not JSON, or missing, gives a clear ConfigError', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-cfg-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "transport": ');
    assert.throws(() => loadConfigFile(bad), /not valid JSON/);
    assert.throws(() => loadConfigFile(join(dir, 'missing.json')), /cannot read config file/);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ ...sample, transport: [{ protocol: 'udp' }, { protocol: 'tcp' }], registrar: { uri: 'sip:pbx.example.com', backups: ['sip:10.0.0.2:5070'] } }));
    const { config, baseDir } = loadConfigFile(good);
    assert.equal(baseDir, dir);
    assert.deepEqual(lineSettings(config, config.lines[0]!).registrars.map((r) => r.address), [
      { host: 'pbx.example.com', port: 5060 },
      { host: '10.0.0.2', port: 5070 },
    ]);
  });
});

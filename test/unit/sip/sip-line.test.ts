import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../../../src-main/common/logger.js';
import { SipLine } from '../../../src-main/sip/line/sip-line.js';
import { SipMux } from '../../../src-main/sip/transport/sip-mux.js';
import { FakeClock } from '../../support/fake-clock.js';
import { testLineDeps, testLineSettings } from './line-fixture.js';

describe('SipLine', () => {
  test('names the registrar a REGISTER is for by its Request-URI (host in any case, port significant)', () => {
    const clock = new FakeClock();
    const mux = new SipMux({ connections: {}, clock, log: silentLogger });
    const line = new SipLine(
      testLineSettings({
        id: 'l',
        aor: 'sip:200@pbx.example.com',
        protocol: 'ws',
        registrars: [
          { uri: 'sip:PBX-A.example.com', address: { host: 'pbx-a.example.com', port: 80 } },
          { uri: 'sip:10.0.0.2:5070', address: { host: '10.0.0.2', port: 5070 } },
        ],
      }),
      testLineDeps(mux, clock),
    );
    try {
      assert.deepEqual(line.registrarAddress('sip:pbx-a.example.com'), { host: 'pbx-a.example.com', port: 80 });
      assert.deepEqual(line.registrarAddress('sip:10.0.0.2:5070;transport=ws'), { host: '10.0.0.2', port: 5070 });
      assert.equal(line.registrarAddress('sip:10.0.0.2'), undefined, 'another port is another server');
      assert.equal(line.registrarAddress('sip:elsewhere.example.com'), undefined);
    } finally {
      mux.dispose();
    }
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { silentLogger } from '../../../src-main/common/logger.js';
import { SipLine } from '../../../src-main/sip/line/sip-line.js';
import { defaultRegistrationTimers } from '../../../src-main/sip/line/registration-controller.js';
import { SipMux } from '../../../src-main/sip/transport/sip-mux.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('SipLine', () => {
  test('names the registrar a REGISTER is for by its Request-URI (host in any case, port significant)', () => {
    const clock = new FakeClock();
    const mux = new SipMux({ connections: {}, clock, log: silentLogger });
    const line = new SipLine(
      {
        id: 'l',
        aor: 'sip:200@pbx.example.com',
        username: '200',
        password: 'x',
        protocol: 'ws',
        registrars: [
          { uri: 'sip:PBX-A.example.com', address: { host: 'pbx-a.example.com', port: 80 } },
          { uri: 'sip:10.0.0.2:5070', address: { host: '10.0.0.2', port: 5070 } },
        ],
        expiresSec: 600,
        refreshPercent: 90,
        maxCalls: 1,
      },
      { mux, clock, log: silentLogger, timers: defaultRegistrationTimers, localHost: '127.0.0.1', sessionDescriptionHandlerFactory: (() => undefined) as never, userAgentString: 't' },
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

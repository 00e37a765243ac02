import type { Clock } from '../../../src-main/common/clock.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import type { LineSettings } from '../../../src-main/sip/line/line-settings.js';
import { defaultRegistrationTimers } from '../../../src-main/sip/line/registration-controller.js';
import type { SipLineDeps } from '../../../src-main/sip/line/sip-line.js';
import type { SipMux } from '../../../src-main/sip/transport/sip-mux.js';

/** A test line's settings: account 200, password "x", one call, 600 s registrations refreshed at 90 %; `over` names the rest. */
export function testLineSettings(over: Pick<LineSettings, 'id' | 'aor' | 'protocol' | 'registrars'> & Partial<LineSettings>): LineSettings {
  return { username: '200', password: 'x', expiresSec: 600, refreshPercent: 90, maxCalls: 1, ...over };
}

/** What a test SipLine needs besides its mux and clock: a silent log, the default timers, no media (it answers no call); `over` replaces any. */
export function testLineDeps(mux: SipMux, clock: Clock, over: Partial<SipLineDeps> = {}): SipLineDeps {
  return { mux, clock, log: silentLogger, timers: defaultRegistrationTimers, localHost: '127.0.0.1', sessionDescriptionHandlerFactory: (() => undefined) as never, userAgentString: 't', ...over };
}

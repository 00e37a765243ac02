import type { Clock } from '../../src-main/common/clock.js';
import type { Flow } from '../../src-main/sip/transport/flow.js';

/** A UDP-like flow that records what is sent on it and when. */
export class RecordingFlow implements Flow {
  readonly protocol = 'udp' as const;
  readonly remote = { host: '127.0.0.1', port: 5060 };
  readonly local = { host: '127.0.0.1', port: 5070 };
  readonly reliable = false;
  readonly open = true;
  readonly sent: { at: number; text: string }[] = [];

  constructor(
    private readonly clock: Clock,
    readonly key = 'udp:127.0.0.1:5060',
  ) {}

  send(bytes: Buffer): Promise<void> {
    this.sent.push({ at: this.clock.now(), text: bytes.toString('utf8') });
    return Promise.resolve();
  }

  /** Send times, as offsets from `t0`. */
  times(t0 = 0): number[] {
    return this.sent.map((s) => s.at - t0);
  }
}

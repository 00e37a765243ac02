import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';

const run = promisify(execFile);

export interface CapturedRtp {
  /** Capture time, ms since the epoch (the kernel's timestamp). */
  epochMs: number;
  srcPort: number;
  dstPort: number;
  payloadType: number;
  seq: number;
  timestamp: number;
  marker: boolean;
  payload: Buffer;
  time: number;
}

export interface CapturedSip {
  srcPort: number;
  dstPort: number;
  firstLine: string;
  text: string;
  time: number;
}

/** Whether tshark can capture here (it needs the capture permission: root in CI). */
export function captureSkipReason(): string | undefined {
  return process.getuid?.() === 0 ? undefined : 'capturing loopback traffic with tshark needs root';
}

/**
 * What really went over loopback during a test, captured with tshark (a real wire view,
 * independent of LineDesk's own counters): RTP on the given UDP ports decoded as RTP,
 * and SIP messages.
 */
export class WireCapture {
  readonly dir = mkdtempSync(join(tmpdir(), 'linedesk-cap-'));
  readonly file = join(this.dir, 'cap.pcapng');
  #child: ChildProcess | undefined;
  #startedAt = 0;

  /** `where`: another interface than loopback, and the network namespace it is in. */
  constructor(
    private readonly filter: string,
    private readonly where: { iface?: string; netns?: string } = {},
  ) {}

  /** Seconds since the capture started: comparable with the packets' `time`. */
  elapsed(): number {
    return (performance.now() - this.#startedAt) / 1000;
  }

  async start(): Promise<void> {
    const args = ['-i', this.where.iface ?? 'lo', '-f', this.filter, '-w', this.file, '-q', '-a', 'duration:300'];
    // `ip netns exec` execs tshark in place, so the child is tshark itself.
    const child = this.where.netns ? spawn('ip', ['netns', 'exec', this.where.netns, 'tshark', ...args], { stdio: ['ignore', 'ignore', 'pipe'] }) : spawn('tshark', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('tshark did not start capturing within 10 s')), 10_000);
      child.stderr.on('data', (d: Buffer) => {
        if (/Capturing on/.test(d.toString())) {
          this.#startedAt = performance.now();
          clearTimeout(t);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`tshark exited (${code})`));
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    // Let the last packets reach the file before stopping.
    await delay(300);
    child.kill('SIGINT');
    await new Promise<void>((r) => child.once('exit', () => r()));
  }

  /**
   * RTP packets in capture order: on the given ports, or (no ports) wherever tshark's
   * heuristic recognises RTP.
   */
  async rtp(ports: number[] = []): Promise<CapturedRtp[]> {
    const decode = ports.length > 0 ? ports.flatMap((p) => ['-d', `udp.port==${p},rtp`]) : ['--enable-heuristic', 'rtp_udp'];
    const { stdout } = await run('tshark', ['-r', this.file, ...decode, '-Y', 'rtp', '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.time_relative', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'rtp.p_type', '-e', 'rtp.seq', '-e', 'rtp.timestamp', '-e', 'rtp.marker', '-e', 'rtp.payload', '-e', 'frame.time_epoch'], { maxBuffer: 256 * 1024 * 1024 });
    return stdout
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => {
        const [time, src, dst, pt, seq, ts, marker, payload, epoch] = l.split('\t');
        return {
          epochMs: Number(epoch) * 1000,
          time: Number(time),
          srcPort: Number(src),
          dstPort: Number(dst),
          payloadType: Number(pt),
          seq: Number(seq),
          timestamp: Number(ts),
          marker: marker === '1' || marker === 'True',
          payload: Buffer.from((payload ?? '').replace(/:/g, ''), 'hex'),
        };
      });
  }

  /** SIP messages in capture order. */
  async sip(): Promise<CapturedSip[]> {
    const { stdout } = await run('tshark', ['-r', this.file, '-Y', 'sip', '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.time_relative', '-e', 'udp.srcport', '-e', 'udp.dstport', '-e', 'sip.Request-Line', '-e', 'sip.Status-Line', '-e', 'sdp.media_attr', '-e', 'sdp.media'], { maxBuffer: 64 * 1024 * 1024 });
    return stdout
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => {
        const [time, src, dst, req, status, attrs, media] = l.split('\t');
        return { time: Number(time), srcPort: Number(src), dstPort: Number(dst), firstLine: req || status || '', text: `${attrs ?? ''} ${media ?? ''}` };
      });
  }

  /** Any tshark fields of the packets matching a display filter, one array per packet. */
  async fields(displayFilter: string, fields: string[]): Promise<string[][]> {
    const { stdout } = await run('tshark', ['-r', this.file, '-Y', displayFilter, '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((f) => ['-e', f])], { maxBuffer: 64 * 1024 * 1024 });
    return stdout
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => l.split('\t'));
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

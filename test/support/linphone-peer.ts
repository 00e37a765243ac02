import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from '../../src-main/media/audio/wav-file.js';
import { freePort } from './ports.js';
import { sine } from './tone.js';

export interface LinphoneOptions {
  /** Extension to register (no password: the test Kamailio runs without auth). */
  user: string;
  registrarPort: number;
  /** `srtp`: SDES; `none`: plain RTP only. */
  mediaEncryption: 'srtp' | 'none';
  /** Refuse calls without SRTP (Linphone's media_encryption_mandatory). */
  mandatory?: boolean;
  /** The tone Linphone plays to the far end, Hz (its "file" sound card). Default 700. */
  toneHz?: number;
  /** Seconds before the process is killed whatever happens. */
  lifetimeSec: number;
  /** Answer calls by itself (default true); false: calls ring until the caller gives up. */
  autoAnswer?: boolean;
}

/**
 * Linphone (linphonec from Debian's linphone-cli, liblinphone 5.1) as a second reference
 * peer with its own SRTP (libsrtp2): registered through the test Kamailio, auto-answering
 * (unless told not to), its "sound card" a WAV file it plays (a tone) and one it records
 * (what it heard).
 *
 * Set up as liblinphone needs here: $HOME/.local/share/linphone must exist (its call
 * database), IPv6 off and [rtp] bind_address so its SDP says 127.0.0.1 (it would write the
 * address of the default route), and no `gruu` in Supported, as the peer guide advises behind
 * this Kamailio (which has GRUU off).
 */
export class LinphonePeer {
  readonly dir = mkdtempSync(join(tmpdir(), 'linedesk-linphone-'));
  /** What Linphone heard during its last call (16-bit WAV). */
  readonly recordFile = join(this.dir, 'heard.wav');
  readonly playFile = join(this.dir, 'tone.wav');
  readonly output: string[] = [];
  #child: ChildProcessWithoutNullStreams | undefined;
  #killTimer: NodeJS.Timeout | undefined;
  sipPort = 0;

  constructor(private readonly opts: LinphoneOptions) {}

  /** Starts linphonec; resolves once `registered()` (e.g. the registrar lists the contact) says so. */
  async start(registered: () => Promise<boolean>): Promise<void> {
    this.sipPort = await freePort('both');
    const rtpBase = 38000 + 2 * Math.floor(Math.random() * 900);
    mkdirSync(join(this.dir, '.local', 'share', 'linphone'), { recursive: true });
    writeFileSync(this.playFile, encodeWav(sine(this.opts.toneHz ?? 700, 8000, 8000 * 30, 8000), 8000));
    const rc = [
      '[sip]',
      `sip_port=${this.sipPort}`,
      'sip_tcp_port=-1',
      'sip_tls_port=-1',
      'use_ipv6=0',
      'supported=replaces, outbound',
      `media_encryption=${this.opts.mediaEncryption}`,
      `media_encryption_mandatory=${this.opts.mandatory ? 1 : 0}`,
      'default_proxy=0',
      '[rtp]',
      'bind_address=127.0.0.1',
      `audio_rtp_port=${rtpBase}-${rtpBase + 99}`,
      '[proxy_0]',
      `reg_proxy=<sip:127.0.0.1:${this.opts.registrarPort};transport=udp>`,
      `reg_identity=sip:${this.opts.user}@pbx.local`,
      'reg_expires=120',
      'reg_sendregister=1',
      // G.711 only: the calls of these tests are PCMU.
      '[audio_codec_0]',
      'mime=PCMU',
      'rate=8000',
      'channels=1',
      'enabled=1',
      ...['opus/48000', 'speex/16000', 'speex/8000', 'PCMA/8000', 'G729/8000'].flatMap((c, i) => [`[audio_codec_${i + 1}]`, `mime=${c.split('/')[0]}`, `rate=${c.split('/')[1]}`, 'channels=1', 'enabled=0']),
      '',
    ].join('\n');
    writeFileSync(join(this.dir, 'linphonerc'), rc);
    const child = spawn('linphonec', ['-c', join(this.dir, 'linphonerc'), '-d', '0', '-S'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, HOME: this.dir } });
    this.#child = child;
    child.stdout.on('data', (d: Buffer) => this.output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => this.output.push(d.toString()));
    child.stdin.on('error', () => {});
    this.#killTimer = setTimeout(() => child.kill('SIGKILL'), this.opts.lifetimeSec * 1000);
    this.#killTimer.unref();
    this.command('soundcard use files');
    this.command(`play ${this.playFile}`);
    this.command(`record ${this.recordFile}`);
    if (this.opts.autoAnswer !== false) this.command('autoanswer enable');
    // linphonec prints nothing when it registers: ask the registrar.
    for (const end = Date.now() + 10_000; !(await registered()); await new Promise((r) => setTimeout(r, 100))) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`Linphone did not register within 10 s:\n${this.output.join('').slice(-3000)}`);
    }
  }

  /** One linphonec command line (call, terminate, ...). */
  command(line: string): void {
    this.#child?.stdin.write(`${line}\n`);
  }

  /** Where Linphone's output is now, for waitFor(). */
  mark(): number {
    return this.output.join('').length;
  }

  /** Resolves once Linphone's output after `from` (a mark()) matches `re`, e.g. "Call 1 ... ended". */
  async waitFor(re: RegExp, ms: number, from = 0, what = `no ${re} from Linphone`): Promise<void> {
    const end = Date.now() + ms;
    while (!re.test(this.output.join('').slice(from))) {
      if (Date.now() > end) throw new Error(`${what} within ${ms} ms:\n${this.output.join('').slice(-3000)}`);
      if (this.#child?.exitCode !== null) throw new Error(`linphonec exited:\n${this.output.join('').slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child && child.exitCode === null) {
      this.command('quit');
      await new Promise<void>((r) => {
        const t = setTimeout(() => (child.kill('SIGKILL'), r()), 4000);
        child.once('exit', () => (clearTimeout(t), r()));
      });
    }
    if (this.#killTimer) clearTimeout(this.#killTimer);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, type Socket } from 'node:net';
import { freePort } from './ports.js';

export interface BaresipOptions {
  /** Extension to register and auto-answer. */
  user: string;
  registrarPort: number;
  /** Seconds before baresip quits by itself (`-t`): it never outlives the benchmark. */
  lifetimeSec: number;
  /** With false: no audio source or player (SIP-only, like the anchor's "sig202"). */
  audio?: boolean;
  maxCalls?: number;
  /** Codecs to offer/accept, e.g. ["opus"] or ["PCMU", "PCMA"] (default PCMU, PCMA). */
  codecs?: string[];
  /** Answer calls by itself (default true). */
  autoAnswer?: boolean;
  /** The q-value of its registered Contact (baresip's regq). */
  q?: number;
  /**
   * SDES-keyed SRTP (its srtp module): `srtp` offers RTP/AVP with a=crypto and takes plain
   * calls too, `srtp-mand` offers RTP/SAVP and refuses plain ones with 488.
   */
  mediaenc?: 'srtp' | 'srtp-mand';
  /** Record what each call sends and hears (the sndfile module): WAV files in `recordDir`. */
  record?: boolean;
}

/**
 * baresip 1.0 as the reference user agent: registered through the same Kamailio,
 * auto-answering (answermode=auto), configured as in ../shared/research/peers.md §4.
 */
export class BaresipPeer {
  readonly dir = mkdtempSync(join(tmpdir(), 'linedesk-baresip-'));
  /** With `record`: sndfile's dump-<call>-enc.wav (sent) and -dec.wav (heard) per call. */
  readonly recordDir = join(this.dir, 'sound');
  #child: ChildProcess | undefined;
  readonly output: string[] = [];
  /** JSON events baresip's ctrl_tcp module pushed (CALL_ESTABLISHED, CALL_DTMF_START…). */
  readonly ctrlEvents: Record<string, unknown>[] = [];
  #ctrl: Socket | undefined;
  #ctrlPort = 0;
  #rtpBase = 0;

  constructor(private readonly opts: BaresipOptions) {}

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async start(): Promise<void> {
    const sipPort = await freePort('both');
    this.#ctrlPort = await freePort('tcp');
    const audio = this.opts.audio ?? false;
    const rtpBase = (this.#rtpBase = 30000 + 2 * Math.floor(Math.random() * 4000));
    const codecs = this.opts.codecs ?? ['PCMU', 'PCMA'];
    const config = [
      'poll_method\t\tepoll',
      `sip_listen\t\t127.0.0.1:${sipPort}`,
      'sip_trans_def\t\tudp',
      'net_interface\t\t127.0.0.1',
      'net_prefer_ipv6\t\tno',
      'dns_server\t\t127.0.0.1:53',
      'call_local_timeout\t120',
      `call_max_calls\t\t${this.opts.maxCalls ?? 1000}`,
      `rtp_ports\t\t${rtpBase}-${rtpBase + 1998}`,
      'jitter_buffer_delay\t5-10',
      ...(audio ? ['audio_player\t\taubridge,nil', 'audio_source\t\tausine,440', 'audio_alert\t\taubridge,nil', 'ausrc_srate\t\t48000', 'auplay_srate\t\t48000', 'ausrc_channels\t\t2', 'auplay_channels\t\t1'] : []),
      'module_path\t\t/usr/lib/baresip/modules',
      'module\t\t\tg711.so',
      ...(codecs.includes('opus') ? ['module\t\t\topus.so'] : []),
      ...(audio ? ['module\t\t\tausine.so', 'module\t\t\taubridge.so'] : []),
      ...(this.opts.mediaenc ? ['module\t\t\tsrtp.so'] : []),
      ...(this.opts.record ? ['module\t\t\tsndfile.so', `snd_path\t\t${this.recordDir}`] : []),
      'module_app\t\taccount.so',
      'module_app\t\tcontact.so',
      'module_app\t\tmenu.so',
      'module_app\t\tctrl_tcp.so',
      `ctrl_tcp_listen\t\t127.0.0.1:${this.#ctrlPort}`,
      '',
    ].join('\n');
    writeFileSync(join(this.dir, 'config'), config);
    writeFileSync(join(this.dir, 'accounts'), `<sip:${this.opts.user}@pbx.local>;auth_pass=secret;outbound="sip:127.0.0.1:${this.opts.registrarPort};transport=udp";regint=300;answermode=${this.opts.autoAnswer === false ? 'manual' : 'auto'};${this.opts.q === undefined ? '' : `regq=${this.opts.q};`}${this.opts.mediaenc ? `mediaenc=${this.opts.mediaenc};` : ''}audio_codecs=${codecs.map((c) => (c === 'opus' ? 'opus/48000/2' : c)).join(',')}\n`);
    writeFileSync(join(this.dir, 'contacts'), '');
    if (this.opts.record) mkdirSync(this.recordDir);
    const child = spawn('baresip', ['-f', this.dir, '-p', '/usr/share/baresip', '-t', String(this.opts.lifetimeSec)], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    child.stdout?.on('data', (d: Buffer) => this.output.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => this.output.push(d.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`baresip did not register within 10 s:\n${this.output.join('')}`)), 10_000);
      const check = (): void => {
        if (/200 OK/.test(this.output.join('')) || /registered/i.test(this.output.join(''))) {
          clearTimeout(t);
          resolve();
        }
      };
      child.stdout?.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`baresip exited (${code}):\n${this.output.join('')}`));
      });
    });
    // Connect now: ctrl_tcp pushes events only to connected clients.
    await this.#ctrlSocket();
  }

  /** baresip's RTP port range (for captures). */
  get rtpPorts(): { min: number; max: number } {
    return { min: this.#rtpBase, max: this.#rtpBase + 1998 };
  }

  /** Sends a ctrl_tcp command (netstring-framed JSON), e.g. dial / hangup / hold. */
  async command(command: string, params = ''): Promise<void> {
    const sock = await this.#ctrlSocket();
    const body = JSON.stringify({ command, params, token: String(Date.now()) });
    sock.write(`${Buffer.byteLength(body)}:${body},`);
  }

  async #ctrlSocket(): Promise<Socket> {
    if (this.#ctrl) return this.#ctrl;
    const sock = createConnection(this.#ctrlPort, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString();
      // netstrings: <len>:<json>,
      for (;;) {
        const colon = buf.indexOf(':');
        if (colon < 0) break;
        const len = Number(buf.slice(0, colon));
        if (!Number.isFinite(len) || buf.length < colon + 1 + len + 1) break;
        const json = buf.slice(colon + 1, colon + 1 + len);
        buf = buf.slice(colon + 1 + len + 1);
        try {
          this.ctrlEvents.push(JSON.parse(json) as Record<string, unknown>);
        } catch {
          /* not JSON: ignore */
        }
      }
    });
    sock.on('error', () => {});
    this.#ctrl = sock;
    return sock;
  }

  async stop(): Promise<void> {
    this.#ctrl?.destroy();
    const child = this.#child;
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          r();
        }, 3000);
        child.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

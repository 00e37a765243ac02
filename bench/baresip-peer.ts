import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/ports.js';

export interface BaresipOptions {
  /** Extension to register and auto-answer. */
  user: string;
  registrarPort: number;
  /** Seconds before baresip quits by itself (`-t`): it never outlives the benchmark. */
  lifetimeSec: number;
  /** With false: no audio source or player (SIP-only, like the anchor's "sig202"). */
  audio?: boolean;
  maxCalls?: number;
}

/**
 * baresip 1.0 as the reference user agent: registered through the same Kamailio,
 * auto-answering (answermode=auto), configured as in ../shared/research/peers.md §4.
 */
export class BaresipPeer {
  readonly dir = mkdtempSync(join(tmpdir(), 'linedesk-baresip-'));
  #child: ChildProcess | undefined;
  readonly output: string[] = [];

  constructor(private readonly opts: BaresipOptions) {}

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async start(): Promise<void> {
    const sipPort = await freePort('both');
    const audio = this.opts.audio ?? false;
    const rtpBase = 30000 + 2 * Math.floor(Math.random() * 4000);
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
      ...(audio ? ['module\t\t\tausine.so', 'module\t\t\taubridge.so'] : []),
      'module_app\t\taccount.so',
      'module_app\t\tcontact.so',
      'module_app\t\tmenu.so',
      '',
    ].join('\n');
    writeFileSync(join(this.dir, 'config'), config);
    writeFileSync(join(this.dir, 'accounts'), `<sip:${this.opts.user}@pbx.local>;auth_pass=secret;outbound="sip:127.0.0.1:${this.opts.registrarPort};transport=udp";regint=300;answermode=auto;audio_codecs=PCMU,PCMA\n`);
    writeFileSync(join(this.dir, 'contacts'), '');
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
  }

  async stop(): Promise<void> {
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

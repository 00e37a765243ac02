import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binaryPath } from './peer-binaries.js';
import { freePort, freeUdpPortBlock } from './ports.js';

export interface LinphoneOptions {
  /** Extension to register (password "secret"). */
  user: string;
  registrarPort: number;
  /** Answer calls by itself (-a). */
  autoAnswer?: boolean;
  /** linphonec quits by itself after this long (coreutils timeout). */
  lifetimeSec: number;
}

/**
 * linphone-cli (Debian's linphonec, liblinphone 5.1) as a real phone: it registers to the
 * test Kamailio over UDP from 127.0.0.1 and takes calls, answering them with -a. Its config
 * lives in a private HOME (liblinphone wants $HOME/.local/share/linphone to exist); gruu is
 * left out of Supported, since the test Kamailio does not do GRUU. It has no sound card
 * here and says so on stderr; calls and RTP work without one.
 */
export class LinphonePeer {
  readonly home = mkdtempSync(join(tmpdir(), 'linedesk-linphone-'));
  readonly output: string[] = [];
  #child: ChildProcessWithoutNullStreams | undefined;
  sipPort = 0;

  constructor(private readonly opts: LinphoneOptions) {}

  async start(): Promise<void> {
    this.sipPort = await freePort('both');
    const rtp = await freeUdpPortBlock(4);
    mkdirSync(join(this.home, '.local', 'share', 'linphone'), { recursive: true });
    const rc = join(this.home, 'linphonerc');
    writeFileSync(
      rc,
      [
        '[sip]',
        `sip_port=${this.sipPort}`,
        'sip_tcp_port=-1',
        'sip_tls_port=-1',
        'default_proxy=0',
        'register_only_when_network_is_up=0',
        'supported=replaces, outbound',
        'bind_address=127.0.0.1',
        'ipv6_enabled=0',
        'inc_timeout=60',
        '',
        '[rtp]',
        `audio_rtp_port=${rtp}-${rtp + 3}`,
        '',
        '[sound]',
        'echocancellation=0',
        '',
        '[proxy_0]',
        `reg_proxy=<sip:127.0.0.1:${this.opts.registrarPort};transport=udp>`,
        `reg_identity=sip:${this.opts.user}@127.0.0.1`,
        'reg_expires=60',
        'reg_sendregister=1',
        'publish=0',
        '',
        '[auth_info_0]',
        `username=${this.opts.user}`,
        'passwd=secret',
        '',
      ].join('\n'),
    );
    const args = ['-k', '2', `${this.opts.lifetimeSec}s`, binaryPath('linphonec'), '-c', rc, '-d', '0', ...(this.opts.autoAnswer ? ['-a'] : [])];
    // stdin stays open: linphonec quits at its end.
    const child = spawn(binaryPath('timeout'), args, { env: { ...process.env, HOME: this.home }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child = child;
    child.stdout.on('data', (d: Buffer) => this.output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => this.output.push(d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child && child.exitCode === null) {
      child.stdin.write('quit\n');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 3_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as delay } from 'node:timers/promises';
import { binaryPath, peerSkipReason } from './peer-binaries.js';
import { peersDir } from './paths.js';
import { freePort } from './ports.js';
import { spawnGroup, type ProcessGroup } from './process-group.js';

export { peerSkipReason } from './peer-binaries.js';

const PRESENCE_MODULES = ['presence.so', 'presence_dialoginfo.so', 'presence_mwi.so', 'pua.so', 'pua_dialoginfo.so', 'dialog.so', 'db_text.so'];

/**
 * For tests that start Kamailio with `presence: true`: undefined when Kamailio and its
 * presence modules (Debian kamailio-presence-modules) are installed, else why the test is
 * skipped; with LINEDESK_REQUIRE_PEERS=1 a missing module is an error.
 */
export function presenceSkipReason(): string | undefined {
  const binaries = peerSkipReason('kamailio', 'kamcmd');
  if (binaries) return binaries;
  const dirs = ['/usr/lib/x86_64-linux-gnu/kamailio/modules', '/usr/lib/aarch64-linux-gnu/kamailio/modules', '/usr/lib/kamailio/modules', '/usr/lib64/kamailio/modules'];
  const dir = dirs.find((d) => existsSync(join(d, 'tm.so')));
  const missing = dir === undefined ? PRESENCE_MODULES : PRESENCE_MODULES.filter((m) => !existsSync(join(dir, m)));
  if (missing.length === 0) return undefined;
  const message = `Kamailio's presence modules are missing (${missing.join(', ')}); install with: apt-get install kamailio-presence-modules`;
  if (process.env.LINEDESK_REQUIRE_PEERS === '1') throw new Error(`${message} (LINEDESK_REQUIRE_PEERS=1)`);
  return message;
}

const execFileAsync = promisify(execFile);

export interface KamailioOptions {
  /** Digest auth from test/peers/kamailio/dbtext (401 for REGISTER, 407 for calls not from 127.0.0.2). */
  auth?: boolean;
  authAlgorithm?: 'MD5' | 'SHA-256';
  /** Kamailio log level (default 2: one NOTICE line per initial request). */
  debug?: number;
  /** Kamailio stops by itself after this long even if nobody calls stop() (default 30 min). */
  lifetimeMs?: number;
  /** A second address to listen on for UDP (same port), e.g. one a network namespace reaches. */
  extraUdpAddress?: string;
  /** subjectAltName of the TLS certificate (default "IP:127.0.0.1,DNS:localhost"). */
  certificateNames?: string;
  /** Also listen on [::1] (UDP and TCP, same port as on 127.0.0.1). */
  ipv6?: boolean;
  /** How long the serial ring groups 601 (hunt) and 602 (q-value) ring each member (default 3000 ms). */
  ringGroupMs?: number;
  /**
   * A presence server (Debian kamailio-presence-modules): dialog (BLF) and message-summary
   * (MWI) subscriptions are handled here, and every call relayed publishes its dialog
   * states. Its watchers live in memory: a restart forgets them.
   */
  presence?: boolean;
}

export interface Kamailio {
  readonly host: '127.0.0.1';
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly tlsPort: number;
  readonly wsPort: number;
  readonly wssPort: number;
  /** The CA that signed Kamailio's TLS certificate (subject 127.0.0.1 / localhost). */
  readonly caCertPem: string;
  /** caCertPem as a file (in workDir, written again by start()), e.g. for a runner's tls.caFile. */
  readonly caFile: string;
  readonly workDir: string;
  /** SIGTERM, wait for exit (SIGKILL after 5 s). Removes workDir unless LINEDESK_KEEP_PEERS is set. */
  stop(): Promise<void>;
  /** Starts again on the same ports with the same certificate; usrloc is empty afterwards. */
  start(): Promise<void>;
  /** Registered contact URIs of an AOR ("200"), as Kamailio stores them. */
  contacts(aor: string): Promise<string[]>;
  /** Runs `kamcmd <method> <params...>` on this Kamailio's control socket; resolves to its output. */
  rpc(method: string, ...params: string[]): Promise<string>;
  /** Kamailio's log so far (all runs of this instance; long logs keep their last megabytes). */
  log(): string;
}

const CONFIG_FILE = peersDir('kamailio', 'kamailio.cfg');
const DBTEXT_DIR = peersDir('kamailio', 'dbtext');
/** Kamailio's own empty db_text tables (package kamailio), copied for the presence modules. */
const KAMAILIO_DBTEXT_TABLES = '/usr/share/kamailio/dbtext/kamailio';
const PRESENCE_TABLES = ['version', 'presentity', 'active_watchers', 'watchers', 'xcap', 'pua'];
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
const LOG_TAIL_BYTES = 4 * 1024 * 1024;

export async function startKamailio(opts: KamailioOptions = {}): Promise<Kamailio> {
  const workDir = await mkdtemp(join(tmpdir(), 'linedesk-kamailio-'));
  try {
    const [sipPort, tlsPort, wsPort, wssPort] = [
      await freePort('both'),
      await freePort('tcp'),
      await freePort('tcp'),
      await freePort('tcp'),
    ];
    const certificates = await createTestCertificates(workDir, opts.certificateNames);
    const kamailio = new KamailioPeer(opts, workDir, { sipPort, tlsPort, wsPort, wssPort }, certificates);
    await kamailio.start();
    return kamailio;
  } catch (err) {
    await rm(workDir, { recursive: true, force: true });
    throw err;
  }
}

interface Ports {
  sipPort: number;
  tlsPort: number;
  wsPort: number;
  wssPort: number;
}

export interface TestCertificates {
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

class KamailioPeer implements Kamailio {
  readonly host = '127.0.0.1' as const;
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly tlsPort: number;
  readonly wsPort: number;
  readonly wssPort: number;
  readonly caCertPem: string;
  #process: ProcessGroup | undefined;
  #earlierLogs = '';
  #runs = 0;

  constructor(
    private readonly opts: KamailioOptions,
    readonly workDir: string,
    ports: Ports,
    private readonly certificates: TestCertificates,
  ) {
    this.udpPort = ports.sipPort;
    this.tcpPort = ports.sipPort;
    this.tlsPort = ports.tlsPort;
    this.wsPort = ports.wsPort;
    this.wssPort = ports.wssPort;
    this.caCertPem = certificates.caCertPem;
  }

  get caFile(): string {
    return join(this.workDir, 'ca.pem');
  }

  /** One log file per run: with LINEDESK_KEEP_PEERS the files of earlier runs stay beside it. */
  private get logFile(): string {
    return join(this.workDir, `kamailio-run${this.#runs}.log`);
  }

  private get ctlSocket(): string {
    return join(this.workDir, 'kamailio_ctl');
  }

  async start(): Promise<void> {
    if (this.#process !== undefined && !this.#process.hasExited()) throw new Error('Kamailio is already running');
    await this.prepareWorkDir();
    const kamailio = binaryPath('kamailio');
    const defines = this.defines();

    // -c validates the config first, so a syntax error shows as such and not as a start timeout.
    try {
      await execFileAsync(kamailio, ['-c', '-f', CONFIG_FILE, ...defines], { timeout: 10_000 });
    } catch (err) {
      throw new Error(`kamailio -c rejected ${CONFIG_FILE}:\n${processOutput(err)}`, { cause: err });
    }

    this.#runs++;
    const logFd = openSync(this.logFile, 'w');
    const lifetimeSeconds = Math.ceil((this.opts.lifetimeMs ?? 30 * 60_000) / 1000);
    try {
      this.#process = spawnGroup(
        binaryPath('timeout'),
        ['-k', '5', `${lifetimeSeconds}s`, kamailio, '-DD', '-E', '-m', '64', '-M', '8', '-f', CONFIG_FILE,
          '-P', join(this.workDir, 'kamailio.pid'), '-Y', this.workDir, ...defines],
        { cwd: this.workDir, stdio: ['ignore', logFd, logFd] },
      );
    } finally {
      closeSync(logFd);
    }
    const group = this.#process;
    try {
      await waitUntilAnswering(this.host, this.udpPort, group);
    } catch (err) {
      await group.stop(STOP_GRACE_MS);
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- kamailio log ---\n${this.log()}`, { cause: err });
    }
    // A forgotten stop() must not keep the test process alive; the exit hook kills the group.
    group.child.unref();
  }

  async stop(): Promise<void> {
    const running = this.#process;
    this.#process = undefined;
    if (running !== undefined) await running.stop(STOP_GRACE_MS);
    this.#earlierLogs = this.log();
    if (process.env.LINEDESK_KEEP_PEERS) {
      process.stderr.write(`LINEDESK_KEEP_PEERS: Kamailio files kept in ${this.workDir}\n`);
    } else {
      await rm(this.workDir, { recursive: true, force: true });
    }
  }

  async contacts(aor: string): Promise<string[]> {
    let output: string;
    try {
      // "s:" keeps a numeric AOR a string for kamcmd
      output = await this.rpc('ul.lookup', 'location', `s:${aor}`);
    } catch (err) {
      if (/not found/i.test(processOutput(err))) return [];
      throw err;
    }
    return [...output.matchAll(/^\s*Address: (\S+)\s*$/gm)].map((m) => m[1] ?? '');
  }

  async rpc(method: string, ...params: string[]): Promise<string> {
    const { stdout } = await execFileAsync(binaryPath('kamcmd'), ['-s', `unix:${this.ctlSocket}`, method, ...params], {
      timeout: 5_000,
    });
    return stdout;
  }

  log(): string {
    const separator = this.#earlierLogs === '' ? '' : `\n--- kamailio run ${this.#runs} ---\n`;
    return this.#earlierLogs + separator + readTail(this.logFile, LOG_TAIL_BYTES);
  }

  private defines(): string[] {
    const define = (name: string, value?: string | number): string[] =>
      ['-A', value === undefined ? name : `${name}=${value}`];
    const args = [
      ...define('SIP_PORT', this.udpPort),
      ...define('WS_PORT', this.wsPort),
      ...define('TLS_PORT', this.tlsPort),
      ...define('WSS_PORT', this.wssPort),
      ...define('WITH_TLS'),
      ...define('TLS_CONFIG', `"${join(this.workDir, 'tls.cfg')}"`),
      ...define('CTL_SOCKET', `"unix:${this.ctlSocket}"`),
      ...define('DBGLEVEL', this.opts.debug ?? 2),
    ];
    if (this.opts.extraUdpAddress) args.push(...define('EXTRA_UDP_ADDRESS', this.opts.extraUdpAddress));
    if (this.opts.ipv6) args.push(...define('WITH_IPV6'));
    if (this.opts.ringGroupMs !== undefined) args.push(...define('RG_RING_MS', this.opts.ringGroupMs));
    if (this.opts.presence) {
      args.push(...define('WITH_PRESENCE'), ...define('PRESENCE_DB_URL', `"text://${this.presenceDbDir}"`));
      args.push(...define('PRESENCE_SERVER', `"sip:${this.host}:${this.udpPort}"`));
    }
    if (this.opts.auth) {
      args.push(...define('WITH_AUTH'), ...define('DBTEXT_URL', `"text://${DBTEXT_DIR}"`));
      args.push(...define('AUTH_ALGORITHM', `"${this.opts.authAlgorithm ?? 'MD5'}"`));
    }
    return args;
  }

  private get presenceDbDir(): string {
    return join(this.workDir, 'presence-db');
  }

  /** (Re)creates workDir after a stop() removed it: certificates and tls.cfg; the presence tables, empty. */
  private async prepareWorkDir(): Promise<void> {
    await mkdir(this.workDir, { recursive: true });
    if (this.opts.presence) {
      await rm(this.presenceDbDir, { recursive: true, force: true });
      await mkdir(this.presenceDbDir);
      for (const table of PRESENCE_TABLES) await copyFile(join(KAMAILIO_DBTEXT_TABLES, table), join(this.presenceDbDir, table));
    }
    const certFile = join(this.workDir, 'server.pem');
    const keyFile = join(this.workDir, 'server.key');
    await writeFile(this.caFile, this.certificates.caCertPem);
    await writeFile(certFile, this.certificates.serverCertPem);
    await writeFile(keyFile, this.certificates.serverKeyPem, { mode: 0o600 });
    // No client certificates are asked for or checked.
    const tlsConfig = [
      '[server:default]',
      'method = TLSv1.2+',
      'verify_certificate = no',
      'require_certificate = no',
      `private_key = ${keyFile}`,
      `certificate = ${certFile}`,
      '',
      '[client:default]',
      'method = TLSv1.2+',
      'verify_certificate = no',
      'require_certificate = no',
      '',
    ].join('\n');
    await writeFile(join(this.workDir, 'tls.cfg'), tlsConfig);
  }
}

/**
 * A throwaway CA and a server certificate signed by it (EC P-256, valid 2 days), made with
 * the openssl CLI in `dir`; by default for 127.0.0.1 and localhost.
 */
export async function createTestCertificates(dir: string, subjectAltName = 'IP:127.0.0.1,DNS:localhost'): Promise<TestCertificates> {
  const openssl = binaryPath('openssl');
  const file = (name: string): string => join(dir, name);
  const run = async (args: string[]): Promise<void> => {
    try {
      await execFileAsync(openssl, args, { cwd: dir, timeout: 15_000 });
    } catch (err) {
      throw new Error(`openssl ${args.join(' ')} failed:\n${processOutput(err)}`, { cause: err });
    }
  };
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run(['req', '-x509', ...ecKey, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2',
    '-subj', '/CN=LineDesk test CA', '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run(['req', ...ecKey, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=127.0.0.1']);
  await writeFile(
    file('server-ext.cnf'),
    `subjectAltName=${subjectAltName}\nbasicConstraints=CA:FALSE\n` +
      'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  await run(['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'),
    '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-days', '2', '-extfile', file('server-ext.cnf'),
    '-out', file('server.pem')]);
  const [caCertPem, serverCertPem, serverKeyPem] = await Promise.all(
    ['ca.pem', 'server.pem', 'server.key'].map((name) => readFile(file(name), 'utf8')),
  );
  return { caCertPem: caCertPem ?? '', serverCertPem: serverCertPem ?? '', serverKeyPem: serverKeyPem ?? '' };
}

/** Sends an OPTIONS to the UDP listener every 100 ms until a 200 comes back. */
async function waitUntilAnswering(host: string, port: number, group: ProcessGroup): Promise<void> {
  const socket = createSocket('udp4');
  const callId = `ready-${randomBytes(6).toString('hex')}`;
  let answered = false;
  socket.on('message', (msg) => {
    if (msg.toString('latin1').startsWith('SIP/2.0 200') && msg.includes(callId)) answered = true;
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const localPort = socket.address().port;
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (let cseq = 1; !answered; cseq++) {
      if (group.hasExited()) {
        const { code, signal } = await group.exited;
        throw new Error(`kamailio exited during start-up (code ${code}, signal ${signal})`);
      }
      if (Date.now() > deadline) throw new Error(`kamailio did not answer OPTIONS on udp:${host}:${port} within ${READY_TIMEOUT_MS} ms`);
      const options =
        `OPTIONS sip:${host}:${port} SIP/2.0\r\n` +
        `Via: SIP/2.0/UDP 127.0.0.1:${localPort};branch=z9hG4bK${callId}${cseq};rport\r\n` +
        `From: <sip:ready@127.0.0.1>;tag=${callId}\r\n` +
        `To: <sip:${host}:${port}>\r\n` +
        `Call-ID: ${callId}\r\n` +
        `CSeq: ${cseq} OPTIONS\r\n` +
        'Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n';
      socket.send(options, port, host);
      await delay(100);
    }
  } finally {
    socket.close();
  }
}

function readTail(path: string, maxBytes: number): string {
  if (!existsSync(path)) return '';
  const size = statSync(path).size;
  if (size <= maxBytes) return readFileSync(path, 'utf8');
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes);
    const start = size - maxBytes;
    readFileSyncRange(fd, buffer, start);
    return `[... ${start} bytes left out ...]\n${buffer.toString('utf8')}`;
  } finally {
    closeSync(fd);
  }
}

function readFileSyncRange(fd: number, buffer: Buffer, position: number): void {
  let offset = 0;
  while (offset < buffer.length) {
    const read = readSync(fd, buffer, offset, buffer.length - offset, position + offset);
    if (read === 0) break;
    offset += read;
  }
}

/** stdout + stderr of a failed execFile, or the error message. */
function processOutput(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const { stdout, stderr, message } = err as { stdout?: unknown; stderr?: unknown; message?: unknown };
    const parts = [stderr, stdout].filter((p): p is string => typeof p === 'string' && p.trim() !== '');
    if (parts.length > 0) return parts.join('\n');
    if (typeof message === 'string') return message;
  }
  return String(err);
}

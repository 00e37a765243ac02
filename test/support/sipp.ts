import { inspect } from 'node:util';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { constants, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { binaryPath } from './peer-binaries.js';
import { peersDir } from './paths.js';
import { freePort } from './ports.js';
import { spawnGroup, type ProcessGroup } from './process-group.js';

export { peerSkipReason } from './peer-binaries.js';

export interface SippOptions {
  /** File name under test/peers/sipp/ or an absolute path. */
  scenario: string;
  /** "127.0.0.1:5060" */
  target: string;
  /** -s: the user part of the request URI. */
  service?: string;
  /** -i (default 127.0.0.2, the trusted trunk that Kamailio never challenges). */
  localIp?: string;
  /** -p (default: a free port). */
  localPort?: number;
  /** -mp (default: sipp picks a free even port from 6000 up). */
  mediaPort?: number;
  /** -m (default 1). */
  calls?: number;
  /** -r: calls per rate period. */
  rate?: number;
  /** -rp */
  ratePeriodMs?: number;
  /** -l: concurrent calls. */
  limit?: number;
  /** -d: length of every <pause/> without its own duration. */
  durationMs?: number;
  /** -key name value: fills [name] in the scenario. Defaults below fill every key our scenarios use. */
  vars?: Record<string, string>;
  /** -au / -ap: credentials for [authentication] after a 401/407. */
  auth?: { user: string; password: string };
  /** -rtp_echo: echo RTP back to its sender. */
  rtpEcho?: boolean;
  extraArgs?: string[];
  /** Hard limit: sipp stops new calls 1 s before, gets SIGTERM at this point and SIGKILL 2 s later (`timeout -k 2`). */
  timeoutMs: number;
  /** -t (default u1). l1 (TLS) fails with Debian's sip-tester, which is built without OpenSSL. */
  transport?: 'u1' | 'un' | 't1' | 'l1';
}

export interface SippResult {
  /** sipp's exit code: 0 all calls ok, 1 some failed, 97/99 other, -1 fatal, -2 bind error; 124/137 = killed by timeout. */
  exitCode: number;
  successful: number;
  failed: number;
  /** Lines written by <log> actions (-trace_logs). */
  log: string[];
  /** -trace_err content. */
  errors: string;
  stdout: string;
  stderr: string;
}

export interface RunningSipp {
  done: Promise<SippResult>;
  /** Resolves with the first <log> line matching `pattern`; rejects on timeout or when sipp exits first. */
  waitForLog(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** The <log> lines written so far. */
  log(): string[];
  /**
   * Ends sipp at once (SIGTERM to its group, SIGKILL after 2 s). `done` still resolves: the
   * <log> lines and errors are complete, the counters are those of the last 1 s stats dump.
   * (A graceful quit is impossible: sipp 3.6.1 resets its quit flag once -m calls exist.)
   */
  kill: () => void;
  /**
   * Waits for sipp to end its calls itself (each with its BYE), killing it after `withinMs`.
   * Killing it at once leaves the far end's calls up, still sending media into a closed port.
   */
  finish(withinMs: number): Promise<SippResult>;
}

/**
 * Values for every -key our scenarios use, so a test only passes what it changes:
 * sipp refuses to load a scenario with an unknown [keyword].
 */
export const SCENARIO_KEY_DEFAULTS: Readonly<Record<string, string>> = {
  from_user: 'sipp', // caller's user part (From)
  cancel_after: '500', // uac-cancel: ms between 180 and CANCEL
  user: '200', // uas-device: AOR to register
  expires: '300', // uas-device: REGISTER Expires
  ring_ms: '0', // uas-answer-ooc: ms between 180 and the final response
  final_code: '200', // uas-answer-ooc: 200 answers, anything else rejects with that code
  talk_ms: '0', // uas-answer-ooc: >0 hangs up (BYE) after this many ms of talk
  contact_params: '', // uas-device: Contact parameters of the REGISTER, e.g. ";q=0.5"
  refer_to: 'sip:999@127.0.0.1', // uac-refer, uac-refer-ood: the Refer-To URI
  refer_after: '200', // uac-refer: ms between the ACK and the REFER
  hangup_after: '200', // uac-refer: ms between the REFER's outcome and the BYE
  terminate_after: '1000', // uas-dialog-notifier-ooc: ms between the first NOTIFY and the terminating one
};

const SCENARIO_DIR = peersDir('sipp');
const KILL_GRACE_MS = 2_000;

/** Runs sipp and waits for it to exit. */
export async function runSipp(opts: SippOptions): Promise<SippResult> {
  return startSipp(opts).done;
}

/** Starts sipp in the background (devices, UAS); `done` resolves when it exits. */
export function startSipp(opts: SippOptions): RunningSipp {
  // sipp runs in its own temp dir, so its trace files land there; they are read back at exit.
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-sipp-'));
  const files: SippFiles = {
    errors: join(dir, 'errors.log'),
    logs: join(dir, 'logs.log'),
    stats: join(dir, 'stats.csv'),
    stdout: join(dir, 'stdout.txt'),
    stderr: join(dir, 'stderr.txt'),
  };
  let group: ProcessGroup | undefined;
  let killRequested = false;
  let result: SippResult | undefined;
  let startError: Error | undefined;

  const done = (async () => {
    try {
      const args = await sippArgs(opts, files);
      const stdoutFd = openSync(files.stdout, 'w');
      const stderrFd = openSync(files.stderr, 'w');
      try {
        // `timeout` is the backstop should this process die: SIGTERM at timeoutMs, SIGKILL 2 s later.
        group = spawnGroup(
          binaryPath('timeout'),
          ['-k', String(KILL_GRACE_MS / 1000), `${opts.timeoutMs / 1000}s`, binaryPath('sipp'), ...args],
          { cwd: dir, stdio: ['ignore', stdoutFd, stderrFd] },
        );
      } finally {
        closeSync(stdoutFd);
        closeSync(stderrFd);
      }
      if (killRequested) void group.stop(KILL_GRACE_MS);
      const exit = await group.exited;
      result = await collectResult(exit.code, exit.signal, files);
      return result;
    } catch (err) {
      startError = err instanceof Error ? err : new Error(`sipp failed: ${inspect(err)}`);
      throw startError;
    } finally {
      if (process.env.LINEDESK_KEEP_PEERS) process.stderr.write(`LINEDESK_KEEP_PEERS: sipp files kept in ${dir}\n`);
      else await rm(dir, { recursive: true, force: true });
    }
  })();

  done.catch(() => undefined); // rejections reach whoever awaits `done`; nobody else must crash on them

  const waitForLog = async (pattern: RegExp, timeoutMs: number): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (startError !== undefined) throw startError;
      const finished = result;
      const lines = finished?.log ?? readLines(files.logs);
      const hit = lines.find((line) => pattern.test(line));
      if (hit !== undefined) return hit;
      if (finished !== undefined) {
        throw new Error(`sipp exited (code ${finished.exitCode}) before logging ${pattern}\n${finished.errors}\n${finished.stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`sipp logged nothing matching ${pattern} within ${timeoutMs} ms`);
      await delay(50);
    }
  };

  const kill = (): void => {
    killRequested = true;
    void group?.stop(KILL_GRACE_MS);
  };

  return {
    done,
    waitForLog,
    log: () => result?.log ?? readLines(files.logs),
    kill,
    finish: async (withinMs) => {
      const bound = setTimeout(kill, withinMs);
      try {
        return await done;
      } finally {
        clearTimeout(bound);
      }
    },
  };
}

function readLines(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '');
  } catch {
    return [];
  }
}

interface SippFiles {
  errors: string;
  logs: string;
  stats: string;
  stdout: string;
  stderr: string;
}

export function scenarioPath(scenario: string): string {
  return isAbsolute(scenario) ? scenario : join(SCENARIO_DIR, scenario);
}

async function sippArgs(opts: SippOptions, files: SippFiles): Promise<string[]> {
  const scenario = scenarioPath(opts.scenario);
  if (!existsSync(scenario)) throw new Error(`sipp scenario not found: ${scenario}`);
  const localIp = opts.localIp ?? '127.0.0.2';
  const transport = opts.transport ?? 'u1';
  const localPort = opts.localPort ?? (await freePort(transport.startsWith('u') ? 'udp' : 'both', localIp));
  // sipp's own -timeout only stops new calls; it is the polite stop, `timeout` the hard one.
  const softTimeoutSeconds = Math.max(1, Math.floor((opts.timeoutMs - 1_000) / 1_000));
  const args = [
    opts.target,
    '-sf', scenario,
    '-i', localIp,
    '-p', String(localPort),
    // the remote-control socket would otherwise listen on every interface
    '-ci', localIp,
    '-t', transport,
    '-m', String(opts.calls ?? 1),
    '-nostdin',
    '-trace_err', '-error_file', files.errors,
    '-trace_logs', '-log_file', files.logs,
    '-trace_stat', '-stf', files.stats, '-fd', '1',
    '-timeout', `${softTimeoutSeconds}s`,
    // late or repeated messages (a 180 after the 200, a retransmission) must not abort the call
    '-default_behaviors', 'all,-abortunexp',
  ];
  const optional: [string, string | number | undefined][] = [
    ['-s', opts.service],
    ['-mp', opts.mediaPort],
    ['-r', opts.rate],
    ['-rp', opts.ratePeriodMs],
    ['-l', opts.limit],
    ['-d', opts.durationMs],
  ];
  for (const [flag, value] of optional) if (value !== undefined) args.push(flag, String(value));
  for (const [name, value] of Object.entries({ ...SCENARIO_KEY_DEFAULTS, ...opts.vars })) args.push('-key', name, value);
  if (opts.auth) args.push('-au', opts.auth.user, '-ap', opts.auth.password);
  if (opts.rtpEcho) args.push('-rtp_echo');
  args.push(...(opts.extraArgs ?? []));
  return args;
}

async function collectResult(code: number | null, signal: NodeJS.Signals | null, files: SippFiles): Promise<SippResult> {
  const [errors, logs, stats, stdout, stderr] = await Promise.all([
    readIfPresent(files.errors),
    readIfPresent(files.logs),
    readIfPresent(files.stats),
    readIfPresent(files.stdout),
    readIfPresent(files.stderr),
  ]);
  const counts = parseStatsCsv(stats) ?? parseFinalScreen(stdout) ?? { successful: 0, failed: 0 };
  return {
    exitCode: exitCodeOf(code, signal),
    ...counts,
    log: logs.split('\n').filter((line) => line.trim() !== ''),
    errors,
    stdout,
    stderr,
  };
}

/** sipp exits with -1/-2 for fatal/bind errors, which arrive here as 255/254. */
function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code === 255) return -1;
  if (code === 254) return -2;
  if (code !== null) return code;
  return 128 + (signal !== null ? (constants.signals[signal] ?? 0) : 0);
}

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/** The cumulative counters of the last row of the -trace_stat file. */
function parseStatsCsv(csv: string): { successful: number; failed: number } | undefined {
  const lines = csv.split('\n').filter((line) => line.trim() !== '');
  const header = lines[0]?.split(';');
  const last = lines.length > 1 ? lines[lines.length - 1]?.split(';') : undefined;
  if (header === undefined || last === undefined) return undefined;
  const successful = Number(last[header.indexOf('SuccessfulCall(C)')]);
  const failed = Number(last[header.indexOf('FailedCall(C)')]);
  if (!Number.isFinite(successful) || !Number.isFinite(failed)) return undefined;
  return { successful, failed };
}

/** Fallback: the "Successful call" / "Failed call" rows of the last screen sipp printed. */
function parseFinalScreen(stdout: string): { successful: number; failed: number } | undefined {
  const cumulative = (label: string): number | undefined => {
    const rows = [...stdout.matchAll(new RegExp(`${label}\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)`, 'g'))];
    const value = rows[rows.length - 1]?.[1];
    return value === undefined ? undefined : Number(value);
  };
  const successful = cumulative('Successful call');
  const failed = cumulative('Failed call');
  return successful === undefined || failed === undefined ? undefined : { successful, failed };
}

/** One timing line of uac-latency.xml. */
export interface LatencyLine {
  kind: 'T180' | 'T200';
  /** sipp's call number (the start of its Call-ID, "<call number>-<pid>@<ip>"). */
  call: number;
  /** When sipp sent the INVITE: wall clock (gettimeofday), ms since the epoch. */
  sentAtMs: number;
  /** From the INVITE sent to the 180 (T180) or the 200 (T200) received, in ms. */
  latencyMs: number;
}

/**
 * The log lines of uac-latency.xml, "T180 <call> <s0> <u0> <s1> <u1>" and
 * "T200 <call> <s0> <u0> <s2> <u2>" (gettimeofday pairs; sipp prints them as decimals).
 */
export function latencyLines(log: string[]): LatencyLine[] {
  const lines: LatencyLine[] = [];
  for (const line of log) {
    const match = /^(T180|T200)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$/.exec(line.trim());
    if (match === null) continue;
    const [sentS, sentUs, gotS, gotUs] = match.slice(3).map(Number) as [number, number, number, number];
    lines.push({
      kind: match[1] as LatencyLine['kind'],
      call: Number(match[2]),
      sentAtMs: sentS * 1000 + sentUs / 1000,
      latencyMs: (gotS - sentS) * 1000 + (gotUs - sentUs) / 1000,
    });
  }
  return lines;
}

/** Per-call latencies in ms from uac-latency.xml's log: INVITE→180 and INVITE→200. */
export function latencyFromLog(log: string[]): { inv180: number[]; inv200: number[] } {
  const lines = latencyLines(log);
  const of = (kind: LatencyLine['kind']): number[] => lines.filter((l) => l.kind === kind).map((l) => l.latencyMs);
  return { inv180: of('T180'), inv200: of('T200') };
}

export interface DeviceOptions {
  /** Kamailio's UDP (or TCP, with transport t1) address, "127.0.0.1:5060". */
  target: string;
  /** AOR to register, e.g. "200". */
  user: string;
  /** Answers a 401 with user/password (Kamailio started with auth). */
  password?: string;
  /** Stays registered this long, then un-REGISTERs and exits. */
  lifeMs: number;
  /** ms between 180 and the final response (default 0). */
  ringMs?: number;
  /** 200 answers (default); any other code rejects the call with it (486, 603...). */
  finalCode?: number;
  /** >0: the device hangs up this many ms after the ACK; 0 (default) waits for the caller's BYE. */
  talkMs?: number;
  /** REGISTER Expires in seconds (default: life + 5 s, so a killed device's contact soon expires). */
  expiresSeconds?: number;
  transport?: 'u1' | 't1';
  /** The q-value to register the Contact with (ring groups that fork by q). */
  q?: number;
  /** Contact and SDP address (default 127.0.0.1). */
  localIp?: string;
  localPort?: number;
  mediaPort?: number;
  rtpEcho?: boolean;
  /** The out-of-call scenario that answers INVITEs (default uas-answer-ooc.xml). */
  answerScenario?: string;
  /** More -key values for that scenario (e.g. refer_to for uas-refer-ooc.xml). */
  vars?: Record<string, string>;
}

export interface Device {
  readonly user: string;
  /** Resolves once Kamailio answered the REGISTER with 200. */
  readonly registered: Promise<void>;
  readonly done: Promise<SippResult>;
  /** The first <log> line matching `pattern` ("INVITE <call-id> <From>", "ANSWERED <call-id>"...). */
  waitForLog: RunningSipp['waitForLog'];
  /** The <log> lines written so far. */
  log: () => string[];
  kill: () => void;
}

/**
 * A registered phone made of one sipp: uas-device.xml registers (and un-registers at the end),
 * uas-answer-ooc.xml answers every INVITE Kamailio forks to it.
 */
export function startDevice(opts: DeviceOptions): Device {
  const running = startSipp({
    scenario: 'uas-device.xml',
    target: opts.target,
    localIp: opts.localIp ?? '127.0.0.1',
    localPort: opts.localPort,
    mediaPort: opts.mediaPort,
    transport: opts.transport ?? 'u1',
    durationMs: opts.lifeMs,
    timeoutMs: opts.lifeMs + 10_000,
    auth: opts.password === undefined ? undefined : { user: opts.user, password: opts.password },
    rtpEcho: opts.rtpEcho,
    vars: {
      user: opts.user,
      expires: String(opts.expiresSeconds ?? Math.ceil(opts.lifeMs / 1000) + 5),
      ring_ms: String(opts.ringMs ?? 0),
      final_code: String(opts.finalCode ?? 200),
      talk_ms: String(opts.talkMs ?? 0),
      contact_params: opts.q === undefined ? '' : `;q=${opts.q}`,
      ...opts.vars,
    },
    extraArgs: ['-oocsf', scenarioPath(opts.answerScenario ?? 'uas-answer-ooc.xml')],
  });
  const registered = running.waitForLog(/^REGISTERED /, 10_000).then(() => undefined);
  registered.catch(() => undefined); // a test that never awaits it must not see an unhandled rejection
  return {
    user: opts.user,
    registered,
    done: running.done,
    waitForLog: (pattern, timeoutMs) => running.waitForLog(pattern, timeoutMs),
    log: () => running.log(),
    kill: running.kill,
  };
}

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { encodeWav } from '../../src-main/media/audio/wav-file.js';
import { findBinary } from './peer-binaries.js';
import { peersDir, repoRoot } from './paths.js';
import { RATE, sineTone } from './tone.js';

/*
 * The virtual headset for tests: a private PulseAudio (scripts/start-pulse.sh with
 * test/peers/pulse/pa-test.pa) whose null sinks stand in for the headset and the ringer.
 * Tests play to `Test_Headset` and read what was played at `headset.monitor`; they inject
 * into `micfeed` what the app then records from `Test_Headset_Mic`.
 */

const PA_TOOLS = ['pulseaudio', 'pactl', 'parec'];

/** The runner's global media settings for this headset (give the runner PULSE_SERVER too). */
export const VIRTUAL_HEADSET_MEDIA = { audio: 'pulse', headset: 'Test_Headset', microphone: 'Test_Headset_Mic', ringer: 'Test_Ringer' } as const;

/**
 * For `test(..., { skip: pulseSkipReason() })`: undefined when PulseAudio and its tools are
 * installed, otherwise the reason. With LINEDESK_REQUIRE_PEERS=1 (CI) it throws instead.
 */
export function pulseSkipReason(): string | undefined {
  const missing = PA_TOOLS.filter((b) => findBinary(b) === undefined);
  if (missing.length === 0) return undefined;
  const message = `PulseAudio tests need ${missing.join(', ')}; install with: apt-get install pulseaudio pulseaudio-utils`;
  if (process.env.LINEDESK_REQUIRE_PEERS === '1') throw new Error(`${message} (LINEDESK_REQUIRE_PEERS=1)`);
  return message;
}

export interface PulseDaemon {
  /** The PULSE_SERVER value (also set in process.env while the daemon is in use). */
  server: string;
  /** True when this call started the daemon (false: one from PULSE_SERVER was reused). */
  started: boolean;
  stop(): Promise<void>;
}

/**
 * A PulseAudio with the harness loaded: the one in PULSE_SERVER if it answers and has the
 * harness sinks (CI starts one), else a private one started here and stopped by stop().
 */
export async function ensurePulse(): Promise<PulseDaemon> {
  const reason = pulseSkipReason();
  if (reason !== undefined) throw new Error(reason);
  const existing = process.env.PULSE_SERVER;
  if (existing && (await hasHarness(existing))) {
    return { server: existing, started: false, stop: async () => {} };
  }
  const daemon = await startPrivatePulse();
  process.env.PULSE_SERVER = daemon.server;
  return {
    server: daemon.server,
    started: true,
    stop: async () => {
      if (existing === undefined) delete process.env.PULSE_SERVER;
      else process.env.PULSE_SERVER = existing;
      await daemon.stop();
    },
  };
}

/** A daemon of its own (not put in process.env), e.g. to crash it on purpose. */
export interface PrivatePulse {
  server: string;
  /** SIGKILL, as if the sound server crashed. */
  crash(): void;
  /** Starts it again on the same socket (after crash()). */
  restart(): Promise<void>;
  /** Stops it and removes its folder; idempotent. */
  stop(): Promise<void>;
}

export async function startPrivatePulse(): Promise<PrivatePulse> {
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-pulse-'));
  let pid = 0;
  const kill = (): void => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const start = async (): Promise<string> => {
    // If this process is killed before stop(), the daemon exits by itself once idle.
    const output = await run(join(repoRoot(), 'scripts', 'start-pulse.sh'), [dir], 20_000, { PA_EXIT_IDLE_TIME: '60' });
    const server = /^export PULSE_SERVER=(.+)$/m.exec(output)?.[1];
    pid = Number(/^PA_PID=(\d+)$/m.exec(output)?.[1]);
    if (!server || !Number.isInteger(pid)) throw new Error(`start-pulse.sh printed no server/pid:\n${output}`);
    return server;
  };
  let server: string;
  try {
    server = await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  process.on('exit', kill); // a crashed test must not leave the daemon behind
  let stopped = false;
  return {
    server,
    crash: kill,
    restart: async () => {
      await start();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', kill);
      await run(join(repoRoot(), 'scripts', 'stop-pulse.sh'), [String(pid)], 10_000).catch(kill);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function hasHarness(server: string): Promise<boolean> {
  try {
    const sinks = await pactl(['list', 'sinks', 'short'], server);
    return /\bheadset\b/.test(sinks) && /\bmicfeed\b/.test(sinks);
  } catch {
    return false;
  }
}

/** Runs pactl against the daemon in use (process.env.PULSE_SERVER unless given). */
export function pactl(args: string[], server = process.env.PULSE_SERVER): Promise<string> {
  return run('pactl', args, 5000, { PULSE_SERVER: server, LC_ALL: 'C' });
}

function run(command: string, args: string[], timeoutMs: number, env: Record<string, string | undefined> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, env: { ...process.env, ...env }, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

// ---------------------------------------------------------------------------------------
// Recording what a sink played.

/** Audio read from a monitor, with when each sample arrived (performance.now() ms). */
export interface Recording {
  pcm: Int16Array;
  rate: number;
  /** Arrival time of sample i at this process, interpolated within parec's chunks. */
  timeOfSample(index: number): number;
}

export interface RecordingInProgress {
  /** Stops parec and returns what it read. */
  stop(): Promise<Recording>;
}

/**
 * Starts recording `<sink>.monitor` (48 kHz mono s16le). parec's first chunk takes a few tens
 * of ms: let it run ~200 ms before the sound of interest.
 */
export function startRecording(sink: string, maxMs = 30_000): RecordingInProgress {
  const child = spawn('parec', ['-d', `${sink}.monitor`, '--raw', '--format=s16le', `--rate=${RATE}`, '--channels=1', '--latency-msec=10'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Array<{ at: number; start: number; bytes: Buffer }> = [];
  let total = 0;
  let stderr = '';
  child.stdout?.on('data', (bytes: Buffer) => {
    chunks.push({ at: performance.now(), start: total, bytes });
    total += bytes.length;
  });
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const guard = setTimeout(() => child.kill('SIGKILL'), maxMs);
  const exited = exitOf(child);

  return {
    stop: async () => {
      clearTimeout(guard);
      child.kill('SIGTERM');
      await exited;
      if (total === 0 && stderr) throw new Error(`parec ${sink}.monitor: ${stderr}`);
      const bytes = Buffer.concat(chunks.map((c) => c.bytes));
      const pcm = new Int16Array(Math.floor(bytes.length / 2));
      for (let i = 0; i < pcm.length; i++) pcm[i] = bytes.readInt16LE(i * 2);
      return {
        pcm,
        rate: RATE,
        timeOfSample: (index) => {
          const byte = index * 2;
          const chunk = chunks.find((c) => byte >= c.start && byte < c.start + c.bytes.length) ?? chunks[chunks.length - 1];
          if (!chunk) return Number.NaN;
          const samplesAfter = (chunk.start + chunk.bytes.length - byte) / 2;
          return chunk.at - (samplesAfter * 1000) / RATE;
        },
      };
    },
  };
}

/** Records `<sink>.monitor` for `ms` milliseconds. */
export async function recordSink(sink: string, ms: number): Promise<Recording> {
  const recording = startRecording(sink, ms + 5000);
  await delay(ms);
  return recording.stop();
}

// ---------------------------------------------------------------------------------------
// Injecting into the virtual microphone.

/**
 * Plays PCM (48 kHz mono) into `micfeed`; resolves once it has been played. The app hears it
 * at `Test_Headset_Mic`. The PCM is uploaded to the daemon as a sample and played by the
 * daemon itself (paced by the sink's clock): a pacat client, starved of CPU on a busy machine,
 * underran and put 20–50 ms gaps into the signal.
 */
export async function injectMic(pcm: Int16Array, sink = 'micfeed'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'linedesk-inject-'));
  const name = `linedesk-inject-${process.pid}-${++injections}`;
  try {
    const file = join(dir, 'inject.wav');
    writeFileSync(file, encodeWav(pcm, RATE));
    await pactl(['upload-sample', file, name]);
    await pactl(['play-sample', name, sink]);
    await delay((pcm.length * 1000) / RATE + 100);
  } finally {
    await pactl(['remove-sample', name]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}
let injections = 0;

/** Injects a sine tone at a peak level (dBFS) into `micfeed`. */
export function injectTone(hz: number, dbfs: number, ms: number): Promise<void> {
  return injectMic(sineTone(hz, dbfs, ms));
}

// ---------------------------------------------------------------------------------------
// Feeding a playback stream.

export interface TonePlayer {
  /** The pull callback for AudioDevices.openPlayback: one frame per call. */
  pull: () => Int16Array;
  /** performance.now() when the first frame holding the tone was handed over (NaN before). */
  readonly handedOverAt: number;
  /** True once every sample of the tone has been handed over. */
  readonly finished: boolean;
}

/**
 * Plays `leadMs` of silence, then `tone` (at RATE), then silence, frame by frame like the
 * media engine does; remembers when the first tone frame was handed over.
 */
export function tonePlayer(frameSamples: number, tone: Int16Array, leadMs = 300): TonePlayer {
  const leadSamples = Math.round((leadMs * RATE) / 1000 / frameSamples) * frameSamples;
  let position = -leadSamples;
  let handedOverAt = Number.NaN;
  return {
    pull: () => {
      const frame = new Int16Array(frameSamples);
      if (position >= 0 && position < tone.length) frame.set(tone.subarray(position, position + frameSamples));
      if (position === 0) handedOverAt = performance.now();
      position += frameSamples;
      return frame;
    },
    get handedOverAt() {
      return handedOverAt;
    },
    get finished() {
      return position >= tone.length;
    },
  };
}

// ---------------------------------------------------------------------------------------
// Unplugging the headset.

/** The harness's module lines for a sink (from pa-test.pa, the single source of truth). */
function harnessLinesFor(sink: string): { sink: string; loopback: string | undefined; isDefault: boolean } {
  const lines = readFileSync(peersDir('pulse', 'pa-test.pa'), 'utf8').split('\n');
  const sinkLine = lines.find((l) => l.startsWith('load-module module-null-sink ') && l.includes(`sink_name=${sink} `));
  if (!sinkLine) throw new Error(`pa-test.pa has no null sink named ${sink}`);
  return {
    sink: sinkLine,
    loopback: lines.find((l) => l.startsWith('load-module module-loopback ') && l.includes(` sink=${sink} `)),
    isDefault: lines.some((l) => l.trim() === `set-default-sink ${sink}`),
  };
}

/** Unloads a harness null sink, as if the headset were unplugged (its streams get moved). */
export async function unloadSink(sink: string): Promise<void> {
  const modules = await pactl(['list', 'modules', 'short']);
  const line = modules.split('\n').find((l) => l.includes('module-null-sink') && new RegExp(`\\bsink_name=${sink}\\b`).test(l));
  if (!line) throw new Error(`no null sink module named ${sink} is loaded`);
  await pactl(['unload-module', line.split('\t')[0] ?? '']);
}

/** Loads a harness null sink again (with its keep-alive loopback), as pa-test.pa does. */
export async function reloadSink(sink: string): Promise<void> {
  const { sink: sinkLine, loopback, isDefault } = harnessLinesFor(sink);
  const args = (line: string): string[] => line.trim().split(/\s+/);
  await pactl(args(sinkLine));
  if (loopback) await pactl(args(loopback));
  if (isDefault) await pactl(['set-default-sink', sink]);
  // Wait until the new sink has left the 2 s rendering blocks (see pa-test.pa).
  const deadline = performance.now() + 5000;
  while (performance.now() < deadline) {
    const latency = /Latency: (\d+) usec/.exec(sinkSection(await pactl(['list', 'sinks']), sink))?.[1];
    if (latency !== undefined && Number(latency) < 100_000) return;
    await delay(50);
  }
}

function sinkSection(listing: string, sink: string): string {
  return listing.split(/^Sink #/m).find((s) => new RegExp(`^\\s*Name: ${sink}$`, 'm').test(s)) ?? '';
}

/** The child's exit code (127 when it could not be started). */
function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(127));
  });
}

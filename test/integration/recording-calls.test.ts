import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { encodeWav } from '../../src-main/media/audio/wav-file.js';
import { HeadlessRunner } from '../support/headless-runner.js';
import { peerSkipReason, startKamailio, type Kamailio } from '../support/kamailio.js';
import { runnerConfig } from '../support/linedesk-config.js';
import { writeTonePcap } from '../support/pcap-writer.js';
import { freeUdpPortBlock } from '../support/ports.js';
import { goertzel, loudestStretch, readStereoWav } from '../support/recording-files.js';
import { startDevice, startSipp, type Device } from '../support/sipp.js';
import { earlyMediaCallee } from '../support/sipp-pbx-scenarios.js';
import { pcapCallerScenario } from '../support/sipp-pcap-scenario.js';
import { rmsDbfs, sine, toneFrequency } from '../support/tone.js';
import { findBinary } from '../support/peer-binaries.js';

const skip = peerSkipReason('kamailio', 'sipp');

/*
 * Call recording with the real runner: a sipp caller plays 1 kHz from a pcap through
 * Kamailio; the agent's side is a line whose audio is a 400 Hz file (an agent line: the
 * call is offered and accepted, and gets a call record). The recording must hold the
 * caller's tone on the left and the agent's on the right.
 */
describe('call recording (headless runner, Kamailio, sipp)', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  let dir: string;
  let recordings: string;
  let pcap: string;
  let oldRecording: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linedesk-rec-'));
    recordings = join(dir, 'recordings');
    const agentWav = join(dir, 'agent-400.wav');
    writeFileSync(agentWav, encodeWav(sine(400, 8000, 8000, 8000), 8000));
    pcap = join(dir, 'caller-1k.pcap');
    writeTonePcap(pcap, { codec: 'PCMU', seconds: 3, hz: 1000 });
    // A recording from 40 days ago: retention (30 days) deletes it at start.
    mkdirSync(recordings, { mode: 0o755 });
    oldRecording = join(recordings, '20261028-101010_all_old_abcdef.wav');
    writeFileSync(oldRecording, 'x');
    const past = (Date.now() - 40 * 86_400_000) / 1000;
    utimesSync(oldRecording, past, past);
    k = await startKamailio();
    const base = runnerConfig(k, [
      { id: 'all', ext: '291', media: { mode: 'file', file: agentWav } },
      { id: 'od', ext: '292', media: { mode: 'file', file: agentWav } },
    ]) as { lines: Array<Record<string, unknown>> };
    base.lines[1]!.recording = 'on-demand';
    runner = new HeadlessRunner({ ...base, recording: { mode: 'all', dir: recordings, format: 'wav', retentionDays: 30 } });
    await runner.registered(['all', 'od']);
  });
  after(async () => {
    await runner?.stop();
    await k?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function call(service: string, line: string, whileUp?: () => Promise<void>): Promise<string> {
    const mark = runner.events.length;
    const sipp = startSipp({ scenario: pcapCallerScenario([pcap], 3_500), target: `127.0.0.1:${k.udpPort}`, service, mediaPort: await freeUdpPortBlock(4), timeoutMs: 30_000 });
    const offered = await runner.waitForEvent('call.offered', { line }, 10_000, mark);
    runner.send({ cmd: 'accept', line });
    await runner.waitForEvent('call.answered', { call: offered.call }, 10_000, mark);
    await whileUp?.();
    await runner.waitForEvent('call.ended', { call: offered.call }, 20_000, mark);
    const r = await sipp.done;
    assert.equal(r.successful, 1, r.errors);
    return String(offered.call);
  }

  test('recording.mode all: the caller on the left, the agent on the right; the record and history name the file (0600 in a 0700 folder)', async () => {
    const mark = runner.events.length;
    const id = await call('291', 'all');
    const started = await runner.waitForEvent('recording.started', { call: id }, 5_000, mark);
    const stopped = await runner.waitForEvent('recording.stopped', { call: id }, 5_000, mark);
    const file = String(started.file);
    assert.equal(stopped.file, file);
    assert.equal(stopped.error, undefined);
    assert.equal(dirname(file), recordings);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'the recording is owner-only');
    assert.equal(statSync(recordings).mode & 0o777, 0o700, 'the folder is owner-only');

    const wav = readStereoWav(file);
    assert.equal(wav.headerDataBytes, wav.fileDataBytes, 'the header states the size the file holds');
    const seconds = wav.left.length / wav.rate;
    assert.ok(seconds > 2.5 && seconds < 8, `${seconds.toFixed(2)} s recorded`);
    const left = loudestStretch(wav.left, wav.rate, 1000);
    const right = loudestStretch(wav.right, wav.rate, 1000);
    const fl = toneFrequency(left, wav.rate);
    const fr = toneFrequency(right, wav.rate);
    assert.ok(Math.abs(fl - 1000) < 5, `left (caller) at ${fl.toFixed(1)} Hz`);
    assert.ok(Math.abs(fr - 400) < 5, `right (agent) at ${fr.toFixed(1)} Hz`);
    assert.ok(goertzel(left, wav.rate, 1000) > 100 * goertzel(left, wav.rate, 400), 'no agent tone on the caller channel');
    assert.ok(goertzel(right, wav.rate, 400) > 100 * goertzel(right, wav.rate, 1000), 'no caller tone on the agent channel');

    const hmark = runner.events.length;
    runner.send({ cmd: 'history', limit: 5, id: 'h1' });
    const history = await runner.waitForEvent('history', { id: 'h1' }, 5_000, hmark);
    const rec = (history.records as Array<{ call: string; recording?: string }>).find((r) => r.call === id);
    assert.equal(rec?.recording, file, 'history carries the recording');
  });

  test('on-demand: nothing until `record` on; the file holds what came between on and off', async () => {
    const mark = runner.events.length;
    let file = '';
    const id = await call('292', 'od', async () => {
      await delay(600);
      assert.equal(runner.eventsSince(mark, 'recording.started').length, 0, 'no recording before the command');
      runner.send({ cmd: 'record', line: 'od', on: true, id: 'r1' });
      const started = await runner.waitForEvent('recording.started', {}, 5_000, mark);
      file = String(started.file);
      await delay(1_000);
      runner.send({ cmd: 'record', line: 'od', on: false, id: 'r2' });
      await runner.waitForEvent('recording.stopped', { file }, 5_000, mark);
    });
    assert.ok(basename(file).includes('od'), file);
    const wav = readStereoWav(file);
    assert.equal(wav.headerDataBytes, wav.fileDataBytes);
    const seconds = wav.left.length / wav.rate;
    assert.ok(seconds > 0.7 && seconds < 1.6, `${seconds.toFixed(2)} s between on and off`);
    const fr = toneFrequency(loudestStretch(wav.right, wav.rate, 500), wav.rate);
    assert.ok(Math.abs(fr - 400) < 5, `right (agent) at ${fr.toFixed(1)} Hz`);
    const fl = toneFrequency(loudestStretch(wav.left, wav.rate, 500), wav.rate);
    assert.ok(Math.abs(fl - 1000) < 5, `left (caller) at ${fl.toFixed(1)} Hz`);
    assert.equal(runner.eventsSince(mark, 'recording.started').length, 1, `one recording for call ${id}`);
  });

  test('record is refused on a line with no call; recording.get serves only the desk\'s recordings; retention ran at start', async () => {
    const mark = runner.events.length;
    runner.send({ cmd: 'record', line: 'od', on: true, id: 'x1' });
    assert.match(String((await runner.waitForEvent('error', { id: 'x1' }, 5_000, mark)).message), /no active call/);
    for (const [i, file] of ['../config.json', '/etc/passwd', join(dir, 'agent-400.wav'), 'sub/x.wav'].entries()) {
      runner.send({ cmd: 'recording.get', file, id: `g${i}` });
      assert.match(String((await runner.waitForEvent('error', { id: `g${i}` }, 5_000, mark)).message), /not a recording of this desk/, file);
    }
    assert.equal(existsSync(oldRecording), false, 'the 40-day-old recording was deleted (retentionDays 30)');
  });
});

const opusSkip = skip ?? (findBinary('opusdec') ? false : 'opusdec missing (apt-get install opus-tools)');

describe('call recording in Opus, with a consent message (headless runner, Kamailio, sipp)', { skip: opusSkip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linedesk-rec-opus-'));
    const consent = join(dir, 'consent.wav');
    writeFileSync(consent, encodeWav(sine(800, 8000, 8000, 8000), 8000));
    k = await startKamailio();
    runner = new HeadlessRunner({
      ...runnerConfig(k, [{ id: 'echo', ext: '293', autoAnswerMs: 0 }]),
      recording: { mode: 'all', dir: join(dir, 'recs'), format: 'opus', consent },
    });
    await runner.registered(['echo']);
  });
  after(async () => {
    await runner?.stop();
    await k?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('an echo line: the caller hears the consent (800 Hz) first, then its own echo; the Ogg Opus file holds both sides', async () => {
    const pcap = join(dir, 'caller-1k.pcap');
    writeTonePcap(pcap, { codec: 'PCMU', seconds: 3, hz: 1000 });
    const mark = runner.events.length;
    const sipp = startSipp({ scenario: pcapCallerScenario([pcap], 3_500), target: `127.0.0.1:${k.udpPort}`, service: '293', mediaPort: await freeUdpPortBlock(4), timeoutMs: 30_000 });
    const r = await sipp.done;
    assert.equal(r.successful, 1, r.errors);
    const stopped = await runner.waitForEvent('recording.stopped', {}, 10_000, mark);
    const file = String(stopped.file);
    assert.match(file, /\.opus$/);
    const out = join(dir, 'decoded.wav');
    execFileSync(findBinary('opusdec')!, ['--quiet', '--rate', '48000', file, out]);
    const wav = readStereoWav(out);
    const at = (x: Int16Array, from: number, to: number): Int16Array => x.subarray(Math.round(from * 48_000), Math.round(to * 48_000));
    const f = (x: Int16Array): number => toneFrequency(x, 48_000);
    assert.ok(Math.abs(f(at(wav.right, 0.2, 0.8)) - 800) < 5, `our side starts with the consent: ${f(at(wav.right, 0.2, 0.8)).toFixed(1)} Hz`);
    assert.ok(Math.abs(f(at(wav.left, 0.2, 0.8)) - 1000) < 5, `the caller meanwhile: ${f(at(wav.left, 0.2, 0.8)).toFixed(1)} Hz`);
    assert.ok(Math.abs(f(at(wav.right, 1.5, 2.5)) - 1000) < 5, `then the echo of the caller: ${f(at(wav.right, 1.5, 2.5)).toFixed(1)} Hz`);
  });
});

describe('call recording of an outbound call with early media: the consent waits for the answer', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let runner: HeadlessRunner;
  let dir: string;
  let device: Device | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linedesk-rec-out-'));
    const consent = join(dir, 'consent.wav');
    writeFileSync(consent, encodeWav(sine(800, 8000, 8000, 8000), 8000));
    const agentWav = join(dir, 'agent-400.wav');
    writeFileSync(agentWav, encodeWav(sine(400, 8000, 8000, 8000), 8000));
    k = await startKamailio();
    runner = new HeadlessRunner({
      ...runnerConfig(k, [{ id: 'out', ext: '295', media: { mode: 'file', file: agentWav } }], { media: { codecs: ['PCMU'] } }),
      recording: { mode: 'all', dir: join(dir, 'recs'), consent },
    });
    await runner.registered(['out']);
  });
  after(async () => {
    device?.kill();
    await device?.done.catch(() => undefined);
    await runner?.stop();
    await k?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('183 with early media, 200 two seconds later: silence on our side before the answer (nothing is sent), the 800 Hz consent after it, then ours (400 Hz)', async () => {
    const pcap = join(dir, 'ringback.pcap');
    writeTonePcap(pcap, { codec: 'PCMU', seconds: 2, hz: 1000 });
    device = startDevice({ target: `127.0.0.1:${k.udpPort}`, user: '296', lifeMs: 40_000, answerScenario: earlyMediaCallee(pcap, 2_000), mediaPort: await freeUdpPortBlock(4) });
    await device.registered;
    const mark = runner.events.length;
    runner.send({ cmd: 'dial', line: 'out', target: '296' });
    const started = await runner.waitForEvent('recording.started', {}, 10_000, mark);
    const answered = await runner.waitForEvent('call.answered', { line: 'out' }, 10_000, mark);
    await delay(2_500);
    runner.send({ cmd: 'hangup', line: 'out' });
    const stopped = await runner.waitForEvent('recording.stopped', {}, 10_000, mark);
    const wav = readStereoWav(String(stopped.file));
    const answerAt = (Number(answered.ts) - Number(started.ts)) / 1000;
    assert.ok(answerAt > 1.5, `answered ${answerAt.toFixed(2)} s into the recording`);
    const f = (from: number, to: number): number => toneFrequency(wav.right.subarray(Math.round(from * wav.rate), Math.round(to * wav.rate)), wav.rate);
    const before = rmsDbfs(wav.right.subarray(Math.round(0.3 * wav.rate), Math.round((answerAt - 0.3) * wav.rate)));
    assert.ok(before < -60, `before the answer our side is silent (${before.toFixed(1)} dBFS)`);
    assert.ok(Math.abs(f(answerAt + 0.2, answerAt + 0.8) - 800) < 5, `after the answer, the consent: ${f(answerAt + 0.2, answerAt + 0.8).toFixed(1)} Hz`);
    assert.ok(Math.abs(f(answerAt + 1.3, answerAt + 2.2) - 400) < 5, `then ours: ${f(answerAt + 1.3, answerAt + 2.2).toFixed(1)} Hz`);
    const early = wav.left.subarray(Math.round(0.3 * wav.rate), Math.round((answerAt - 0.3) * wav.rate));
    assert.ok(Math.abs(toneFrequency(early, wav.rate) - 1000) < 5, 'the early media (ringback) on the far end\'s channel');
  });
});

describe('call recording when LineDesk stops mid-call', { skip, timeout: 120_000 }, () => {
  let k: Kamailio;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'linedesk-rec-stop-'));
    k = await startKamailio();
  });
  after(async () => {
    await k?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a stop (SIGTERM) hangs up, and the recording is closed with the right sizes; a kill (SIGKILL) leaves one the next start repairs', async () => {
    const pcap = join(dir, 'caller.pcap');
    writeTonePcap(pcap, { codec: 'PCMU', seconds: 8, hz: 1000 });
    const config = { ...runnerConfig(k, [{ id: 'echo', ext: '297', autoAnswerMs: 0 }]), recording: { mode: 'all', dir: join(dir, 'recs') } };
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const runner = new HeadlessRunner(config);
      try {
        await runner.registered(['echo']);
        const sipp = startSipp({ scenario: pcapCallerScenario([pcap], 8_500), target: `127.0.0.1:${k.udpPort}`, service: '297', mediaPort: await freeUdpPortBlock(4), timeoutMs: 30_000 });
        const started = await runner.waitForEvent('recording.started', {}, 10_000);
        await delay(2_000);
        if (signal === 'SIGKILL') runner.child.kill('SIGKILL');
        await runner.stop();
        sipp.kill();
        await sipp.done.catch(() => undefined);
        const file = String(started.file);
        const wav = readStereoWav(file);
        if (signal === 'SIGTERM') {
          assert.equal(wav.headerDataBytes, wav.fileDataBytes, 'closed at the stop');
          assert.ok(runner.events.some((e) => e.event === 'recording.stopped' && e.file === file), 'recording.stopped before the runner exits');
        } else {
          assert.equal(wav.headerDataBytes, 0, 'a killed writer leaves the placeholder size');
          // The next start's sweep repairs it.
          const next = new HeadlessRunner(config);
          try {
            await next.registered(['echo']);
            const repaired = readStereoWav(file);
            assert.equal(repaired.headerDataBytes, repaired.fileDataBytes, 'repaired at the next start');
            assert.ok(repaired.fileDataBytes > 0);
          } finally {
            await next.stop();
          }
        }
      } finally {
        await runner.stop();
      }
    }
  });
});

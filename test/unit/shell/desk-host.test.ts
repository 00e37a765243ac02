import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fakeDesk, MemoryVault, sampleConfig, saveFrom } from './fake-desk.js';

/** The registrar URI a config file on disk holds. */
function registrarIn(file: string): string {
  return (JSON.parse(readFileSync(file, 'utf8')) as { registrar: { uri: string } }).registrar.uri;
}

describe('DeskHost', () => {
  test('a new window gets a snapshot of what happened before it opened', async () => {
    const d = fakeDesk();
    try {
      await d.host.start();
      const hello = d.host.hello('line', 'l1');
      assert.equal(hello.kind, 'line');
      assert.deepEqual(hello.snapshot.map((e) => e.event), ['ready', 'line.state', 'line.state']);
    } finally {
      d.cleanup();
    }
  });

  test('settings: the view never carries passwords, only whether one is saved', async () => {
    const d = fakeDesk();
    try {
      await d.host.start();
      const view = d.host.settings();
      assert.deepEqual(view.lines.map((l) => [l.id, l.hasPassword]), [['l1', true], ['l2', true]]);
      assert.doesNotMatch(JSON.stringify(view), /"one"|"two"|password"/);
    } finally {
      d.cleanup();
    }
  });

  test('a bad registrar URI is refused with an issue on "registrar.uri", and nothing is written', async () => {
    const d = fakeDesk();
    try {
      await d.host.start();
      const before = readFileSync(d.file, 'utf8');
      const save = saveFrom(d.host.settings());
      save.registrar.uri = 'pbx.example.com';
      const r = await d.host.saveSettings(save);
      assert.equal(r.ok, false);
      assert.ok(!r.ok && r.issues?.some((i) => i.path === 'registrar.uri' && /sip: or sips: URI/.test(i.message)), JSON.stringify(r));
      assert.equal(readFileSync(d.file, 'utf8'), before);
      assert.equal(d.cores.length, 1, 'no restart');
    } finally {
      d.cleanup();
    }
  });

  test('a malformed save (wrong types, unknown fields) is refused by shape', async () => {
    const d = fakeDesk();
    try {
      await d.host.start();
      for (const bad of [null, {}, { ...saveFrom(d.host.settings()), extra: 1 }, { ...saveFrom(d.host.settings()), locale: 'xx' }]) {
        const r = await d.host.saveSettings(bad);
        assert.equal(r.ok, false, JSON.stringify(bad));
      }
    } finally {
      d.cleanup();
    }
  });

  test('a good save keeps the fields the form does not edit, and restarts the core', async () => {
    const d = fakeDesk();
    try {
      await d.host.start();
      const save = saveFrom(d.host.settings());
      save.registrar.uri = 'sip:127.0.0.1:5070';
      save.dispatch.strategy = 'linear';
      save.lines[1]!.password = 'new-two';
      const r = await d.host.saveSettings(save);
      assert.deepEqual(r, { ok: true, value: { applied: 'now' } });
      const written = JSON.parse(readFileSync(d.file, 'utf8')) as { registrar: { uri: string }; timers: { heartbeatMs: number }; lines: { maxCalls?: number; password: string }[] };
      assert.equal(written.registrar.uri, 'sip:127.0.0.1:5070');
      assert.equal(written.timers.heartbeatMs, 5000);
      assert.equal(written.lines[1]?.maxCalls, 2);
      assert.deepEqual(written.lines.map((l) => l.password), ['', 'new-two'], 'browser mode keeps passwords in its own file; the new registrar cleared the one not typed again');
      assert.equal(d.cores.length, 2);
      assert.equal(d.cores[0]!.stopped, true);
      assert.equal(d.cores[1]!.config.dispatch.strategy, 'linear');
    } finally {
      d.cleanup();
    }
  });

  test('with a vault, passwords leave the config file for the vault', async () => {
    const vault = new MemoryVault();
    const d = fakeDesk({ vault });
    try {
      await d.host.start();
      const save = saveFrom(d.host.settings());
      save.lines[0]!.password = 's3cret';
      assert.equal((await d.host.saveSettings(save)).ok, true);
      const text = readFileSync(d.file, 'utf8');
      assert.doesNotMatch(text, /s3cret|"one"|"two"/);
      assert.equal(vault.get('line:l1:password'), 's3cret');
      assert.equal(vault.get('line:l2:password'), 'two', 'a password typed into the file moves into the vault');
      assert.deepEqual(d.cores[1]!.config.lines.map((l) => l.password), ['s3cret', 'two'], 'the core still gets them');
    } finally {
      d.cleanup();
    }
  });

  test('settings saved during a call apply when the last call ends', async () => {
    const d = fakeDesk();
    try {
      await d.host.start();
      d.cores[0]!.emit({ event: 'call.offered', call: 'c1', line: 'l1', from: '1', to: '2', attempt: 1 });
      const r = await d.host.saveSettings(saveFrom(d.host.settings()));
      assert.deepEqual(r, { ok: true, value: { applied: 'after-calls' } });
      assert.equal(d.cores.length, 1);
      d.cores[0]!.emit({ event: 'call.ended', call: 'c1', line: 'l1', reason: 'caller-cancelled', code: 487 });
      await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(d.cores.length, 2);
    } finally {
      d.cleanup();
    }
  });

  test('settings reopened while a save waits for the calls to end show the saved values', async () => {
    const d = fakeDesk();
    try {
      await d.host.start();
      d.cores[0]!.emit({ event: 'call.offered', call: 'c1', line: 'l1', from: '1', to: '2', attempt: 1 });
      const save = saveFrom(d.host.settings());
      save.registrar.uri = 'sip:127.0.0.1:5070';
      save.agent.pauseReasons = ['coffee'];
      assert.deepEqual(await d.host.saveSettings(save), { ok: true, value: { applied: 'after-calls' } });
      const view = d.host.settings();
      assert.equal(view.registrar.uri, 'sip:127.0.0.1:5070');
      assert.deepEqual(view.agent.pauseReasons, ['coffee']);
      // Saving the reopened form again keeps them (it used to write the running values back).
      assert.equal((await d.host.saveSettings(saveFrom(view))).ok, true);
      assert.equal(registrarIn(d.file), 'sip:127.0.0.1:5070');
    } finally {
      d.cleanup();
    }
  });

  test('pause reasons are those of the running core: none before the start, the saved ones after the restart', async () => {
    const d = fakeDesk({ config: { ...sampleConfig, agent: { pauseReasons: ['break', 'lunch'] } } });
    try {
      assert.deepEqual(d.host.pauseReasons(), []);
      const readies: string[][] = [];
      d.host.onEvent((e) => void (e.event === 'ready' ? readies.push(d.host.pauseReasons()) : undefined));
      await d.host.start();
      assert.deepEqual(d.host.hello('dashboard').pauseReasons, ['break', 'lunch']);
      d.cores[0]!.emit({ event: 'call.offered', call: 'c1', line: 'l1', from: '1', to: '2', attempt: 1 });
      const save = saveFrom(d.host.settings());
      save.agent.pauseReasons = ['coffee'];
      assert.deepEqual(await d.host.saveSettings(save), { ok: true, value: { applied: 'after-calls' } });
      assert.deepEqual(d.host.pauseReasons(), ['break', 'lunch'], 'still the running ones until the restart');
      d.cores[0]!.emit({ event: 'call.ended', call: 'c1', line: 'l1', reason: 'caller-cancelled', code: 487 });
      await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(readies, [['break', 'lunch'], ['coffee']], 'each ready comes with the reasons of its core');
      assert.deepEqual(d.host.hello('dashboard').pauseReasons, ['coffee']);
    } finally {
      d.cleanup();
    }
  });

  test('a broken config file still opens settings (starter values), and a valid save starts LineDesk', async () => {
    const d = fakeDesk();
    try {
      writeFileSync(d.file, '{ not json');
      await assert.rejects(d.host.start(), /not valid JSON/);
      const view = d.host.settings();
      assert.equal(view.registrar.uri, 'sip:127.0.0.1:5060');
      const save = saveFrom(view);
      save.registrar.uri = 'sip:127.0.0.1:5080';
      assert.equal((await d.host.saveSettings(save)).ok, true);
      assert.equal(d.cores.length, 1);
      assert.equal(d.cores[0]!.config.registrar.uri, 'sip:127.0.0.1:5080');
      assert.equal(registrarIn(d.file), 'sip:127.0.0.1:5080');
    } finally {
      d.cleanup();
    }
  });

  test('"quit" goes to the shell, other commands to the core', async () => {
    const d = fakeDesk();
    try {
      await d.host.start();
      await d.host.execute({ cmd: 'status' });
      assert.deepEqual(d.cores[0]!.executed, [{ cmd: 'status' }]);
    } finally {
      d.cleanup();
    }
  });
});

import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import type { Command, CommandResult } from '../../../src-main/contract/commands.js';
import { IpcRefused, shellIpcHandlers, type IpcDesk } from '../../../src-main/electron-main/ipc-guard.js';
import { WindowRegistry } from '../../../src-main/electron-main/window-registry.js';

const appUrl = 'linedesk://app/index.html?window=line&line=l1';

describe('IPC validation in the main process', () => {
  let executed: Command[];
  let saved: unknown[];
  let registry: WindowRegistry;
  let handlers: ReturnType<typeof shellIpcHandlers>;

  beforeEach(() => {
    executed = [];
    saved = [];
    const desk: IpcDesk = {
      hello: (kind, line) => ({ kind, ...(line ? { line } : {}), locale: 'en', snapshot: [], pauseReasons: ['break'] }),
      execute: (cmd): Promise<CommandResult> => {
        executed.push(cmd);
        return Promise.resolve({ ok: true });
      },
      settings: () => ({}) as ReturnType<IpcDesk['settings']>,
      saveSettings: (s) => {
        saved.push(s);
        return Promise.resolve({ ok: true });
      },
    };
    registry = new WindowRegistry();
    registry.add(1, { kind: 'line', line: 'l1' });
    registry.add(2, { kind: 'dashboard' });
    registry.add(3, { kind: 'settings' });
    handlers = shellIpcHandlers(registry, desk);
  });

  test('a sender that is not a window of the shell is refused, for every channel', async () => {
    const stranger = { contentsId: 99, frameUrl: appUrl };
    assert.throws(() => handlers.hello(stranger), IpcRefused);
    await assert.rejects(handlers.command(stranger, { cmd: 'status' }), IpcRefused);
    assert.throws(() => handlers.settingsGet(stranger), IpcRefused);
    await assert.rejects(handlers.settingsSave(stranger, {}), IpcRefused);
    assert.equal(executed.length, 0);
  });

  test('a known window whose frame shows another page is refused', async () => {
    for (const frameUrl of ['https://evil.example/', 'file:///tmp/x.html', 'linedesk://app.evil/', '']) {
      await assert.rejects(handlers.command({ contentsId: 1, frameUrl }, { cmd: 'status' }), IpcRefused, frameUrl);
    }
  });

  test('bad command payloads are answered with an error and never reach the core', async () => {
    const sender = { contentsId: 1, frameUrl: appUrl };
    const bad: unknown[] = [
      null,
      'accept',
      { cmd: 'launch-missiles' },
      { cmd: 'accept' },
      { cmd: 'accept', line: 'l1', extra: true },
      { cmd: 'dtmf', line: 'l1', digits: '12; rm -rf /' },
      { cmd: 'dial', line: 'l1', target: 'sip:a b' },
      { cmd: 'accept', line: 'x'.repeat(65) },
      { cmd: 'agent.state', state: 'root' },
    ];
    for (const payload of bad) {
      const r = await handlers.command(sender, payload);
      assert.equal(r.ok, false, JSON.stringify(payload));
    }
    assert.equal(executed.length, 0);
  });

  test('a valid command from any app window is carried out as parsed', async () => {
    const r = await handlers.command({ contentsId: 2, frameUrl: 'linedesk://app/index.html?window=dashboard' }, { cmd: 'accept', line: 'l1' });
    assert.deepEqual(r, { ok: true });
    assert.deepEqual(executed, [{ cmd: 'accept', line: 'l1' }]);
  });

  test('settings are read and saved by the settings window only', async () => {
    assert.throws(() => handlers.settingsGet({ contentsId: 1, frameUrl: appUrl }), /settings window/);
    await assert.rejects(handlers.settingsSave({ contentsId: 2, frameUrl: appUrl }, {}), /settings window/);
    handlers.settingsGet({ contentsId: 3, frameUrl: 'linedesk://app/index.html?window=settings' });
    await handlers.settingsSave({ contentsId: 3, frameUrl: 'linedesk://app/index.html?window=settings' }, { any: 1 });
    assert.equal(saved.length, 1);
  });

  test('the hello names the window the shell created (not what the page claims) and turns on its events', () => {
    assert.deepEqual(registry.listeners(), []);
    const hello = handlers.hello({ contentsId: 1, frameUrl: 'linedesk://app/index.html?window=settings' });
    assert.equal(hello.kind, 'line');
    assert.equal(hello.line, 'l1');
    assert.deepEqual(registry.listeners(), [1]);
  });
});

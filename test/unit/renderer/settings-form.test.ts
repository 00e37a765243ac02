import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { CommandResult } from '../../../src-main/contract/commands.js';
import type { LineDeskApi, SettingsSave, SettingsView } from '../../../src-main/contract/ipc-contract.js';
import { loadRuneModule } from './rune-module.js';

interface LineFormLike {
  id: string;
  username: string;
  password: string;
  hasPassword: boolean;
}
interface SettingsFormLike {
  form: { registrarUri: string; backups: string; lines: LineFormLike[] } | undefined;
  load(): Promise<void>;
  save(): Promise<CommandResult | undefined>;
  passwordWillClear(line: LineFormLike): boolean;
}
let SettingsFormState: new (api: LineDeskApi) => SettingsFormLike;

const view: SettingsView = {
  registrar: { uri: 'sip:pbx-a', backups: ['sip:pbx-b'] },
  transport: [{ protocol: 'udp', bind: '0.0.0.0:0' }],
  lines: [
    { id: 'l1', aor: 'sip:200@pbx', username: '200', hasPassword: true },
    { id: 'l2', aor: 'sip:201@pbx', username: '201', hasPassword: true, ownRegistrar: true },
    { id: 'l3', aor: 'sip:202@pbx', username: '202', hasPassword: false },
  ],
  dispatch: { strategy: 'ringall', offerTimeoutMs: 20_000, queue: { maxLength: 5, maxWaitMs: 60_000, overflowUri: null } },
  agent: { wrapupSeconds: 0, pauseReasons: ['break'] },
  shortcuts: { answer: '', decline: '', hangup: '', mute: '' },
  locale: 'en',
};

function fakeApi() {
  const saves: SettingsSave[] = [];
  const api = {
    getSettings: () => Promise.resolve(structuredClone(view)),
    saveSettings: (s: SettingsSave) => {
      saves.push(s);
      return Promise.resolve<CommandResult>({ ok: true, value: { applied: 'now' } });
    },
  } as unknown as LineDeskApi;
  return { api, saves };
}

describe('the settings window warns before a save clears a stored password', () => {
  before(async () => {
    ({ SettingsFormState } = await loadRuneModule<{ SettingsFormState: typeof SettingsFormState }>('state/settings-form.svelte.ts'));
  });

  test('as loaded, nothing will be cleared', async () => {
    const s = new SettingsFormState(fakeApi().api);
    await s.load();
    assert.deepEqual(s.form!.lines.map((l) => s.passwordWillClear(l)), [false, false, false]);
  });

  test('a new registrar warns for the lines that follow it, not for a line with its own registrar, nor one without a password', async () => {
    const s = new SettingsFormState(fakeApi().api);
    await s.load();
    s.form!.registrarUri = 'sip:elsewhere';
    assert.deepEqual(s.form!.lines.map((l) => s.passwordWillClear(l)), [true, false, false]);
    s.form!.registrarUri = 'sip:pbx-a';
    s.form!.backups = 'sip:pbx-b\nsip:pbx-c';
    assert.equal(s.passwordWillClear(s.form!.lines[0]!), true, 'an added backup');
    s.form!.backups = '';
    assert.equal(s.passwordWillClear(s.form!.lines[0]!), false, 'a removed backup');
  });

  test('a changed username or line id warns; typing a new password lifts the warning', async () => {
    const s = new SettingsFormState(fakeApi().api);
    await s.load();
    const [l1, l2] = s.form!.lines;
    l2!.username = '999';
    assert.equal(s.passwordWillClear(l2!), true, 'its own registrar, but another username');
    l1!.id = 'renamed';
    assert.equal(s.passwordWillClear(l1!), true);
    l1!.password = 'typed';
    assert.equal(s.passwordWillClear(l1!), false);
  });

  test('after the save the form shows which lines lost their password, and warns from the new baseline', async () => {
    const { api } = fakeApi();
    const s = new SettingsFormState(api);
    await s.load();
    s.form!.registrarUri = 'sip:elsewhere';
    s.form!.lines[2]!.password = 'new';
    await s.save();
    assert.deepEqual(s.form!.lines.map((l) => l.hasPassword), [false, true, true]);
    assert.deepEqual(s.form!.lines.map((l) => s.passwordWillClear(l)), [false, false, false], 'nothing more to clear');
    s.form!.lines[2]!.username = '777';
    assert.equal(s.passwordWillClear(s.form!.lines[2]!), true);
  });
});

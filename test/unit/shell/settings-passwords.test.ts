import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { SettingsView } from '../../../src-main/contract/ipc-contract.js';
import { passwordStays } from '../../../src-main/contract/password-binding.js';
import { fakeDesk, MemoryVault, sampleConfig, saveFrom } from './fake-desk.js';

/**
 * Changing where a line registers, or as whom, clears its stored password unless a new one
 * is typed in the same save: a saved password never follows a changed setting to another
 * server or account (issue 12, item 8).
 */

const passwordsIn = (file: string): string[] => (JSON.parse(readFileSync(file, 'utf8')) as { lines: { password: string }[] }).lines.map((l) => l.password);
const hasPasswords = (view: SettingsView): boolean[] => view.lines.map((l) => l.hasPassword);

describe('the rule', () => {
  const was = { username: '200', registrars: ['sip:pbx-a', 'sip:pbx-b'] };
  test('same username and no new registrar: the password stays', () => {
    assert.equal(passwordStays(was, was), true);
    assert.equal(passwordStays(was, { username: '200', registrars: ['sip:pbx-b', 'sip:pbx-a'] }), true, 'reordered');
    assert.equal(passwordStays(was, { username: '200', registrars: ['sip:pbx-a'] }), true, 'a backup dropped');
  });
  test('another username, a changed registrar or an added backup: it goes', () => {
    assert.equal(passwordStays(was, { ...was, username: '201' }), false);
    assert.equal(passwordStays(was, { username: '200', registrars: ['sip:evil', 'sip:pbx-b'] }), false);
    assert.equal(passwordStays(was, { username: '200', registrars: ['sip:pbx-a', 'sip:pbx-b', 'sip:evil'] }), false);
    assert.equal(passwordStays(was, { username: '200', registrars: ['sip:pbx-a;transport=tcp', 'sip:pbx-b'] }), false, 'any change of the URI text counts');
  });
});

describe('a settings save', () => {
  test('a new registrar URI clears the stored passwords of the lines that use it; a line with its own registrar keeps its password', async () => {
    const config = { ...sampleConfig, lines: [sampleConfig.lines[0], { ...sampleConfig.lines[1], registrar: { uri: 'sip:127.0.0.1:5061', backups: [] } }] };
    const d = fakeDesk({ config });
    try {
      await d.host.start();
      const view = d.host.settings();
      assert.deepEqual(view.lines.map((l) => l.ownRegistrar === true), [false, true], 'the window learns which lines have their own registrar');
      const save = saveFrom(view);
      save.registrar.uri = 'sip:pbx.example.net';
      assert.deepEqual(await d.host.saveSettings(save), { ok: true, value: { applied: 'now' } });
      assert.deepEqual(passwordsIn(d.file), ['', 'two']);
      assert.deepEqual(hasPasswords(d.host.settings()), [false, true]);
      assert.deepEqual(d.cores[1]!.config.lines.map((l) => l.password), ['', 'two'], 'the core does not get it either');
    } finally {
      d.cleanup();
    }
  });

  test('a changed username clears that line\'s password only; a password typed in the same save is used', async () => {
    const d = fakeDesk();
    try {
      await d.host.start();
      const save = saveFrom(d.host.settings());
      save.lines[0]!.username = '300';
      assert.equal((await d.host.saveSettings(save)).ok, true);
      assert.deepEqual(passwordsIn(d.file), ['', 'two']);

      const again = saveFrom(d.host.settings());
      again.lines[1]!.username = '301';
      again.lines[1]!.password = 'typed-again';
      assert.equal((await d.host.saveSettings(again)).ok, true);
      assert.deepEqual(passwordsIn(d.file), ['', 'typed-again']);
    } finally {
      d.cleanup();
    }
  });

  test('an added backup registrar clears the passwords; removing one, or saving unchanged, keeps them', async () => {
    const d = fakeDesk({ config: { ...sampleConfig, registrar: { uri: 'sip:127.0.0.1:5060', backups: ['sip:127.0.0.1:5062'] } } });
    try {
      await d.host.start();
      assert.equal((await d.host.saveSettings(saveFrom(d.host.settings()))).ok, true);
      assert.deepEqual(passwordsIn(d.file), ['one', 'two'], 'unchanged');
      const fewer = saveFrom(d.host.settings());
      fewer.registrar.backups = [];
      assert.equal((await d.host.saveSettings(fewer)).ok, true);
      assert.deepEqual(passwordsIn(d.file), ['one', 'two'], 'a backup removed');
      const more = saveFrom(d.host.settings());
      more.registrar.backups = ['sip:192.0.2.7'];
      assert.equal((await d.host.saveSettings(more)).ok, true);
      assert.deepEqual(passwordsIn(d.file), ['', ''], 'a server the passwords were not entered for');
    } finally {
      d.cleanup();
    }
  });

  test('with the safeStorage vault: a cleared password is deleted from the vault, and so is that of a removed line, which a new line of the same id does not inherit', async () => {
    const vault = new MemoryVault();
    const d = fakeDesk({ vault });
    try {
      await d.host.start();
      assert.equal((await d.host.saveSettings(saveFrom(d.host.settings()))).ok, true);
      assert.deepEqual([...vault.entries], [['line:l1:password', 'one'], ['line:l2:password', 'two']]);

      const renamed = saveFrom(d.host.settings());
      renamed.lines[0]!.username = '300';
      assert.equal((await d.host.saveSettings(renamed)).ok, true);
      assert.equal(vault.get('line:l1:password'), undefined, 'deleted, not merely hidden');
      assert.equal(vault.get('line:l2:password'), 'two');
      assert.doesNotMatch(readFileSync(d.file, 'utf8'), /"one"|"two"/);

      const removed = saveFrom(d.host.settings());
      removed.lines = removed.lines.filter((l) => l.id !== 'l2');
      assert.equal((await d.host.saveSettings(removed)).ok, true);
      assert.deepEqual(vault.keys(), [], 'the removed line\'s password is gone too');

      const readded = saveFrom(d.host.settings());
      readded.lines.push({ id: 'l2', aor: 'sip:201@127.0.0.1', username: '201' });
      assert.equal((await d.host.saveSettings(readded)).ok, true);
      assert.deepEqual(hasPasswords(d.host.settings()), [false, false]);
    } finally {
      d.cleanup();
    }
  });
});

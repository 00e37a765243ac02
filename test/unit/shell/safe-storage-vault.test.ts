import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SafeStorageVault, type SafeStorageLike } from '../../../src-main/electron-main/safe-storage-vault.js';

/** Reversible, but never the plain text: enough to see what reaches the disk. */
const fakeSafeStorage = (backend = 'gnome_libsecret', available = true): SafeStorageLike => ({
  isEncryptionAvailable: () => available,
  encryptString: (s) => Buffer.from([...Buffer.from(s)].map((b) => b ^ 0x5a)),
  decryptString: (b) => Buffer.from([...b].map((x) => x ^ 0x5a)).toString(),
  getSelectedStorageBackend: () => backend,
});

describe('SafeStorageVault', () => {
  test('stores passwords encrypted, reads them back, and survives a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-vault-'));
    try {
      const file = join(dir, 'secrets.json');
      const vault = new SafeStorageVault(file, fakeSafeStorage());
      vault.set('line:l1:password', 'hunter2');
      assert.equal(vault.get('line:l1:password'), 'hunter2');
      assert.doesNotMatch(readFileSync(file, 'utf8'), /hunter2/);
      assert.equal(new SafeStorageVault(file, fakeSafeStorage()).get('line:l1:password'), 'hunter2');
      vault.delete('line:l1:password');
      assert.equal(vault.get('line:l1:password'), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refuses to store anything without real encryption (no keyring, or none at all)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-vault-'));
    try {
      for (const storage of [fakeSafeStorage('basic_text'), fakeSafeStorage('gnome_libsecret', false)]) {
        const vault = new SafeStorageVault(join(dir, 'secrets.json'), storage);
        assert.throws(() => vault.set('k', 'hunter2'), /cannot store the password/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

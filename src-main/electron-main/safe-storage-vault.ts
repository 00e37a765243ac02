import { readJsonOr, writeJsonAtomic } from '../common/json-file.js';
import { privateFileMode } from '../common/private-files.js';
import type { SecretVault } from '../desk/config-file-store.js';

/** The part of Electron's safeStorage the vault uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: "basic_text" means no keyring, i.e. a fixed key (no real protection). */
  getSelectedStorageBackend?(): string;
}

/**
 * Line passwords encrypted with the OS keychain (safeStorage: Keychain, DPAPI, libsecret/
 * kwallet), stored as base64 in a JSON file in userData. Nothing is ever written in plain
 * text: without a real keychain `set` throws and the settings window says why.
 */
export class SafeStorageVault implements SecretVault {
  #entries: Record<string, string>;

  constructor(
    private readonly file: string,
    private readonly safeStorage: SafeStorageLike,
  ) {
    this.#entries = readEntries(file);
  }

  /** Why secrets cannot be stored here, or undefined when they can. */
  unavailableReason(): string | undefined {
    if (!this.safeStorage.isEncryptionAvailable()) return 'the operating system offers no encryption for stored passwords';
    if (this.safeStorage.getSelectedStorageBackend?.() === 'basic_text') return 'no keyring (GNOME Keyring or KWallet) is running, so passwords could not be stored securely';
    return undefined;
  }

  get(key: string): string | undefined {
    const stored = this.#entries[key];
    if (stored === undefined) return undefined;
    try {
      return this.safeStorage.decryptString(Buffer.from(stored, 'base64'));
    } catch {
      return undefined;
    }
  }

  set(key: string, value: string): void {
    const reason = this.unavailableReason();
    if (reason) throw new Error(`cannot store the password: ${reason}`);
    this.#entries = { ...this.#entries, [key]: this.safeStorage.encryptString(value).toString('base64') };
    this.#write();
  }

  keys(): string[] {
    return Object.keys(this.#entries);
  }

  delete(key: string): void {
    if (!(key in this.#entries)) return;
    const rest = { ...this.#entries };
    delete rest[key];
    this.#entries = rest;
    this.#write();
  }

  #write(): void {
    writeJsonAtomic(this.file, this.#entries, { mode: privateFileMode });
  }
}

function readEntries(file: string): Record<string, string> {
  const raw = readJsonOr(file, {});
  if (typeof raw !== 'object' || raw === null) return {};
  return Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

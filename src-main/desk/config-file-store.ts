import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeJsonAtomic } from '../common/json-file.js';
import { privateFileMode } from '../common/private-files.js';
import { ConfigError, parseConfig } from '../config/load-config.js';
import type { LineDeskConfig } from '../config/schema.js';

/** Where line passwords live when they must not be written in plain text (the Electron shell's safeStorage). */
export interface SecretVault {
  get(key: string): string | undefined;
  /** Throws when the secret cannot be stored securely. */
  set(key: string, value: string): void;
  delete(key: string): void;
  /** Every key held, for removing the secrets of lines that are gone. */
  keys(): string[];
}

type RawObject = Record<string, unknown>;

/**
 * A LineDesk config file that the settings window edits. With a vault, passwords are kept
 * there and the file holds `"password": ""` (a password typed into the file by hand is
 * still honoured, and moves into the vault at the next save). Without one (browser mode,
 * whose config file is the user's own), passwords stay in the file as they were.
 */
export class ConfigFileStore {
  readonly baseDir: string;

  constructor(
    readonly file: string,
    private readonly vault?: SecretVault,
  ) {
    this.baseDir = dirname(resolve(file));
  }

  /** The file as JSON, without validation. */
  readRaw(): RawObject {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      throw new ConfigError(`cannot read config file ${this.file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`config file ${this.file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`config file ${this.file} must hold a JSON object`);
    return raw as RawObject;
  }

  /** The raw config with every password filled in, and its validated form. */
  load(): { raw: RawObject; config: LineDeskConfig } {
    const raw = this.#withPasswords(this.readRaw());
    return { raw, config: parseConfig(raw) };
  }

  passwordOf(line: string): string | undefined {
    const fromVault = this.vault?.get(vaultKey(line));
    if (fromVault !== undefined) return fromVault;
    const inFile = linesOf(this.readRaw()).find((l) => l.id === line)?.password;
    return typeof inFile === 'string' && inFile !== '' ? inFile : undefined;
  }

  /**
   * Writes a validated raw config (passwords included) atomically; passwords go to the vault
   * when there is one. The vault keeps nothing the config does not: a line saved without a
   * password, or no longer in the config, has its stored one deleted (so a line added later
   * under the same id does not inherit it).
   */
  save(raw: RawObject): void {
    let toWrite = raw;
    const vault = this.vault;
    if (vault) {
      const lines = linesOf(raw);
      const keep = new Set<string>();
      for (const l of lines) {
        if (typeof l.id !== 'string' || typeof l.password !== 'string' || l.password === '') continue;
        vault.set(vaultKey(l.id), l.password);
        keep.add(vaultKey(l.id));
      }
      for (const key of vault.keys()) if (isLineKey(key) && !keep.has(key)) vault.delete(key);
      toWrite = { ...raw, lines: lines.map((l) => ({ ...l, password: '' })) };
    }
    writeJsonAtomic(this.file, toWrite, { mode: privateFileMode });
  }

  #withPasswords(raw: RawObject): RawObject {
    if (!this.vault) return raw;
    const lines = linesOf(raw).map((l) => {
      const stored = typeof l.id === 'string' ? this.vault!.get(vaultKey(l.id)) : undefined;
      return stored !== undefined && (l.password === '' || l.password === undefined) ? { ...l, password: stored } : l;
    });
    return Array.isArray(raw.lines) ? { ...raw, lines } : raw;
  }
}

function vaultKey(line: string): string {
  return `line:${line}:password`;
}

function isLineKey(key: string): boolean {
  return key.startsWith('line:') && key.endsWith(':password');
}

function linesOf(raw: RawObject): RawObject[] {
  return Array.isArray(raw.lines) ? raw.lines.filter((l): l is RawObject => typeof l === 'object' && l !== null) : [];
}

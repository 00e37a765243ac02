import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { PrefsStore } from './desk-host.js';
import { defaultPrefs, prefsFrom, type DeskPrefs } from './settings-schema.js';

/** Prefs (shortcuts, UI language) in a JSON file; a missing or broken file gives the defaults. */
export class JsonPrefsStore implements PrefsStore {
  #cache: DeskPrefs | undefined;

  constructor(private readonly file: string) {}

  read(): DeskPrefs {
    if (this.#cache) return this.#cache;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch {
      raw = undefined;
    }
    this.#cache = prefsFrom(raw);
    return this.#cache;
  }

  write(prefs: DeskPrefs): void {
    this.#cache = prefs;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(prefs, null, 2) + '\n');
    renameSync(tmp, this.file);
  }
}

/** Prefs kept for this run only (browser mode without --prefs). */
export class MemoryPrefsStore implements PrefsStore {
  #prefs: DeskPrefs = defaultPrefs;

  read(): DeskPrefs {
    return this.#prefs;
  }

  write(prefs: DeskPrefs): void {
    this.#prefs = prefs;
  }
}

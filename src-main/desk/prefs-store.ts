import { readJsonOr, writeJsonAtomic } from '../common/json-file.js';
import { privateFileMode } from '../common/private-files.js';
import type { PrefsStore } from './desk-host.js';
import { defaultPrefs, prefsFrom, type DeskPrefs } from './settings-schema.js';

/** Prefs (shortcuts, UI language) in a JSON file; a missing or broken file gives the defaults. */
export class JsonPrefsStore implements PrefsStore {
  #cache: DeskPrefs | undefined;

  constructor(private readonly file: string) {}

  read(): DeskPrefs {
    this.#cache ??= prefsFrom(readJsonOr(this.file, undefined));
    return this.#cache;
  }

  write(prefs: DeskPrefs): void {
    this.#cache = prefs;
    writeJsonAtomic(this.file, prefs, { mode: privateFileMode });
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

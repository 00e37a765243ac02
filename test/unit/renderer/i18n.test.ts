import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { en } from '../../../src-renderer/src/i18n/en.js';
import { zhCN } from '../../../src-renderer/src/i18n/zh-CN.js';

const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

describe('UI strings', () => {
  test('Simplified Chinese has every English key and no other', () => {
    assert.deepEqual(Object.keys(zhCN).sort(), Object.keys(en).sort());
  });

  test('each translation fills the same {placeholders} as the English', () => {
    for (const [key, text] of Object.entries(en)) {
      assert.deepEqual(placeholders(zhCN[key as keyof typeof en]), placeholders(text), key);
    }
  });

  test('nothing is left untranslated (apart from names and symbols)', () => {
    const same = Object.entries(en).filter(([key, text]) => zhCN[key as keyof typeof en] === text && /[a-z]{3}/i.test(text.replace(/\{\w+\}/g, '')));
    assert.deepEqual(same.map(([k]) => k), ['app.name']);
  });
});

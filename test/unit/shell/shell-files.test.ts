import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { rotatingFileSink } from '../../../src-main/electron-main/rotating-log.js';
import { WindowBoundsStore } from '../../../src-main/electron-main/window-bounds.js';

describe('rotating log file', () => {
  test('rotates by size and keeps the newest files only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-log-'));
    try {
      const file = join(dir, 'logs', 'linedesk.log');
      const sink = rotatingFileSink(file, { maxBytes: 100, keep: 2 });
      for (let i = 0; i < 20; i++) sink(`line ${String(i).padStart(2, '0')} ${'x'.repeat(30)}`);
      assert.deepEqual(readdirSync(join(dir, 'logs')).sort(), ['linedesk.log', 'linedesk.log.1', 'linedesk.log.2']);
      assert.match(readFileSync(file, 'utf8'), /line 19/);
      assert.doesNotMatch(readFileSync(`${file}.2`, 'utf8'), /line 00/, 'the oldest were dropped');
      for (const f of readdirSync(join(dir, 'logs'))) assert.ok(readFileSync(join(dir, 'logs', f)).length <= 100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('window positions', () => {
  test('are remembered per window and not reused off-screen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'linedesk-bounds-'));
    try {
      const file = join(dir, 'window-bounds.json');
      const screens = [{ x: 0, y: 0, width: 1920, height: 1080 }];
      const store = new WindowBoundsStore(file);
      store.set('line:l1', { x: 100, y: 100, width: 400, height: 500 });
      store.set('line:l2', { x: 2500, y: 100, width: 400, height: 500 });
      store.flush();
      const again = new WindowBoundsStore(file);
      assert.deepEqual(again.get('line:l1', screens), { x: 100, y: 100, width: 400, height: 500 });
      assert.equal(again.get('line:l2', screens), undefined, 'its monitor is gone');
      assert.deepEqual(again.get('line:l2', [...screens, { x: 1920, y: 0, width: 1920, height: 1080 }])?.x, 2500);
      writeFileSync(file, 'not json');
      assert.equal(new WindowBoundsStore(file).get('line:l1', screens), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

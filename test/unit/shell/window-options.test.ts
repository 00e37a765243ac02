import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { WindowKind } from '../../../src-main/contract/ipc-contract.js';
import { defaultSizes, windowOptions } from '../../../src-main/electron-main/window-options.js';

const kinds: WindowKind[] = ['line', 'dashboard', 'settings'];

describe('window options', () => {
  for (const kind of kinds) {
    test(`a ${kind} window is isolated, sandboxed, without Node, with web security on`, () => {
      const o = windowOptions({ kind, title: 't', preload: '/app/dist/shell/preload.cjs' });
      const w = o.webPreferences!;
      assert.equal(w.contextIsolation, true);
      assert.equal(w.sandbox, true);
      assert.equal(w.nodeIntegration, false);
      assert.equal(w.nodeIntegrationInWorker, false);
      assert.equal(w.nodeIntegrationInSubFrames, false);
      assert.equal(w.webSecurity, true);
      assert.equal(w.allowRunningInsecureContent, false);
      assert.equal(w.webviewTag, false);
      assert.equal(w.experimentalFeatures, false);
      assert.equal(w.navigateOnDragDrop, false);
      assert.equal(w.preload, '/app/dist/shell/preload.cjs');
      assert.equal(o.show, false, 'shown on ready-to-show, never blank');
    });
  }

  test('a saved position is used; without one each kind gets its default size', () => {
    const placed = windowOptions({ kind: 'line', title: 't', preload: 'p', bounds: { x: 10, y: 20, width: 400, height: 500 } });
    assert.deepEqual([placed.x, placed.y, placed.width, placed.height], [10, 20, 400, 500]);
    const fresh = windowOptions({ kind: 'dashboard', title: 't', preload: 'p' });
    assert.equal(fresh.x, undefined);
    assert.equal(fresh.width, defaultSizes.dashboard.width);
  });

  test('a line window behind others keeps its timers running (call timer, title flash)', () => {
    assert.equal(windowOptions({ kind: 'line', title: 't', preload: 'p' }).webPreferences!.backgroundThrottling, false);
  });
});

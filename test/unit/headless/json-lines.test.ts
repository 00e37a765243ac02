import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { jsonLineWriter } from '../../../src-main/headless/json-lines.js';

function sink(): { out: Writable; writes: string[] } {
  const writes: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      writes.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { out, writes };
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('jsonLineWriter', () => {
  test('lines written in one turn of the event loop go out in order, in one write', async () => {
    const { out, writes } = sink();
    const write = jsonLineWriter(out);
    write({ event: 'a' });
    write({ event: 'b', n: 1 });
    assert.deepEqual(writes, [], 'nothing before the end of the turn');
    await turn();
    await turn();
    assert.deepEqual(writes, ['{"event":"a"}\n{"event":"b","n":1}\n']);
    write({ event: 'c' });
    await turn();
    await turn();
    assert.deepEqual(writes.slice(1), ['{"event":"c"}\n']);
  });

  test('flush writes what waits at once (before the process ends)', () => {
    const { out, writes } = sink();
    const write = jsonLineWriter(out);
    write({ event: 'stopped' });
    write.flush();
    assert.deepEqual(writes, ['{"event":"stopped"}\n']);
    write.flush();
    assert.equal(writes.length, 1);
  });

  test('a broken pipe is ignored, never fatal', async () => {
    const out = new Writable({ write: (_c, _e, cb) => cb(new Error('EPIPE')) });
    const write = jsonLineWriter(out);
    write({ event: 'a' });
    await turn();
    await turn();
    write({ event: 'b' });
    write.flush();
    await turn();
  });
});

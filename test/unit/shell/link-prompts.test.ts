import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCommand, type Command } from '../../../src-main/contract/commands.js';
import type { ControlEvent, Stamped } from '../../../src-main/contract/control-events.js';
import { deskModelOf, snapshotOf } from '../../../src-main/contract/desk-model.js';
import { fakeDesk } from './fake-desk.js';

/**
 * sip:/tel: links never dial by themselves (issue 12, item 8): a link becomes a prompt in
 * the windows' model, and only the agent's `link.dial` for that prompt dials, once.
 */

async function started() {
  const d = fakeDesk();
  await d.host.start();
  const events: Stamped<ControlEvent>[] = [];
  d.host.onEvent((e) => events.push(e));
  const dials = (): Command[] => d.cores.flatMap((c) => c.executed).filter((c) => c.cmd === 'dial');
  const linkEvents = () => events.filter((e) => e.event.startsWith('link.')).map(({ ts: _ts, ...e }) => e);
  return { ...d, events, dials, linkEvents };
}

const promptOf = (offer: ReturnType<ReturnType<typeof fakeDesk>['host']['offerLink']>): string => {
  assert.ok(offer.ok, JSON.stringify(offer));
  return offer.prompt;
};

describe('a sip:/tel: link waits for Dial or Cancel', () => {
  test('a link dials nothing: it becomes a prompt that every window, also one opened later, shows with the number', async () => {
    const d = await started();
    try {
      const offer = d.host.offerLink('tel:+44 (20) 7946-0958;phone-context=x');
      assert.deepEqual(offer, { ok: true, prompt: promptOf(offer), target: 'tel:+442079460958' });
      assert.deepEqual(d.dials(), [], 'nothing dialled');
      assert.deepEqual(d.linkEvents(), [{ event: 'link.prompt', prompt: promptOf(offer), target: 'tel:+442079460958' }]);
      assert.equal(d.host.model.linkPrompt?.target, 'tel:+442079460958');
      const later = deskModelOf(d.host.hello('dashboard').snapshot);
      assert.deepEqual(later.linkPrompt, d.host.model.linkPrompt, 'the catch-up snapshot carries the prompt');
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(d.dials(), [], 'still nothing dialled');
    } finally {
      d.cleanup();
    }
  });

  test('Cancel ends the prompt in every window and dials nothing; a Dial afterwards is refused', async () => {
    const d = await started();
    try {
      const prompt = promptOf(d.host.offerLink('sip:200@pbx.example.com'));
      assert.deepEqual(await d.host.execute({ cmd: 'link.cancel', prompt }), { ok: true });
      assert.equal(d.host.model.linkPrompt, undefined);
      assert.deepEqual(d.linkEvents().at(-1), { event: 'link.prompt.ended', prompt, outcome: 'cancelled' });
      const late = await d.host.execute({ cmd: 'link.dial', prompt });
      assert.equal(late.ok, false);
      assert.match(!late.ok ? late.error : '', /no longer waiting/);
      assert.deepEqual(d.dials(), []);
    } finally {
      d.cleanup();
    }
  });

  test('Dial dials the normalised target once from a free line, the focused one if free; a second Dial (double click, another window) is refused', async () => {
    const d = await started();
    try {
      const prompt = promptOf(d.host.offerLink('sip:200@pbx.example.com;transport=tcp?Subject=x', 'l2'));
      const [first, second] = await Promise.all([d.host.execute({ cmd: 'link.dial', prompt }), d.host.execute({ cmd: 'link.dial', prompt })]);
      assert.deepEqual(first, { ok: true, value: { line: 'l2' } });
      assert.equal(second.ok, false);
      assert.deepEqual(d.dials(), [{ cmd: 'dial', line: 'l2', target: 'sip:200@pbx.example.com' }], 'one call, no URI parameters or headers from the link');
      assert.deepEqual(d.linkEvents().at(-1), { event: 'link.prompt.ended', prompt, outcome: 'dialled' });
      assert.equal(d.host.model.linkPrompt, undefined);
    } finally {
      d.cleanup();
    }
  });

  test('a new link replaces the one waiting: only the newest can be dialled', async () => {
    const d = await started();
    try {
      const old = promptOf(d.host.offerLink('tel:111'));
      const fresh = promptOf(d.host.offerLink('tel:222'));
      assert.notEqual(old, fresh);
      assert.equal(d.host.model.linkPrompt?.target, 'tel:222');
      assert.equal((await d.host.execute({ cmd: 'link.dial', prompt: old })).ok, false);
      assert.equal((await d.host.execute({ cmd: 'link.dial', prompt: fresh })).ok, true);
      assert.deepEqual(d.dials().map((c) => (c.cmd === 'dial' ? c.target : '')), ['tel:222']);
    } finally {
      d.cleanup();
    }
  });

  test('with no free line, Dial says so and the prompt stays until a line is free', async () => {
    const d = await started();
    try {
      const core = d.cores[0]!;
      core.emit({ event: 'call.offered', call: 'c1', line: 'l1', from: '1', to: '2', attempt: 1 });
      core.emit({ event: 'call.offered', call: 'c2', line: 'l2', from: '1', to: '2', attempt: 1 });
      const prompt = promptOf(d.host.offerLink('tel:333'));
      const busy = await d.host.execute({ cmd: 'link.dial', prompt });
      assert.match(!busy.ok ? busy.error : '', /no line is free/);
      assert.equal(d.host.model.linkPrompt?.prompt, prompt);
      core.emit({ event: 'call.ended', call: 'c2', line: 'l2', reason: 'caller-cancelled', code: 487 });
      assert.deepEqual(await d.host.execute({ cmd: 'link.dial', prompt }), { ok: true, value: { line: 'l2' } });
    } finally {
      d.cleanup();
    }
  });

  test('a dial the core refuses leaves the prompt waiting', async () => {
    const d = await started();
    try {
      const core = d.cores[0]!;
      core.execute = (cmd) => Promise.resolve(cmd.cmd === 'dial' ? { ok: false, error: 'line l1 is not registered' } : { ok: true });
      const prompt = promptOf(d.host.offerLink('tel:444'));
      assert.deepEqual(await d.host.execute({ cmd: 'link.dial', prompt }), { ok: false, error: 'line l1 is not registered' });
      assert.equal(d.host.model.linkPrompt?.prompt, prompt);
    } finally {
      d.cleanup();
    }
  });

  test('what is not a dialable link is not offered', async () => {
    const d = await started();
    try {
      for (const link of ['https://example.com', 'tel:not-a-number', 'sip:a b@c', 'tel:%E0%A4%A']) {
        assert.equal(d.host.offerLink(link).ok, false, link);
      }
      assert.deepEqual(d.linkEvents(), []);
    } finally {
      d.cleanup();
    }
  });

  test('the answers are ordinary validated commands; the prompt survives a snapshot round trip', () => {
    assert.equal(parseCommand({ cmd: 'link.dial', prompt: 'link-1' }).ok, true);
    assert.equal(parseCommand({ cmd: 'link.dial', prompt: 'link-1', target: 'tel:900' }).ok, false, 'a window cannot change the number');
    assert.equal(parseCommand({ cmd: 'link.cancel', prompt: '' }).ok, false);
    const m = deskModelOf([{ event: 'ready', lines: ['l1'], transports: [], ts: 1 }, { event: 'link.prompt', prompt: 'link-1', target: 'tel:1', ts: 5 }]);
    assert.deepEqual(deskModelOf(snapshotOf(m, 9)).linkPrompt, { prompt: 'link-1', target: 'tel:1', since: 5 });
    const ended = deskModelOf([{ event: 'link.prompt.ended', prompt: 'link-0', outcome: 'cancelled', ts: 6 }], m);
    assert.equal(ended, m, 'the end of another prompt changes nothing');
  });
});

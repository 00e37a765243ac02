import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ControlEvent, Stamped } from '../../../src-main/contract/control-events.js';
import { dialCommandFor, dialLinkFrom, dialTargetOf, LinkQueue } from '../../../src-main/desk/dial-links.js';
import { shortcutCommand } from '../../../src-main/electron-main/shortcut-commands.js';
import { trayColours, trayIconFile, trayStateOf, type TrayState } from '../../../src-main/electron-main/tray-state.js';
import { deskModelOf } from '../../../src-main/contract/desk-model.js';
import { repoRoot } from '../../support/paths.js';

let ts = 0;
const ev = (e: ControlEvent): Stamped<ControlEvent> => ({ ...e, ts: ++ts });
const registered = (...lines: string[]) => [ev({ event: 'ready', lines, transports: [] }), ...lines.map((line) => ev({ event: 'line.state', line, state: 'registered' }))];

describe('sip:, sips: and tel: links', () => {
  test('the link is found among the arguments of a second launch, switches ignored', () => {
    assert.equal(dialLinkFrom(['/opt/LineDesk/linedesk', '--no-sandbox', 'tel:+44 20 7946 0958']), 'tel:+44 20 7946 0958');
    assert.equal(dialLinkFrom(['/opt/LineDesk/linedesk', '--flag=sip:x']), undefined);
  });

  test('targets are normalised and cannot smuggle parameters or headers', () => {
    assert.equal(dialTargetOf('tel:+44 (20) 7946-0958'), 'tel:+442079460958');
    assert.equal(dialTargetOf('tel:%2B4420;phone-context=x'), 'tel:+4420');
    assert.equal(dialTargetOf('sip:200@pbx.example.com;transport=tcp?Subject=x&Call-Info=evil'), 'sip:200@pbx.example.com');
    assert.equal(dialTargetOf('sips:alice@example.com'), 'sips:alice@example.com');
    assert.equal(dialTargetOf('tel:not-a-number'), undefined);
    assert.equal(dialTargetOf('sip:a b@c'), undefined);
    assert.equal(dialTargetOf('https://example.com'), undefined);
  });

  test('a confirmed link dials from a free registered line, the preferred one if free', () => {
    const m = deskModelOf([...registered('l1', 'l2'), ev({ event: 'call.offered', call: 'c', line: 'l1', from: '1', to: '2', attempt: 1 })]);
    assert.deepEqual(dialCommandFor('tel:123', m), { cmd: 'dial', line: 'l2', target: 'tel:123' });
    assert.deepEqual(dialCommandFor('tel:123', deskModelOf(registered('l1', 'l2')), 'l2'), { cmd: 'dial', line: 'l2', target: 'tel:123' });
    assert.equal(dialCommandFor('tel:123', deskModelOf([ev({ event: 'ready', lines: ['l1'], transports: [] })])), undefined, 'no registered line');
  });
});

describe('links that arrive early', () => {
  test('wait, without failing, until the desk is attached and ready; then each is offered once, in order', () => {
    const q = new LinkQueue();
    q.push('tel:1'); // macOS: open-url before the app is ready, before the desk exists
    const dialled: string[] = [];
    let ready = false;
    q.attach({ ready: () => ready, offer: (link) => dialled.push(link) });
    q.push('tel:2');
    assert.deepEqual(dialled, []);
    ready = true;
    q.flush();
    q.push('tel:3');
    q.flush();
    assert.deepEqual(dialled, ['tel:1', 'tel:2', 'tel:3']);
  });
});

describe('global shortcuts', () => {
  const ringing = deskModelOf([
    ...registered('l1', 'l2'),
    ev({ event: 'call.offered', call: 'old', line: 'l2', from: '1', to: '2', attempt: 1 }),
    ev({ event: 'call.offered', call: 'new', line: 'l1', from: '1', to: '2', attempt: 1 }),
  ]);

  test('answer and decline act on the longest-ringing call, or the focused line if it rings', () => {
    assert.deepEqual(shortcutCommand('answer', ringing), { cmd: 'accept', line: 'l2' });
    assert.deepEqual(shortcutCommand('answer', ringing, 'l1'), { cmd: 'accept', line: 'l1' });
    assert.equal(shortcutCommand('decline', ringing)?.cmd, 'decline');
    assert.equal(shortcutCommand('answer', deskModelOf(registered('l1'))), undefined);
  });

  test('hang up and mute act on the one call up, or the focused line when several are', () => {
    const one = deskModelOf([...registered('l1', 'l2'), ev({ event: 'call.offered', call: 'c', line: 'l2', from: '1', to: '2', attempt: 1 }), ev({ event: 'call.answered', call: 'c', line: 'l2' })]);
    assert.deepEqual(shortcutCommand('hangup', one), { cmd: 'hangup', line: 'l2' });
    assert.deepEqual(shortcutCommand('mute', one), { cmd: 'mute', line: 'l2', on: true });
    const two = deskModelOf([...registered('l1', 'l2'), ev({ event: 'call.dialing', call: 'a', line: 'l1', to: '9' }), ev({ event: 'call.dialing', call: 'b', line: 'l2', to: '9' })]);
    assert.equal(shortcutCommand('hangup', two), undefined, 'ambiguous without focus');
    assert.deepEqual(shortcutCommand('hangup', two, 'l1'), { cmd: 'hangup', line: 'l1' });
  });
});

describe('tray', () => {
  test('its colour follows the agent, and a ringing call wins', () => {
    const agent = (state: 'available' | 'paused') => ev({ event: 'agent.state', state, since: 0 });
    assert.equal(trayStateOf(deskModelOf([agent('paused')])), 'paused');
    assert.equal(trayStateOf(deskModelOf([agent('available'), ev({ event: 'call.offered', call: 'c', line: 'l1', from: '1', to: '2', attempt: 1 })])), 'ringing');
    assert.equal(trayStateOf(deskModelOf([])), 'unknown');
  });

  test('there is an icon (and a 2x one) for every state', () => {
    for (const state of Object.keys(trayColours) as TrayState[]) {
      const file = join(repoRoot(), 'assets', 'tray', trayIconFile(state));
      assert.ok(existsSync(file), file);
      assert.ok(existsSync(file.replace('.png', '@2x.png')), file);
    }
  });
});

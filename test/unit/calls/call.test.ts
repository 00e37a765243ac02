import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Call, type CallContext } from '../../../src-main/calls/call.js';
import { newDispatchState } from '../../../src-main/calls/call-dispatch.js';
import { CallRegistry } from '../../../src-main/calls/call-registry.js';
import { CallState } from '../../../src-main/calls/call-state.js';
import { silentLogger } from '../../../src-main/common/logger.js';
import type { ControlEvent } from '../../../src-main/contract/control-events.js';
import type { MediaRequest, MediaSession } from '../../../src-main/media/media-engine.js';
import { FakeClock } from '../../support/fake-clock.js';
import { FakeLeg } from '../../support/fake-leg.js';

/** Media without sockets: records that it was opened and closed. */
class FakeMedia implements MediaSession {
  readonly address = '127.0.0.1';
  readonly rtpPort = 40000;
  readonly codecs = ['PCMU'] as const;
  muted = false;
  negotiated = undefined;
  srtpSuite = undefined;
  readonly encryption = 'off' as const;
  closed = 0;
  constructor(readonly request: MediaRequest) {}
  apply(): void {}
  sendDtmf(): boolean {
    return false;
  }
  setMuted(on: boolean): void {
    this.muted = on;
  }
  close(): void {
    this.closed++;
  }
}

function setup() {
  const clock = new FakeClock();
  const events: ControlEvent[] = [];
  const opened: FakeMedia[] = [];
  let release: (() => void) | undefined;
  const ctx: CallContext = {
    clock,
    log: silentLogger,
    emit: (e) => events.push(e),
    openMedia: (r) =>
      new Promise((resolve) => {
        const m = new FakeMedia(r);
        opened.push(m);
        release = () => resolve(m);
      }),
  };
  const registry = new CallRegistry(clock, 32_000);
  const inbound = (id = 'c1', arrival = 'l1'): { leg: FakeLeg; call: Call } => {
    const leg = new FakeLeg(id, arrival, '600', () => clock.now());
    const claim = registry.claim(id, () => Call.inbound(leg, newDispatchState(['l1', 'l2'], 0), ctx));
    assert.ok(claim.won);
    return { leg, call: claim.call };
  };
  return { clock, events, opened, registry, inbound, ctx, releaseMedia: () => release?.() };
}

describe('Call', () => {
  test('an inbound call moves Arriving → Offered → Answering → Active → Ended and emits answered, then ended with its talk time', async () => {
    const t = setup();
    const { leg, call } = t.inbound();
    const states: string[] = [];
    call.events.on('state', (now) => states.push(now));
    assert.equal(call.state, CallState.Arriving);
    call.ring();
    await call.answer('l2');
    t.clock.advance(5_000);
    leg.remoteBye();
    assert.deepEqual(states, ['offered', 'answering', 'active', 'ended']);
    assert.deepEqual(
      t.events.map((e) => e.event),
      ['call.answered', 'call.ended'],
    );
    const ended = t.events.at(-1) as Extract<ControlEvent, { event: 'call.ended' }>;
    assert.deepEqual([ended.line, ended.reason, ended.talkMs], ['l2', 'remote-hangup', 5_000]);
  });

  test('an illegal move throws and leaves the state as it was', () => {
    const t = setup();
    const { call } = t.inbound();
    assert.throws(() => call.transition(CallState.Active), /Invalid call state transition from arriving to active/);
    assert.equal(call.state, CallState.Arriving);
  });

  test('the call opens its media on the line that answered it, and closes it when it ends', async () => {
    const t = setup();
    const { leg, call } = t.inbound();
    call.ring();
    void call.answer('l2');
    const media = call.openMedia();
    t.releaseMedia();
    await media;
    assert.equal(t.opened.length, 1);
    assert.equal(t.opened[0]!.request.line, 'l2');
    assert.equal(await call.openMedia(), t.opened[0], 'opened once');
    assert.equal(t.opened.length, 1);
    leg.remoteBye();
    assert.equal(t.opened[0]!.closed, 1);
  });

  test('media that arrives after the call ended is closed at once and never attached', async () => {
    const t = setup();
    const { leg, call } = t.inbound();
    call.ring();
    const media = call.openMedia();
    leg.cancel();
    t.releaseMedia();
    await assert.rejects(media, /ended while its media opened/);
    assert.equal(t.opened[0]!.closed, 1);
    assert.equal(call.media, undefined);
  });

  test('hold, DTMF and mute need an active call with a session; the errors say so', async () => {
    const t = setup();
    const { call } = t.inbound();
    await assert.rejects(call.setHold(true), /the call is not active/);
    call.ring();
    await call.answer('l1');
    await assert.rejects(call.setHold(true), /the call has no SIP session/);
    assert.throws(() => call.setMuted(true), /the call has no media/);
  });

  test('a CANCEL with cause=200 ends it as answered elsewhere: call.answered_elsewhere, then call.ended', () => {
    const t = setup();
    const { leg, call } = t.inbound();
    call.dispatch!.lastLine = 'l1';
    call.ring();
    leg.cancel(true);
    assert.deepEqual(
      t.events.map((e) => [e.event, 'line' in e ? e.line : undefined]),
      [
        ['call.answered_elsewhere', 'l1'],
        ['call.ended', 'l1'],
      ],
    );
  });

  test('everything the call started ends with it: its store is disposed after call.ended went out', () => {
    const t = setup();
    const { leg, call } = t.inbound();
    const order: string[] = [];
    call.store.add(() => order.push('store'));
    call.events.on('ending', () => order.push('ending'));
    call.events.on('ended', () => order.push('ended'));
    const bus = t.ctx.emit;
    t.ctx.emit = (e) => {
      order.push(e.event);
      bus(e);
    };
    leg.cancel();
    assert.deepEqual(order, ['ending', 'call.ended', 'ended', 'store']);
    assert.equal(call.store.isDisposed, true);
  });
  test('media that fails for good (its worker died and could not be re-opened) ends the call as failed, with the reason', async () => {
    const t = setup();
    const { leg, call } = t.inbound('m');
    call.ring();
    await call.answer('l1');
    const media = call.openMedia();
    t.releaseMedia();
    await media;
    t.opened[0]!.request.on.failed?.('the media worker died (it threw: boom); an SRTP call cannot be carried over to another worker');
    assert.deepEqual(leg.actions.at(-1), 'BYE');
    const ended = t.events.at(-1) as Extract<ControlEvent, { event: 'call.ended' }>;
    assert.deepEqual([ended.event, ended.reason, ended.line], ['call.ended', 'failed', 'l1']);
    assert.match(ended.detail ?? '', /media worker died/);
    assert.equal(t.opened[0]!.closed, 1, 'its media is closed with it');
  });
});

describe('CallRegistry', () => {
  test('the first claim of a Call-ID wins; later forks learn which line holds it', () => {
    const t = setup();
    const { call } = t.inbound('x');
    call.dispatch!.lastLine = 'l2';
    const second = t.registry.claim('x', () => assert.fail('a second call for one Call-ID'));
    assert.deepEqual(second, { won: false, holder: 'l2' });
    assert.equal(t.registry.get('x'), call);
  });

  test('an ended call keeps refusing late forks for the linger time by Call-ID only, then is forgotten', () => {
    const t = setup();
    const { leg } = t.inbound('x');
    leg.cancel();
    assert.equal(t.registry.get('x'), undefined, 'the call itself is let go at once');
    assert.equal(t.registry.size, 0);
    assert.equal(t.registry.lingering, 1);
    t.clock.advance(31_999);
    assert.equal(t.registry.claim('x', () => assert.fail('claimed inside the linger time')).won, false);
    t.clock.advance(1_002);
    const again = t.registry.claim('x', () => Call.inbound(new FakeLeg('x', 'l1'), newDispatchState(['l1'], 1), t.ctx));
    assert.equal(again.won, true, 'a new call may reuse the Call-ID afterwards');
    assert.equal(t.registry.lingering, 0);
  });

  test('a call the PBX rang out (ring-timeout) may come back by the same Call-ID, with the lines that had it', () => {
    const t = setup();
    const { leg, call } = t.inbound('x');
    call.dispatch!.tried.add('l1');
    leg.ringOut();
    assert.equal(t.registry.lingering, 1);
    let seen: readonly string[] | undefined;
    const again = t.registry.claim('x', (rearrival) => {
      seen = rearrival?.tried;
      return Call.inbound(new FakeLeg('x', 'l2'), newDispatchState(['l1', 'l2'], 2), t.ctx);
    });
    assert.equal(again.won, true);
    assert.deepEqual(seen, ['l1']);
    assert.equal(t.registry.lingering, 0);
  });

  test('by line: a call is listed on the lines it rings on, then only on the one that answered', async () => {
    const t = setup();
    const { leg, call } = t.inbound('x');
    call.attachLine('l1');
    call.attachLine('l2');
    assert.deepEqual([t.registry.onLine('l1'), t.registry.onLine('l2')].map((l) => l.length), [1, 1]);
    call.detachLine('l1');
    call.ring();
    await call.answer('l2');
    assert.deepEqual(t.registry.onLine('l1'), []);
    assert.equal(t.registry.activeOn('l2'), call);
    leg.remoteBye();
    assert.deepEqual(t.registry.onLine('l2'), []);
    assert.equal(t.registry.activeOn('l2'), undefined);
  });
});

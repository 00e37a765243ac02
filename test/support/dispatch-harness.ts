import { Call, type CallContext } from '../../src-main/calls/call.js';
import { CallRegistry } from '../../src-main/calls/call-registry.js';
import { silentLogger } from '../../src-main/common/logger.js';
import type { ControlEvent } from '../../src-main/contract/control-events.js';
import type { DispatchConfig } from '../../src-main/dispatch/dispatch-config.js';
import { Dispatcher, type Refusal } from '../../src-main/dispatch/dispatcher.js';
import type { InboundLegLike } from '../../src-main/calls/leg.js';
import type { StrategyName } from '../../src-main/contract/vocabulary.js';
import { FakeClock } from './fake-clock.js';
import { FakeLeg } from './fake-leg.js';

/** A dispatcher over fake legs and a fake clock, with its call registry and every event emitted. */
export function dispatchHarness(opts: { lines?: number | { id: string; maxCalls?: number; autoAnswerMs?: number }[]; strategy?: StrategyName; offerTimeoutMs?: number; queue?: Partial<DispatchConfig['queue']>; registered?: boolean; random?: () => number; lingerMs?: number; screen?: (leg: InboundLegLike) => Refusal | undefined } = {}) {
  const clock = new FakeClock();
  const events: ControlEvent[] = [];
  const specs: { id: string; maxCalls?: number; autoAnswerMs?: number }[] = typeof opts.lines === 'object' ? opts.lines : Array.from({ length: opts.lines ?? 3 }, (_, i) => ({ id: `l${i + 1}` }));
  const calls = new CallRegistry(clock, opts.lingerMs);
  const ctx: CallContext = {
    clock,
    log: silentLogger,
    emit: (e) => events.push(e),
    openMedia: () => Promise.reject(new Error('no media in dispatcher tests')),
  };
  const d = new Dispatcher({
    config: {
      strategy: opts.strategy ?? 'linear',
      offerTimeoutMs: opts.offerTimeoutMs ?? 15_000,
      queue: { maxLength: 10, maxWaitMs: 60_000, overflowUri: null, ...opts.queue },
    },
    clock,
    log: silentLogger,
    emit: (e) => events.push(e),
    calls,
    createCall: (leg, dispatch) => Call.inbound(leg, dispatch, ctx),
    ...(opts.screen ? { screen: opts.screen } : {}),
    context: { random: opts.random ?? Math.random, cpuLoad: () => 0 },
    lines: specs.map((s) => ({ id: s.id, aor: `sip:${s.id}@pbx`, maxCalls: s.maxCalls ?? 1, ...(s.autoAnswerMs !== undefined ? { autoAnswerMs: s.autoAnswerMs } : {}) })),
  });
  if (opts.registered !== false) for (const s of specs) d.setRegistration(s.id, 'registered');
  let n = 0;
  const leg = (callId = `call-${++n}`, arrivalLine = specs[0]!.id, to = '600'): FakeLeg => new FakeLeg(callId, arrivalLine, to, () => clock.now());
  const named = <K extends ControlEvent['event']>(name: K): Extract<ControlEvent, { event: K }>[] => events.filter((e): e is Extract<ControlEvent, { event: K }> => e.event === name);
  /** "call.offered l2" style summary, to assert sequences compactly. */
  const trace = (): string[] =>
    events.map((e) => {
      const parts: string[] = [e.event];
      if ('call' in e) parts.push(e.call);
      if ('line' in e && e.line) parts.push(e.line);
      if (e.event === 'call.offer.ended' || e.event === 'call.ended' || e.event === 'call.rejected') parts.push(String(e.reason));
      if (e.event === 'call.queued') parts.push(`#${e.position}`);
      return parts.join(' ');
    });
  return { d, calls, clock, events, leg, named, trace };
}

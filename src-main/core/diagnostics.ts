import type { Command } from '../contract/commands.js';
import type { ControlEvent } from '../contract/control-events.js';
import type { CallRegistry } from '../calls/call-registry.js';
import type { SipLine } from '../sip/line/sip-line.js';
import type { SipMux } from '../sip/transport/sip-mux.js';

type Diagnostics = Extract<ControlEvent, { event: 'diagnostics' }>;

/** What sip.js keeps per user agent (read from its internals: diagnostics only, never relied on). */
interface SipJsInternals {
  userAgentCore: { userAgentClients: Map<unknown, unknown>; userAgentServers: Map<unknown, unknown>; dialogs: Map<unknown, unknown> };
  _sessions: Record<string, unknown>;
}

/**
 * Memory and the sizes of everything the core keeps per call or per message, so that a
 * monitor (or a leak test) can see what grows: live and lingering calls, the mux's
 * routing records, the UDP retransmission caches, and sip.js's transactions, dialogs and
 * sessions. With `gc` and Node started with --expose-gc, a full collection runs first.
 */
export function collectDiagnostics(cmd: Extract<Command, { cmd: 'diagnostics' }>, parts: { calls: CallRegistry; mux: SipMux; lines: Iterable<SipLine>; media?: { calls: number } }): Diagnostics {
  const gc = (globalThis as { gc?: () => void }).gc;
  const collected = cmd.gc === true && typeof gc === 'function';
  if (collected) gc();
  const held: Record<string, number> = {
    callsLive: parts.calls.size,
    callsLingering: parts.calls.lingering,
    muxClientBranches: parts.mux.routingRecords.client,
    muxServerFlows: parts.mux.routingRecords.server,
    udpCachedClient: parts.mux.reliability.size.client,
    udpCachedServer: parts.mux.reliability.size.server,
    sipClientTransactions: 0,
    sipServerTransactions: 0,
    sipDialogs: 0,
    sipSessions: 0,
  };
  if (parts.media) held.mediaCalls = parts.media.calls;
  for (const line of parts.lines) {
    const ua = line.ua as unknown as SipJsInternals;
    held.sipClientTransactions! += ua.userAgentCore.userAgentClients.size;
    held.sipServerTransactions! += ua.userAgentCore.userAgentServers.size;
    held.sipDialogs! += ua.userAgentCore.dialogs.size;
    held.sipSessions! += Object.keys(ua._sessions).length;
  }
  const m = process.memoryUsage();
  const e: Diagnostics = {
    event: 'diagnostics',
    collected,
    memory: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers },
    held,
  };
  const mux = parts.mux.stats;
  // What the SIP side turned away (counters since start): strangers, malformed input, what no line takes.
  e.counters = {
    sipDroppedUntrusted: mux.droppedUntrusted,
    sipMalformed: mux.malformed,
    sipAnsweredNoSuchLine: mux.answeredNoSuchLine,
    sipAnsweredBadExtension: mux.answeredBadExtension,
    sipUnanswerable: mux.unanswerable,
  };
  if (cmd.id !== undefined) e.id = cmd.id;
  return e;
}

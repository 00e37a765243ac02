import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { SipMessage } from '../message/sip-message.js';
import { transactionKeys, type TransactionKeys } from '../message/via.js';
import type { Flow } from './flow.js';
import { inviteRingLimitMs, type SipTimerValues } from './sip-timers.js';

/**
 * The RFC 3261 §17 retransmission machinery that sip.js 0.21.2 leaves out, for
 * unreliable flows (UDP). It watches every message going out and coming in on UDP:
 *
 *  - outgoing requests other than ACK are retransmitted: Timer A/B for INVITE (doubling
 *    until the first response; a provisional ends Timer B too, and the transaction then
 *    waits for its final response up to inviteRingLimitMs after the last provisional),
 *    Timer E/F for the rest (doubling to T2, then every T2 after a provisional, until a
 *    final response);
 *  - an outgoing 3xx-6xx to an INVITE is retransmitted (Timer G) until its ACK (Timer H);
 *  - the final response to an incoming non-INVITE request is cached for 64*T1 (Timer J),
 *    so a retransmitted request is answered again and never reaches sip.js twice;
 *  - the ACK sip.js sends for a 3xx-6xx is cached (Timer D), so a retransmitted final
 *    response is acknowledged again and absorbed; duplicate finals to non-INVITE
 *    requests are absorbed for T4 (Timer K).
 *
 * 2xx handling is left to sip.js, which already retransmits 200 OK and re-ACKs.
 */
export interface ReliabilityStats {
  requestRetransmissions: number;
  responseRetransmissions: number;
  duplicateRequestsAbsorbed: number;
  duplicateResponsesAbsorbed: number;
  clientTimeouts: number;
}

interface ClientTx {
  key: string;
  invite: boolean;
  bytes: Buffer;
  flow: Flow;
  interval: number;
  retransmit?: TimerHandle;
  giveUp: TimerHandle;
  /** Set once a final response arrived: retransmissions of it are absorbed, the cached ACK resent. */
  completed: boolean;
  ack?: Buffer;
  linger?: TimerHandle;
}

interface ServerTx {
  key: string;
  response: Buffer;
  flow: Flow;
  /** Timer G (3xx-6xx to INVITE only). */
  retransmit?: TimerHandle;
  interval: number;
  expire: TimerHandle;
}

/** Cached answers to incoming requests held at once (each lives 64*T1). */
const maxServerTransactions = 20_000;

export class UdpReliability {
  readonly stats: ReliabilityStats = {
    requestRetransmissions: 0,
    responseRetransmissions: 0,
    duplicateRequestsAbsorbed: 0,
    duplicateResponsesAbsorbed: 0,
    clientTimeouts: 0,
  };
  #client = new Map<string, ClientTx>();
  #server = new Map<string, ServerTx>();
  #disposed = false;

  constructor(
    private readonly clock: Clock,
    private readonly timers: SipTimerValues,
    private readonly log: Logger,
  ) {}

  /** Outstanding client and server transactions (for tests and leak checks). */
  get size(): { client: number; server: number } {
    return { client: this.#client.size, server: this.#server.size };
  }

  /** Call for every message sent on an unreliable flow, after it was written once (`keys`: when already parsed). */
  outgoing(msg: SipMessage, bytes: Buffer, flow: Flow, keys: TransactionKeys = transactionKeys(msg)): void {
    if (this.#disposed) return;
    const branch = keys.via?.branch;
    const cseq = keys.cseq;
    if (!branch || !cseq) return;
    if (msg.kind === 'request') {
      if (msg.method === 'ACK') {
        // An ACK on an INVITE's branch acknowledges a 3xx-6xx: keep it for Timer D.
        const tx = this.#client.get(clientKey(branch, 'INVITE'));
        if (tx) tx.ack = bytes;
        return;
      }
      this.#startClient(clientKey(branch, msg.method), msg.method === 'INVITE', bytes, flow);
      return;
    }
    const key = serverKey(branch, cseq.method, flow);
    if (cseq.method === 'INVITE') {
      if (msg.status >= 300) this.#startServer(key, bytes, flow, true);
    } else if (msg.status >= 200) {
      this.#startServer(key, bytes, flow, false);
    }
  }

  /**
   * Call for every well-formed message received on an unreliable flow.
   * Returns false when the message was a retransmission this layer answered itself.
   */
  incoming(msg: SipMessage, flow: Flow, keys: TransactionKeys = transactionKeys(msg)): boolean {
    if (this.#disposed) return true;
    const branch = keys.via?.branch;
    const cseq = keys.cseq;
    if (!branch || !cseq) return true;
    if (msg.kind === 'response') return this.#clientResponse(clientKey(branch, cseq.method), msg.status);
    if (msg.method === 'ACK') {
      // The ACK for our 3xx-6xx stops Timer G; sip.js still needs it to confirm its transaction.
      const tx = this.#server.get(serverKey(branch, 'INVITE', flow));
      if (tx?.retransmit) {
        tx.retransmit.cancel();
        delete tx.retransmit;
      }
      return true;
    }
    if (msg.method === 'INVITE') return true; // sip.js re-sends its last response itself
    const tx = this.#server.get(serverKey(branch, msg.method, flow));
    if (!tx) return true;
    this.stats.duplicateRequestsAbsorbed++;
    this.#resend(tx.response, tx.flow, 'response');
    return false;
  }

  dispose(): void {
    this.#disposed = true;
    for (const tx of this.#client.values()) this.#clearClient(tx);
    for (const tx of this.#server.values()) this.#clearServer(tx);
    this.#client.clear();
    this.#server.clear();
  }

  #startClient(key: string, invite: boolean, bytes: Buffer, flow: Flow): void {
    const old = this.#client.get(key);
    if (old) this.#clearClient(old);
    const { t1 } = this.timers;
    const tx: ClientTx = {
      key,
      invite,
      bytes,
      flow,
      interval: t1,
      completed: false,
      giveUp: this.clock.setTimeout(() => {
        // Timer B/F: stop retransmitting; sip.js's own 64*T1 timer reports the 408.
        if (!tx.completed) this.stats.clientTimeouts++;
        this.#forget(tx);
      }, 64 * t1),
    };
    this.#client.set(key, tx);
    this.#armClient(tx);
  }

  #armClient(tx: ClientTx): void {
    tx.retransmit = this.clock.setTimeout(() => {
      this.stats.requestRetransmissions++;
      this.#resend(tx.bytes, tx.flow, 'request');
      tx.interval = tx.invite ? tx.interval * 2 : Math.min(tx.interval * 2, this.timers.t2);
      this.#armClient(tx);
    }, tx.interval);
  }

  #clientResponse(key: string, status: number): boolean {
    const tx = this.#client.get(key);
    if (!tx) return true;
    if (tx.completed) {
      // A retransmitted final response: answer it here (Timer D/K), keep it from sip.js.
      if (tx.invite && status < 300) return true; // 2xx retransmissions are sip.js's business
      this.stats.duplicateResponsesAbsorbed++;
      if (tx.ack && status >= 300) this.#resend(tx.ack, tx.flow, 'request');
      return false;
    }
    if (status < 200) {
      if (tx.invite) {
        tx.retransmit?.cancel(); // Timer A stops at the first response
        delete tx.retransmit;
        // So does Timer B (RFC 3261 §17.1.1.2: it fires only in Calling). A call may ring or
        // queue for long; keep the transaction for its final response (Timer D), with a cap
        // so one that never ends cannot leak. Reaching the cap is not a timeout.
        tx.giveUp.cancel();
        tx.giveUp = this.clock.setTimeout(() => this.#forget(tx), inviteRingLimitMs);
      } else if (tx.retransmit) {
        // Timer E continues at T2 once the request is known to be received.
        tx.retransmit.cancel();
        tx.interval = this.timers.t2;
        this.#armClient(tx);
      }
      return true;
    }
    tx.completed = true;
    tx.retransmit?.cancel();
    delete tx.retransmit;
    tx.giveUp.cancel();
    if (tx.invite && status < 300) {
      // A 2xx ends the INVITE transaction at once; later 2xx go straight to sip.js.
      this.#client.delete(tx.key);
      return true;
    }
    // Timer D (INVITE, 32 s) or Timer K (non-INVITE, T4): absorb retransmitted finals.
    tx.linger = this.clock.setTimeout(() => this.#client.delete(tx.key), tx.invite ? 64 * this.timers.t1 : this.timers.t4);
    return true;
  }

  #startServer(key: string, response: Buffer, flow: Flow, timerG: boolean): void {
    const old = this.#server.get(key);
    if (old) this.#clearServer(old);
    this.#server.delete(key);
    // Keyed by branches from the wire: capped, the oldest going first.
    while (this.#server.size >= maxServerTransactions) {
      const [oldestKey, oldest] = this.#server.entries().next().value ?? [];
      if (oldestKey === undefined || oldest === undefined) break;
      this.#clearServer(oldest);
      this.#server.delete(oldestKey);
    }
    const tx: ServerTx = {
      key,
      response,
      flow,
      interval: this.timers.t1,
      expire: this.clock.setTimeout(() => {
        this.#clearServer(tx);
        this.#server.delete(key);
      }, 64 * this.timers.t1),
    };
    this.#server.set(key, tx);
    if (timerG) this.#armServer(tx);
  }

  #armServer(tx: ServerTx): void {
    tx.retransmit = this.clock.setTimeout(() => {
      this.stats.responseRetransmissions++;
      this.#resend(tx.response, tx.flow, 'response');
      tx.interval = Math.min(tx.interval * 2, this.timers.t2);
      this.#armServer(tx);
    }, tx.interval);
  }

  #forget(tx: ClientTx): void {
    this.#clearClient(tx);
    if (this.#client.get(tx.key) === tx) this.#client.delete(tx.key);
  }

  #clearClient(tx: ClientTx): void {
    tx.retransmit?.cancel();
    tx.giveUp.cancel();
    tx.linger?.cancel();
  }

  #clearServer(tx: ServerTx): void {
    tx.retransmit?.cancel();
    tx.expire.cancel();
  }

  #resend(bytes: Buffer, flow: Flow, what: string): void {
    flow.send(bytes).catch((error: unknown) => this.log.warn(`retransmitting a ${what} failed`, { flow: flow.key, error }));
  }
}

function clientKey(branch: string, method: string): string {
  return `${branch}|${method}`;
}

function serverKey(branch: string, method: string, flow: Flow): string {
  return `${branch}|${method}|${flow.key}`;
}

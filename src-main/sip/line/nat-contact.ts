import { isIP } from 'node:net';
import { header, type SipResponse } from '../message/sip-message.js';
import type { Via } from '../message/via.js';
import type { Peer } from '../transport/flow.js';
import type { LineNat } from './line-settings.js';

/**
 * What a UDP line behind a NAT learns from the answers to its REGISTERs: the address the
 * registrar saw it at (top Via received/rport, RFC 3581). When it differs from the
 * Contact, the Contact takes it, so the registrar's INVITEs come back through the NAT
 * binding. A registrar that supports RFC 5626 outbound (Require: outbound) keeps the
 * flow itself, and the Contact stays as it is.
 */
export class NatContact {
  #public: Peer | undefined;
  #outboundFlow = false;

  constructor(private readonly nat: LineNat | undefined) {}

  /** The address seen by the registrar, once it differed from ours. */
  get publicAddress(): Peer | undefined {
    return this.#public;
  }

  /** True when the registrar keeps our flow (RFC 5626). */
  get outboundFlow(): boolean {
    return this.#outboundFlow;
  }

  /** Where the Contact should point: the public address when one was learned, else our own. */
  contactAddress(local: Peer): Peer {
    return this.#public && !this.#outboundFlow ? this.#public : local;
  }

  /**
   * Reads one REGISTER answer; returns the new Contact address when it must change
   * (`contact` is where the Contact points now).
   */
  observe(res: SipResponse, via: Via | undefined, contact: Peer): Peer | undefined {
    if (!this.nat?.contactFromVia || !via) return undefined;
    if (res.status >= 200 && res.status < 300 && this.nat.outbound) {
      const require = (header(res, 'require') ?? '').toLowerCase().split(',').map((t) => t.trim());
      this.#outboundFlow = require.includes('outbound');
      if (this.#outboundFlow) return undefined;
    }
    const seen = reflexiveAddress(via);
    if (!seen) return undefined;
    if (seen.host === contact.host && seen.port === contact.port) return undefined;
    this.#public = seen;
    return seen;
  }
}

/** RFC 3581: `received` (else the Via host) and `rport` of our own Via as the registrar returned it. */
export function reflexiveAddress(via: Via): Peer | undefined {
  const rport = Number(via.params.get('rport'));
  if (!Number.isInteger(rport) || rport < 1 || rport > 65535) return undefined;
  const host = (via.params.get('received') || via.host).replace(/^\[|\]$/g, '');
  if (isIP(host) === 0) return undefined;
  return { host, port: rport };
}

/** security.digest: which challenges a line answers at all. */
export interface DigestPolicy {
  /** MD5 (default) answers MD5 and SHA-256; SHA-256 refuses MD5 challenges (their hash is cheap to crack). */
  minAlgorithm: 'MD5' | 'SHA-256';
  /** RFC 2069 challenges (no qop: no client nonce, easier to replay and crack) are refused unless this is set. */
  allowNoQop: boolean;
}

export const defaultDigestPolicy: DigestPolicy = { minAlgorithm: 'MD5', allowNoQop: false };

/** What the guard reads of an outgoing request (sip.js's OutgoingRequestMessage has these). */
export interface GuardedRequest {
  method: string;
  ruri: { toString(): string } | string;
  /** Set on in-dialog requests. */
  toTag?: string;
  getHeader?(name: string): string | undefined;
}

export interface ChallengeFacts {
  /** MD5, MD5-sess, SHA-256 or SHA-256-sess. */
  algorithm: string;
  realm: string;
  /** The qop the answer would use; undefined for an RFC 2069 challenge. */
  qop: string | undefined;
}

/**
 * Where one line's password may be used. A 401/407 can come from anyone a request reaches
 * (a far end answering a BYE with its own challenge), and answering it hands that party a
 * hash of the password to crack offline. So a line answers only:
 *  - challenges to its REGISTER (they come from its registrar), whose realms it learns;
 *  - challenges to other requests that go to the registrar or outbound proxy
 *    (`goesToPbx`), for a realm learned on REGISTER;
 * and, either way, only with an algorithm and qop the policy allows.
 */
export class CredentialGuard {
  readonly #realms = new Set<string>();

  constructor(
    private readonly policy: DigestPolicy,
    /** True when the request is sent to the registrar, outbound proxy or another PBX address. */
    private readonly goesToPbx: (request: GuardedRequest) => boolean,
  ) {}

  /** Why this challenge must not be answered; undefined when it may be. */
  refusal(request: GuardedRequest, c: ChallengeFacts): string | undefined {
    if (request.method !== 'REGISTER') {
      if (!this.#realms.has(c.realm)) return `${request.method} challenged for realm "${c.realm}", which the registrar never used: credentials not sent`;
      if (!this.goesToPbx(request)) return `${request.method} challenged by a party that is not the registrar or outbound proxy: credentials not sent`;
    }
    if (this.policy.minAlgorithm === 'SHA-256' && c.algorithm.startsWith('MD5')) return `digest ${c.algorithm} refused (security.digest.minAlgorithm is SHA-256)`;
    if (c.qop === undefined && !this.policy.allowNoQop) return `digest challenge without qop (RFC 2069) refused (security.digest.allowNoQop is off)`;
    return undefined;
  }

  /** A REGISTER challenge was answered: its realm is the registrar's. */
  answered(request: GuardedRequest, c: ChallengeFacts): void {
    if (request.method === 'REGISTER' && this.#realms.size < 16) this.#realms.add(c.realm);
  }
}

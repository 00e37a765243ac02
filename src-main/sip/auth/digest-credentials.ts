import { createHash, randomBytes } from 'node:crypto';
import type { CredentialGuard } from './credential-guard.js';

/**
 * HTTP Digest for SIP (RFC 3261 §22, RFC 8760): MD5 and SHA-256 (and their -sess
 * variants), qop auth / auth-int. A drop-in for sip.js's own DigestAuthentication,
 * which knows only MD5 (sip.js calls `authenticate()` then `toString()`).
 */
export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

export interface DigestChallenge {
  algorithm?: string;
  realm?: string;
  nonce?: string;
  opaque?: string;
  stale?: boolean;
  qop?: string[] | string;
}

interface RequestLike {
  method: string;
  ruri: { toString(): string } | string;
  /** sip.js's OutgoingRequestMessage keeps its body here. */
  body?: { body: string } | undefined;
  /** Set on in-dialog requests. */
  toTag?: string;
  getHeader?(name: string): string | undefined;
}

const supported: Record<string, DigestAlgorithm> = { MD5: 'MD5', 'MD5-SESS': 'MD5-sess', 'SHA-256': 'SHA-256', 'SHA-256-SESS': 'SHA-256-sess' };

export function supportedAlgorithm(name: string | undefined): DigestAlgorithm | undefined {
  return supported[(name ?? 'MD5').toUpperCase()];
}

export class DigestCredentials {
  #nc = 0;
  #header: string | undefined;

  constructor(
    private readonly username: string,
    private readonly password: string,
    private readonly onWarning: (msg: string) => void = () => {},
    private readonly cnonce: () => string = () => randomBytes(12).toString('hex'),
    /** Decides whether a challenge may be answered at all (a line always has one; without it every challenge is). */
    private readonly guard?: CredentialGuard,
  ) {}

  /**
   * Computes credentials for `challenge`; false when it cannot be answered. sip.js passes
   * no `body`: auth-int then hashes the request's own body.
   */
  authenticate(request: RequestLike, challenge: DigestChallenge, body?: string): boolean {
    const algorithm = supportedAlgorithm(challenge.algorithm);
    if (!algorithm) {
      this.onWarning(`digest algorithm ${challenge.algorithm} is not supported`);
      return false;
    }
    const realm = unquote(challenge.realm);
    const nonce = unquote(challenge.nonce);
    if (!realm || !nonce) {
      this.onWarning('digest challenge without realm or nonce');
      return false;
    }
    const qops = (Array.isArray(challenge.qop) ? challenge.qop : challenge.qop ? String(challenge.qop).split(',') : []).map((q) => unquote(q)!.trim().toLowerCase());
    const qop = qops.length === 0 ? undefined : qops.includes('auth') ? 'auth' : qops.includes('auth-int') ? 'auth-int' : null;
    if (qop === null) {
      this.onWarning(`digest qop ${qops.join(',')} is not supported`);
      return false;
    }
    const refused = this.guard?.refusal(request, { algorithm, realm, qop });
    if (refused) {
      this.onWarning(refused);
      return false;
    }
    const h = (s: string): string => createHash(algorithm.startsWith('SHA-256') ? 'sha256' : 'md5').update(s, 'utf8').digest('hex');
    const uri = typeof request.ruri === 'string' ? request.ruri : request.ruri.toString();
    const cnonce = this.cnonce();
    this.#nc = (this.#nc % 0xffffffff) + 1;
    const nc = this.#nc.toString(16).padStart(8, '0');
    let ha1 = h(`${this.username}:${realm}:${this.password}`);
    if (algorithm.endsWith('-sess')) ha1 = h(`${ha1}:${nonce}:${cnonce}`);
    const ha2 = qop === 'auth-int' ? h(`${request.method}:${uri}:${h(body ?? request.body?.body ?? '')}`) : h(`${request.method}:${uri}`);
    const response = qop ? h(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : h(`${ha1}:${nonce}:${ha2}`);
    const parts = [`username="${this.username}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${uri}"`, `response="${response}"`, `algorithm=${algorithm}`];
    const opaque = unquote(challenge.opaque);
    if (opaque) parts.push(`opaque="${opaque}"`);
    if (qop) parts.push(`qop=${qop}`, `cnonce="${cnonce}"`, `nc=${nc}`);
    this.#header = `Digest ${parts.join(', ')}`;
    this.guard?.answered(request, { algorithm, realm, qop });
    return true;
  }

  toString(): string {
    if (!this.#header) throw new Error('no digest response computed yet');
    return this.#header;
  }
}

function unquote(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  return t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

import { parseSipUri, splitHeaderList } from '../sip/message/sip-message.js';
import { bareHost } from '../sip/message/uri-host.js';

/**
 * Which Contact targets of a 3xx answer our call may follow. A redirect is text from the
 * network, and whoever can answer our INVITE (the callee, anything on the path, a forged
 * response on UDP) can send one; followed blindly it could take the agent's call, with the
 * company's caller ID, to a premium-rate number abroad or to a host that records it. So:
 *  - only sip: and sips: URIs (no tel:, http:, ...), and never from sips: down to sip:;
 *  - only hosts of the PBX: the host the call was dialled to, the line's own domain, its
 *    registrars and outbound proxy; a redirect may change the number, not the PBX;
 *  - the URI's headers (`?...`) and `maddr`, `method` parameters are dropped (they could add
 *    headers or pick another destination);
 *  - at most `maxHops` redirects per call, and never a target already tried (no loops);
 *  - Contacts are tried best q first (RFC 3261 §8.1.3.4).
 * The new INVITE goes the line's usual way (its registrar or outbound proxy), and digest
 * credentials are only ever answered to the PBX.
 */
export interface RedirectRules {
  maxHops: number;
  /** Hosts a redirect may point to (any case, IPv6 with or without brackets). */
  pbxHosts: readonly string[];
}

export type RedirectStep = { ok: true; uri: string } | { ok: false; reason: string };

export class RedirectPlan {
  #hops = 0;
  readonly #tried = new Set<string>();
  readonly #queue: string[] = [];
  readonly #hosts: Set<string>;
  readonly #secure: boolean;

  constructor(
    original: string,
    private readonly rules: RedirectRules,
  ) {
    this.#tried.add(canonical(original));
    this.#secure = /^sips:/i.test(original);
    const own = parseSipUri(original)?.host;
    this.#hosts = new Set([...rules.pbxHosts, ...(own ? [own] : [])].map((h) => bareHost(h.toLowerCase())));
  }

  get hops(): number {
    return this.#hops;
  }

  /** The next target after a 3xx with these Contact header values, or why there is none. */
  next(contactHeaders: readonly string[]): RedirectStep {
    if (this.rules.maxHops <= 0) return { ok: false, reason: 'redirects are not followed (redirects.maxHops is 0)' };
    const refused: string[] = [];
    const offered = contactHeaders
      .flatMap(splitHeaderList)
      .map(parseContact)
      .filter((c) => c !== undefined)
      .sort((a, b) => b.q - a.q);
    for (const c of offered) {
      const why = this.#refusal(c.uri);
      if (why) refused.push(`${c.uri}: ${why}`);
      else if (!this.#queue.includes(c.uri)) this.#queue.push(c.uri);
    }
    if (this.#hops >= this.rules.maxHops) return { ok: false, reason: `more than ${this.rules.maxHops} redirects` };
    const uri = this.#queue.shift();
    if (!uri) return { ok: false, reason: refused.length > 0 ? `no target LineDesk may follow (${refused.join('; ')})` : 'the redirect named no target' };
    this.#hops++;
    this.#tried.add(canonical(uri));
    return { ok: true, uri };
  }

  #refusal(uri: string): string | undefined {
    const parts = parseSipUri(uri);
    if (!parts || (parts.scheme !== 'sip' && parts.scheme !== 'sips')) return 'not a sip: or sips: URI';
    if (this.#secure && parts.scheme !== 'sips') return 'would leave sips: for sip:';
    if (!this.#hosts.has(bareHost(parts.host))) return `host ${parts.host} is not the PBX's`;
    if (this.#tried.has(canonical(uri))) return 'already tried';
    return undefined;
  }
}

/** One Contact header value: its URI (cleaned) and q. */
function parseContact(value: string): { uri: string; q: number } | undefined {
  const v = value.trim();
  let uri: string;
  let params: string;
  const lt = v.indexOf('<');
  if (lt >= 0) {
    const gt = v.indexOf('>', lt);
    if (gt < 0) return undefined;
    uri = v.slice(lt + 1, gt);
    params = v.slice(gt + 1);
  } else {
    // Without brackets, parameters after the URI belong to the header (RFC 3261 §20).
    const semi = v.indexOf(';');
    uri = semi >= 0 ? v.slice(0, semi) : v;
    params = semi >= 0 ? v.slice(semi) : '';
  }
  const q = Number(/;\s*q\s*=\s*([\d.]+)/i.exec(params)?.[1] ?? '1');
  return { uri: cleanUri(uri), q: Number.isFinite(q) ? q : 0 };
}

/** Drops the URI's headers and the parameters that could add headers or pick a destination. */
function cleanUri(uri: string): string {
  const withoutHeaders = uri.split('?')[0]!.trim();
  const [base, ...params] = withoutHeaders.split(';');
  const kept = params.filter((p) => !/^\s*(maddr|method)\s*(=|$)/i.test(p));
  return [base, ...kept].join(';');
}

function canonical(uri: string): string {
  const p = parseSipUri(uri);
  return p ? `${p.scheme}:${p.user ?? ''}@${bareHost(p.host)}:${p.port ?? ''}` : uri.toLowerCase();
}

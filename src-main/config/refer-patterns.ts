/**
 * `lines[].allowReferTo`: the targets a service line may call when the far end asks it to
 * (REFER). A pattern is a SIP URI without parameters, `sip:USER@HOST` or `sips:USER@HOST`,
 * optionally with `:PORT`:
 *
 *  - USER is compared exactly (SIP users are case-sensitive), except that `*` matches any
 *    run of characters, none included: `sip:1*@pbx.example.com` allows 1, 100 and 1999,
 *    `sip:*@pbx.example.com` every user of that host. A `*` is always a wildcard.
 *  - HOST is a host name, an IPv4 address or a bracketed IPv6 address, compared without
 *    regard to case; it has no wildcard.
 *  - PORT, when given, must be the target's port; a pattern without one matches only a
 *    target without one (RFC 3261 §19.1.4: `sip:a@h` and `sip:a@h:5060` are different URIs).
 *  - The scheme must be the target's; the target's URI parameters are not compared.
 */

/** Characters a pattern's or a target's user part may hold (RFC 3261 unreserved, plus `+` for E.164; `*` is the wildcard in patterns). */
const USER_CHARS = "A-Za-z0-9+\\-_.!~'()";
const HOST = '(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)';
const PATTERN_SYNTAX = new RegExp(`^(sips?):([${USER_CHARS}*]+)@${HOST}(?::(\\d{1,5}))?$`);
/** A target as LineDesk writes it (calls/refer-target.ts): scheme, user, host, port, then parameters. */
const TARGET_SYNTAX = new RegExp(`^(sips?):([^@;?]+)@${HOST}(?::(\\d{1,5}))?(?:;[^?]*)?$`, 'i');

export interface ReferPattern {
  /** The pattern as written in the config. */
  readonly text: string;
  matches(target: string): boolean;
}

interface UriParts {
  scheme: string;
  user: string;
  host: string;
  port: number | undefined;
}

function partsOf(match: RegExpExecArray): UriParts {
  const [, scheme = '', user = '', host = '', port] = match;
  return { scheme: scheme.toLowerCase(), user, host: host.toLowerCase(), port: port === undefined ? undefined : Number(port) };
}

/** A pattern, or the reason it is not one (the config schema reports it next to the field). */
export function parseReferPattern(text: string): ReferPattern | string {
  const m = PATTERN_SYNTAX.exec(text);
  if (!m) return `"${text}" is not a REFER target pattern: write sip:USER@HOST or sip:USER@HOST:PORT, where USER may use * as a wildcard (e.g. "sip:1*@pbx.example.com")`;
  const p = partsOf(m);
  if (p.port !== undefined && (p.port < 1 || p.port > 65_535)) return `"${text}": the port must be 1-65535`;
  const user = new RegExp(`^${p.user.split('*').map(escapeRegExp).join('.*')}$`, 's');
  return {
    text,
    matches(target: string): boolean {
      const t = TARGET_SYNTAX.exec(target);
      if (!t) return false;
      const q = partsOf(t);
      return q.scheme === p.scheme && q.host === p.host && q.port === p.port && user.test(q.user);
    },
  };
}

/** The targets one service line may be referred to. */
export class ReferAllowList {
  readonly #patterns: ReferPattern[];

  /** Throws on a pattern that is not one (the config schema has refused those already). */
  constructor(patterns: readonly string[] = []) {
    this.#patterns = patterns.map((text) => {
      const p = parseReferPattern(text);
      if (typeof p === 'string') throw new Error(p);
      return p;
    });
  }

  /** The first pattern that allows `target`, if any. */
  match(target: string): ReferPattern | undefined {
    return this.#patterns.find((p) => p.matches(target));
  }

  get size(): number {
    return this.#patterns.length;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

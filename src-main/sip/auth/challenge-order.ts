import { supportedAlgorithm } from './digest-credentials.js';

const strength: Record<string, number> = { 'SHA-256': 4, 'SHA-256-sess': 3, MD5: 2, 'MD5-sess': 1 };

/**
 * sip.js reads only the first WWW-Authenticate / Proxy-Authenticate header of a 401/407
 * (RFC 8760 servers send one per algorithm, often MD5 first). This moves the strongest
 * challenge we can answer to the front of the message; other messages pass unchanged.
 */
export function preferStrongestChallenge(text: string): string {
  if (!/^SIP\/2\.0 40[17] /.test(text)) return text;
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return text;
  const lines = text.slice(0, end).split('\r\n');
  const isChallenge = (l: string): boolean => /^(www-authenticate|proxy-authenticate)\s*:/i.test(l);
  const challenges = lines.filter(isChallenge);
  if (challenges.length < 2) return text;
  const score = (l: string): number => {
    const m = /algorithm\s*=\s*"?([A-Za-z0-9-]+)"?/i.exec(l);
    const alg = supportedAlgorithm(m ? m[1] : 'MD5');
    return alg ? strength[alg]! : 0;
  };
  const best = challenges.reduce((a, b) => (score(b) > score(a) ? b : a));
  if (best === challenges[0]) return text;
  const first = lines.findIndex(isChallenge);
  const rest = lines.filter((l) => l !== best);
  rest.splice(first, 0, best);
  return rest.join('\r\n') + text.slice(end);
}

/**
 * "201" → sip:201@domain (dialling punctuation dropped); "alice@example.com" →
 * sip:alice@example.com; "sip:x@y", "sips:…" unchanged; "tel:+49…" → sip:+49…@domain (user=phone).
 */
export function toUri(target: string, domain: string): string {
  const t = target.trim();
  if (/^sips?:/i.test(t)) return t;
  if (t.includes('@')) return `sip:${t}`; // already user@host: its dots and dashes are the host's
  if (/^tel:/i.test(t)) return `sip:${t.slice(4).replace(/[\s().-]/g, '')}@${domain};user=phone`;
  return `sip:${t.replace(/[\s().-]/g, '')}@${domain}`;
}

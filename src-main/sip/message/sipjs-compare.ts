/**
 * Where two values differ, walking own enumerable properties in order and comparing
 * classes too: what holds a message built by sipjs-incoming.ts to the one sip.js's parser
 * builds from the same text. Undefined when they are the same.
 */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return undefined;
    return `${path}: ${show(a)} vs ${show(b)}`;
  }
  const ca = a.constructor?.name;
  const cb = b.constructor?.name;
  if (ca !== cb) return `${path}: a ${ca} vs a ${cb}`;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.join('\0') !== kb.join('\0')) return `${path}: keys [${ka.join(', ')}] vs [${kb.join(', ')}]`;
  for (const k of ka) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

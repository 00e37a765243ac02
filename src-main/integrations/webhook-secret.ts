import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { WebhookConfig } from '../config/integrations-schema.js';

/** A webhook's signing key: `secret`, or the content of `secretFile` (relative to the config file), read at start. */
export function webhookSecret(w: WebhookConfig, baseDir: string): string {
  if (w.secret !== undefined) return w.secret;
  const file = isAbsolute(w.secretFile!) ? w.secretFile! : resolve(baseDir, w.secretFile!);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`integrations.webhooks (${w.url}): cannot read secretFile ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret.length < 16) throw new Error(`integrations.webhooks (${w.url}): the secret in ${file} must be at least 16 characters`);
  return secret;
}

/** The URL as logs and events show it: no query or fragment (they may carry a token). */
export function displayUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

import { z } from 'zod';
import type { ControlEventName } from '../contract/control-events.js';

/**
 * The events a webhook may subscribe to: what a CRM acts on (calls, lines, the agent, screen
 * pops). Answers to queries (status, stats, history…) go to whoever asked, and `webhook.state`
 * would report a webhook's failures to itself, so neither is offered. `*` means all of these.
 */
export const webhookEvents = [
  'ready',
  'line.state',
  'line.dnd',
  'call.offered',
  'call.offer.ended',
  'call.queued',
  'call.dequeued',
  'call.rejected',
  'call.answered_elsewhere',
  'call.dialing',
  'call.progress',
  'call.redirected',
  'call.answered',
  'call.held',
  'call.muted',
  'call.dtmf',
  'call.quality',
  'call.transfer',
  'call.refer',
  'call.refer.ended',
  'call.ended',
  'agent.state',
  'screenpop',
] as const satisfies readonly ControlEventName[];

/** The placeholders a screen-pop template may use (integrations/screen-pop.ts fills them, URL-encoded). */
export const screenPopPlaceholders = ['from', 'to', 'call', 'agent', 'line'] as const;

/** Why `text` is not an absolute http(s) URL we may send to, or undefined when it is. */
export function httpUrlError(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http:// or https:// URL, not ${url.protocol}`;
  if (url.username || url.password) return 'must not hold a user name or password (the body is signed with the secret instead)';
  return undefined;
}

const httpUrl = z
  .string()
  .max(2_048)
  .superRefine((text, ctx) => {
    const error = httpUrlError(text);
    if (error) ctx.addIssue({ code: 'custom', message: error });
  });

const webhookSchema = z
  .strictObject({
    /** Where each event is POSTed as JSON. */
    url: httpUrl,
    /** Event names (webhookEvents), or "*" for all of them. */
    events: z.array(z.enum(['*', ...webhookEvents], { message: `must be "*" or one of ${webhookEvents.join(', ')}` })).min(1, 'needs at least one event'),
    /** The HMAC-SHA256 key the receiver checks the signature with. */
    secret: z.string().min(16, 'must be at least 16 characters').max(1_024).optional(),
    /** A file holding the secret (relative to the config file), read at start; instead of `secret`. */
    secretFile: z.string().min(1).optional(),
    /** One POST may take this long (connect, answer) before it counts as failed and is retried. */
    timeoutMs: z.number().int().min(100).max(120_000).default(5_000),
    /** Events kept for this webhook while its receiver is away; past it the oldest are dropped (counted, logged). */
    maxPending: z.number().int().min(1).max(1_000_000).default(10_000),
    /** First and longest wait between retries (exponential with jitter between them). */
    retryMinMs: z.number().int().min(10).max(600_000).default(1_000),
    retryMaxMs: z.number().int().min(100).max(3_600_000).default(60_000),
  })
  .superRefine((w, ctx) => {
    if ((w.secret === undefined) === (w.secretFile === undefined)) ctx.addIssue({ code: 'custom', path: ['secret'], message: 'needs exactly one of secret or secretFile: every delivery is signed' });
    if (w.retryMaxMs < w.retryMinMs) ctx.addIssue({ code: 'custom', path: ['retryMaxMs'], message: 'must not be smaller than retryMinMs' });
  });

const screenPopSchema = z.strictObject({
  /** A URL template: {from}, {to}, {call}, {agent}, {line} are replaced, URL-encoded. */
  url: z
    .string()
    .max(2_048)
    .superRefine((template, ctx) => {
      for (const m of template.matchAll(/\{([^{}]*)\}/g)) {
        if (!(screenPopPlaceholders as readonly string[]).includes(m[1]!)) ctx.addIssue({ code: 'custom', message: `unknown placeholder {${m[1]}}; use ${screenPopPlaceholders.map((p) => `{${p}}`).join(', ')}` });
      }
      // The scheme and host must be the template's own: a placeholder cannot decide them.
      const error = httpUrlError(template.replace(/\{[^{}]*\}/g, 'x'));
      if (error) ctx.addIssue({ code: 'custom', message: error });
    }),
  /** When to pop: when an inbound call is offered (rings), or when the agent answers it. */
  on: z.enum(['offered', 'answered']).default('offered'),
});

/** CRM hooks (docs/integrations.md). */
export const integrationsSchema = z
  .strictObject({
    webhooks: z.array(webhookSchema).max(16).default([]),
    screenPop: screenPopSchema.optional(),
  })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.webhooks.forEach((w, i) => {
      if (seen.has(w.url)) ctx.addIssue({ code: 'custom', path: ['webhooks', i, 'url'], message: 'is configured twice' });
      seen.add(w.url);
    });
  });

export type IntegrationsConfig = z.infer<typeof integrationsSchema>;
export type WebhookConfig = IntegrationsConfig['webhooks'][number];
export type ScreenPopConfig = NonNullable<IntegrationsConfig['screenPop']>;

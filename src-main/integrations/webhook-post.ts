/** One POST of one delivery. */
export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Aborts the request (LineDesk stopping). */
  signal?: AbortSignal;
}

/**
 * delivered: a 2xx. refused: the receiver says this event will never do (below), so it is
 * not retried. failed: anything else (no connection, a timeout, a 5xx, a 401 from a receiver
 * with the wrong secret, a redirect): retried later, the event kept.
 */
export type PostOutcome = { kind: 'delivered'; status: number } | { kind: 'refused'; status: number } | { kind: 'failed'; error: string; status?: number };

/**
 * Answers about the request itself (malformed, too large, unsupported, unprocessable):
 * sending the same bytes again cannot help, and retrying would block every later event.
 * Other 4xx (401/403/404: a receiver or URL set up wrong) are retried: fixing the receiver
 * then delivers what waited.
 */
const REFUSED = new Set([400, 413, 415, 422]);

/**
 * POSTs with Node's own fetch (undici): no redirects followed (a 3xx is a failure: the
 * configured URL is the only place events go), the whole exchange bounded by `timeoutMs`,
 * the answer's body discarded unread.
 */
export async function postWebhook(req: WebhookRequest): Promise<PostOutcome> {
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
  let res: Response;
  try {
    res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body, redirect: 'manual', signal });
  } catch (error) {
    if (timeout.aborted) return { kind: 'failed', error: `no answer within ${req.timeoutMs} ms` };
    return { kind: 'failed', error: describeFetchError(error) };
  }
  // Not read: only the status matters, and a receiver must not make us hold a large body.
  await res.body?.cancel().catch(() => {});
  if (res.status >= 200 && res.status < 300) return { kind: 'delivered', status: res.status };
  if (REFUSED.has(res.status)) return { kind: 'refused', status: res.status };
  if (res.status >= 300 && res.status < 400) return { kind: 'failed', status: res.status, error: `HTTP ${res.status}: redirect${res.headers.get('location') ? ` to ${res.headers.get('location')}` : ''} not followed` };
  return { kind: 'failed', status: res.status, error: `HTTP ${res.status}` };
}

/** fetch says "fetch failed"; the reason (ECONNREFUSED, a TLS error…) is in its cause. */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}

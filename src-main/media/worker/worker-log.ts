import type { Logger, LogLevel } from '../../common/logger.js';
import type { FromWorker } from './media-protocol.js';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, off: 100 };

/**
 * A media worker's logger: each line goes to the main thread as a message, which writes it
 * with its own logger (same sink, same format, the category under the engine's). Lines below
 * `level` are dropped here, before they cost a message.
 */
export function workerLogger(post: (m: FromWorker) => void, level: LogLevel, category = ''): Logger {
  const write = (lvl: Exclude<LogLevel, 'off'>, msg: string, fields?: Record<string, unknown>): void => {
    if (rank[lvl] < rank[level]) return;
    const m: FromWorker = { t: 'log', level: lvl, category, msg };
    if (fields && Object.keys(fields).length > 0) m.fields = cloneable(fields);
    post(m);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (c) => workerLogger(post, level, category ? `${category}.${c}` : c),
    enabled: (l) => rank[l] >= rank[level],
  };
}

/** Fields as plain data (errors by their message, as the main logger prints them). */
function cloneable(fields: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(fields, (_k, v: unknown) => (v instanceof Error ? v.message : v))) as Record<string, unknown>;
  } catch {
    return { fields: '[unserialisable]' };
  }
}

/** The most verbose level `log` writes, for a worker's own filter. */
export function levelOf(log: Logger): LogLevel {
  return (['debug', 'info', 'warn', 'error'] as const).find((l) => log.enabled(l)) ?? 'off';
}

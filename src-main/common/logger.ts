/**
 * Logging for the core. Lines go to a sink (stderr by default), never to stdout:
 * the headless runner's stdout carries only control-protocol events.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, off: 100 };

export type LogSink = (line: string) => void;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(category: string): Logger;
  enabled(level: LogLevel): boolean;
}

export function isLogLevel(s: string): s is LogLevel {
  return s in rank;
}

export function createLogger(
  level: LogLevel = 'info',
  sink: LogSink = (line) => process.stderr.write(line + '\n'),
  category = 'linedesk',
): Logger {
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (rank[lvl] < rank[level]) return;
    let line = `${new Date().toISOString()} ${lvl.toUpperCase().padEnd(5)} [${category}] ${msg}`;
    if (fields && Object.keys(fields).length > 0) line += ' ' + safeJson(fields);
    sink(line);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (c) => createLogger(level, sink, `${category}.${c}`),
    enabled: (l) => rank[l] >= rank[level],
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = createLogger('off', () => {});

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, val: unknown) => (val instanceof Error ? val.message : val));
  } catch {
    return '[unserialisable]';
  }
}

/*
 * How libpulse is steered from outside: it reads its environment whenever a stream connects
 * (RtAudio gives no other handle on buffering, routing or shared memory), and names monitor
 * sources in a recognisable way.
 */

/** Runs fn with some environment variables set (undefined: unset), then restores them. */
export function withEnv<T>(vars: Record<string, string | undefined>, fn: () => T): T {
  const saved = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(vars)) {
    saved.set(key, process.env[key]);
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    return fn();
  } finally {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/**
 * Streams connect without shared memory. With it, libpulse-simple deadlocks when the server
 * dies during a recording (the audio thread holds an imported block and waits for the
 * mainloop lock; the mainloop thread waits for that block to be released), and closing the
 * stream then hangs the main thread for good. Without it audio goes over the socket, which
 * costs nothing noticeable at 96 kB/s.
 */
export function noShm(): Record<string, string> {
  const existing = process.env.PULSE_PROP;
  const prop = 'context.force.disable.shm=true';
  return { PULSE_PROP: existing ? `${existing} ${prop}` : prop };
}

/** English PulseAudio names monitor sources "Monitor of …"; a softphone never records those. */
export const isPulseMonitor = (name: string): boolean => name.startsWith('Monitor of ');

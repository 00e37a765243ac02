import type { AudifyModule, RtAudioInstance, RtErrorCallback } from './audify-binding.js';

/*
 * audify's process-wide side (read its src/rt_audio.cpp):
 *
 * - The error callback is one process-wide function shared by every RtAudio instance (the
 *   last one registered gets every stream's errors), replaced by every openStream() without
 *   any locking. So every openStream passes the same router, `AudifyRuntime.onError`.
 * - An instance's callbacks (thread-safe functions) are released only by the next
 *   openStream() on the same instance. So a closed instance is "retired" by a deliberately
 *   failing openStream, which releases its callbacks; an instance is never reused; nothing
 *   is opened while audio threads report errors. The process-wide error function keeps the
 *   event loop alive, so a process that has opened a stream must exit explicitly
 *   (process.exit / app.quit).
 *
 * Because the native error function is one per process, so is its router: runtimeOf() keeps
 * one AudifyRuntime on audify's module object, shared by every AudifyDevices of the process
 * (a core restarted with new settings opens its streams while the old core's instances may
 * still be waiting to be released; separate routers would steal each other's errors).
 */

const RETIRE_MESSAGE = 'StreamParameters structures are both NULL';
/** How long after the last stream error the audio threads are taken to be quiet. */
const QUIET_MS = 1000;
const RUNTIME = Symbol.for('linedesk.audify-runtime');

/** Error routing and instance retiring for every audify stream of the process. */
export class AudifyRuntime {
  readonly #listeners = new Set<RtErrorCallback>();
  #lastStreamErrorAt = Number.NEGATIVE_INFINITY;
  readonly #awaitingRelease: RtAudioInstance[] = [];
  #releaseTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly audify: AudifyModule) {}

  /** The error function every openStream() passes; fans out to every listener. */
  readonly onError: RtErrorCallback = (type, message) => {
    if (message.includes(RETIRE_MESSAGE)) return; // our own retire() call
    // Probe errors come from the main thread (listing while the server is down).
    if (!message.includes('probeDevices')) this.#lastStreamErrorAt = performance.now();
    for (const listener of this.#listeners) listener(type, message);
  };

  /** Errors cannot be traced to a stream: each open backend hears them all. Returns the remover. */
  listen(listener: RtErrorCallback): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Every openStream() replaces audify's process-wide error function while audio threads may
   * be calling it. That race is harmless unless a thread is reporting errors right then, as
   * every stream does thousands of times a second once its server is gone. So streams are
   * opened only while no stream has reported an error for a second.
   */
  quiet(): boolean {
    return performance.now() - this.#lastStreamErrorAt > QUIET_MS;
  }

  /**
   * Closes an instance's stream (which stops its audio thread) and releases its callbacks,
   * once the audio threads are quiet (see quiet()). The instance is not used again.
   */
  retire(rt: RtAudioInstance): void {
    try {
      rt.closeStream(); // no stop(): on Pulse it drains the buffer, blocking the main thread
    } catch {
      // already closed, or the server is gone
    }
    this.#awaitingRelease.push(rt);
    this.#releaseWhenQuiet();
  }

  #releaseWhenQuiet(): void {
    if (this.quiet()) {
      for (const rt of this.#awaitingRelease.splice(0)) {
        try {
          // Fails by design ("both NULL"), after audify has released the instance's callbacks.
          rt.openStream(null, null, this.audify.RtAudioFormat.RTAUDIO_SINT16, 48000, 480, '', null, null, 0, this.onError);
        } catch {
          // expected
        }
      }
      return;
    }
    if (this.#releaseTimer) return;
    this.#releaseTimer = setTimeout(() => {
      this.#releaseTimer = undefined;
      this.#releaseWhenQuiet();
    }, QUIET_MS / 2);
    this.#releaseTimer.unref();
  }
}

/** The process's runtime for this audify module, made on first use (see the top of the file). */
export function runtimeOf(audify: AudifyModule): AudifyRuntime {
  const holder = audify as AudifyModule & { [RUNTIME]?: AudifyRuntime };
  const existing = holder[RUNTIME];
  if (existing) return existing;
  const runtime = new AudifyRuntime(audify);
  // audify's exports are a plain object; were they ever frozen, each backend would route alone.
  if (Object.isExtensible(holder)) Object.defineProperty(holder, RUNTIME, { value: runtime });
  return runtime;
}

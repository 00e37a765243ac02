import type { MediaEngine, MediaRequest, MediaSession, RecordStart } from './media-engine.js';

/** An engine that can report how many calls it runs and their late frames. */
export interface CountingEngine extends MediaEngine {
  stats(): { calls: number; lateFrames: number };
}

/**
 * Which engine runs a call's media: headset (device-mode) calls stay on the main thread
 * beside the sound card, whose callbacks run there; service lines (echo, file, listen) go to
 * the worker pool, where the load is. A device call in a worker crosses threads twice per
 * frame, and a worker woken late left 10 ms gaps in the headset (tests with a PulseAudio
 * headset); an agent has a few calls at most, which the main thread carries easily.
 */
export class MediaPlacement implements MediaEngine {
  constructor(
    private readonly main: CountingEngine,
    private readonly workers: CountingEngine,
    private readonly onMainThread: (line: string) => boolean,
  ) {}

  /** The recording module's hook, for calls on either side. */
  get recordAtOpen(): ((request: MediaRequest) => RecordStart | undefined) | undefined {
    return this.main.recordAtOpen;
  }

  set recordAtOpen(hook: ((request: MediaRequest) => RecordStart | undefined) | undefined) {
    this.main.recordAtOpen = hook;
    this.workers.recordAtOpen = hook;
  }

  open(request: MediaRequest): Promise<MediaSession> {
    return (this.onMainThread(request.line) ? this.main : this.workers).open(request);
  }

  stats(): { calls: number; lateFrames: number } {
    const a = this.main.stats();
    const b = this.workers.stats();
    return { calls: a.calls + b.calls, lateFrames: a.lateFrames + b.lateFrames };
  }

  close(): void {
    this.main.close();
    this.workers.close();
  }
}

import type { CommandResult } from '../../../src-main/contract/commands.js';
import { isObject } from './query.js';

/**
 * Plays one call recording at a time in the dashboard: its bytes come through the window's
 * own request path (`recording.get`, which serves only the desk's recordings), become a
 * Blob, and an <audio> element plays its object URL (CSP media-src allows blob:).
 */
export class RecordingPlayer {
  playing = $state<string | undefined>(undefined);
  url = $state<string | undefined>(undefined);
  error = $state<string | undefined>(undefined);

  constructor(private readonly command: (cmd: { cmd: 'recording.get'; file: string }) => Promise<CommandResult>) {}

  async play(file: string): Promise<void> {
    this.close();
    this.playing = file;
    const r = await this.command({ cmd: 'recording.get', file });
    if (this.playing !== file) return;
    if (!r.ok) {
      this.error = r.error;
      this.playing = undefined;
      return;
    }
    const v = r.value;
    if (!isObject(v) || typeof v.data !== 'string' || typeof v.mime !== 'string') {
      this.error = 'the recording could not be read';
      this.playing = undefined;
      return;
    }
    const bytes = Uint8Array.from(atob(v.data), (c) => c.charCodeAt(0));
    this.error = undefined;
    this.url = URL.createObjectURL(new Blob([bytes], { type: v.mime }));
  }

  close(): void {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = undefined;
    this.playing = undefined;
  }
}

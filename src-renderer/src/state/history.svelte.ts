import type { CommandResult } from '../../../src-main/contract/commands.js';
import type { CallRecordView, ControlEvent, Stamped } from '../../../src-main/contract/control-events.js';
import { isObject, newRequestId, queryAnswer } from './query.js';

/** The searchable call history, from the `history` command (the newest 200 matches). */
export class HistoryState {
  query = $state('');
  records = $state.raw<CallRecordView[]>([]);
  error = $state<string | undefined>(undefined);
  loading = $state(false);
  #debounce: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly command: (cmd: { cmd: 'history'; query?: string; limit: number; id: string }) => Promise<CommandResult>,
    private readonly onEvent: (l: (e: Stamped<ControlEvent>) => void) => () => void,
  ) {}

  /** Searches 250 ms after the last keystroke. */
  search(query: string): void {
    this.query = query;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => void this.load(), 250);
  }

  async load(): Promise<void> {
    this.loading = true;
    const id = newRequestId('history');
    const q = this.query.trim();
    const answer = await queryAnswer(() => this.command({ cmd: 'history', ...(q ? { query: q } : {}), limit: 200, id }), this.onEvent, id, pickRecords);
    this.loading = false;
    if (answer.ok) {
      this.records = answer.value;
      this.error = undefined;
    } else {
      this.error = answer.error;
    }
  }
}

function pickRecords(v: unknown): CallRecordView[] | undefined {
  if (Array.isArray(v)) return v as CallRecordView[];
  return isObject(v) && Array.isArray(v.records) ? (v.records as CallRecordView[]) : undefined;
}

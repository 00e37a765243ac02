import type { Command, CommandResult } from '../../../src-main/contract/commands.js';
import type { LineDeskApi } from '../../../src-main/contract/ipc-contract.js';
import type { Translate } from '../i18n/i18n.svelte.js';

export interface Notice {
  kind: 'info' | 'error';
  text: string;
}

/**
 * Runs commands for a window and turns refusals into a polite notice: a command the core
 * does not offer yet ("… is not available …") reads as "not available yet", not as a fault.
 */
export class Actions {
  notice = $state<Notice | undefined>(undefined);
  busy = $state(false);

  constructor(
    private readonly api: LineDeskApi,
    private readonly t: Translate,
  ) {}

  async run(cmd: Command, success?: string): Promise<CommandResult> {
    this.busy = true;
    try {
      const result = await this.api.command(cmd);
      if (result.ok) this.notice = success ? { kind: 'info', text: success } : undefined;
      else this.notice = { kind: 'error', text: this.describe(result.error) };
      return result;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.notice = { kind: 'error', text: this.describe(text) };
      return { ok: false, error: text };
    } finally {
      this.busy = false;
    }
  }

  describe(error: string): string {
    return isUnavailable(error) ? this.t('error.unavailable', { detail: error }) : this.t('error.failed', { detail: error });
  }

  clear(): void {
    this.notice = undefined;
  }
}

export function isUnavailable(error: string): boolean {
  return /is not available/i.test(error);
}

import type { CommandResult } from '../../../src-main/contract/commands.js';
import type { ControlEvent, Stamped, TeamAgent, TeamAgentFigures, TeamFigures, TeamSyncState } from '../../../src-main/contract/control-events.js';
import { isObject, newRequestId, queryAnswer } from './query.js';

export type TeamRange = 'today' | 'week' | 'custom';
type RangeSpec = 'today' | 'week' | { from: number; to: number };
type TeamCommand = { cmd: 'team.agents'; id: string } | { cmd: 'team.stats'; range: RangeSpec; id: string };

/** Columns of the per-agent table a supervisor can sort by. */
export const sortKeys = ['name', 'offered', 'answered', 'serviceLevel', 'averageSpeedOfAnswerMs', 'averageHandleTimeMs', 'abandonRate', 'occupancy'] as const;
export type SortKey = (typeof sortKeys)[number];

/**
 * The supervisor's view of the team: every agent's live state (pushed as `team.agents`
 * events when anything changes, asked for once at the start), the desk's own link to the
 * team database (`team.sync`), and the team figures for a period, per agent, sortable.
 */
export class TeamState {
  agents = $state.raw<TeamAgent[]>([]);
  agentsError = $state<string | undefined>(undefined);
  sync = $state.raw<{ state: TeamSyncState; pending: number; reason?: string } | undefined>(undefined);
  range = $state<TeamRange>('today');
  /** The custom period, as the date inputs give it (YYYY-MM-DD, local days, both included). */
  customFrom = $state('');
  customTo = $state('');
  team = $state.raw<TeamFigures | undefined>(undefined);
  perAgent = $state.raw<TeamAgentFigures[]>([]);
  statsError = $state<string | undefined>(undefined);
  sortKey = $state<SortKey>('name');
  sortDescending = $state(false);
  #debounce: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly command: (cmd: TeamCommand) => Promise<CommandResult>,
    private readonly onEvent: (l: (e: Stamped<ControlEvent>) => void) => () => void,
  ) {}

  /** Follows pushed events; returns the unsubscribe function. */
  follow(): () => void {
    return this.onEvent((e) => {
      if (e.event === 'team.sync') this.sync = { state: e.state, pending: e.pending, ...(e.reason !== undefined ? { reason: e.reason } : {}) };
      // A pushed team state means something changed on a desk: the figures follow a moment later.
      if (e.event === 'team.agents' && e.id === undefined) {
        this.agents = e.agents;
        this.#refreshSoon();
      }
      if (e.event === 'call.ended') this.#refreshSoon();
    });
  }

  async loadAgents(): Promise<void> {
    const id = newRequestId('team-agents');
    const answer = await queryAnswer(() => this.command({ cmd: 'team.agents', id }), this.onEvent, id, (v) => (isObject(v) && Array.isArray(v.agents) ? (v.agents as TeamAgent[]) : undefined));
    if (answer.ok) {
      this.agents = answer.value;
      this.agentsError = undefined;
    } else {
      this.agentsError = answer.error;
    }
  }

  async loadStats(): Promise<void> {
    const range = this.#rangeSpec();
    if (!range) return;
    const id = newRequestId('team-stats');
    const answer = await queryAnswer(() => this.command({ cmd: 'team.stats', range, id }), this.onEvent, id, (v) =>
      isObject(v) && isObject(v.team) && Array.isArray(v.agents) ? { team: v.team as unknown as TeamFigures, agents: v.agents as TeamAgentFigures[] } : undefined,
    );
    if (answer.ok) {
      this.team = answer.value.team;
      this.perAgent = answer.value.agents;
      this.statsError = undefined;
    } else {
      this.statsError = answer.error;
    }
  }

  sortBy(key: SortKey): void {
    if (this.sortKey === key) this.sortDescending = !this.sortDescending;
    else {
      this.sortKey = key;
      this.sortDescending = key !== 'name';
    }
  }

  get sorted(): TeamAgentFigures[] {
    const key = this.sortKey;
    const dir = this.sortDescending ? -1 : 1;
    return [...this.perAgent].sort((a, b) => {
      const x = a[key];
      const y = b[key];
      const c = typeof x === 'string' && typeof y === 'string' ? x.localeCompare(y) : Number(x) - Number(y);
      return c * dir || a.agentId.localeCompare(b.agentId);
    });
  }

  /** The period asked for; undefined while a custom period is incomplete. */
  #rangeSpec(): RangeSpec | undefined {
    if (this.range !== 'custom') return this.range;
    const from = localDay(this.customFrom);
    const to = localDay(this.customTo);
    if (from === undefined || to === undefined || to < from) return undefined;
    return { from, to: to + dayLength(to) };
  }

  #refreshSoon(): void {
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => void this.loadStats(), 2_000);
  }
}

/** Midnight (local) of a YYYY-MM-DD date input. */
function localDay(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
}

function dayLength(midnight: number): number {
  const d = new Date(midnight);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime() - midnight;
}

/** The per-agent figures as CSV (RFC 4180), one row per agent and a team row. */
export function teamCsv(team: TeamFigures, agents: readonly TeamAgentFigures[]): string {
  const head = ['agent_id', 'name', 'offered', 'answered', 'answered_within_sl', 'service_level', 'asa_ms', 'aht_ms', 'abandoned', 'abandon_rate', 'occupancy', 'talk_ms', 'hold_ms', 'wrapup_ms'];
  const row = (id: string, name: string, f: TeamFigures): (string | number)[] => [
    id, name, f.offered, f.answered, f.answeredWithinServiceLevel, f.serviceLevel.toFixed(4), f.averageSpeedOfAnswerMs, f.averageHandleTimeMs,
    f.abandoned, f.abandonRate.toFixed(4), f.occupancy.toFixed(4), f.talkMs, f.holdMs, f.wrapupMs,
  ];
  const cell = (v: string | number): string => {
    const s = String(v);
    // Quote what needs it; a leading = + - @ is defused so a spreadsheet does not run it.
    const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [head, ...agents.map((a) => row(a.agentId, a.name, a)), row('', 'team', team)];
  return lines.map((l) => l.map(cell).join(',')).join('\r\n') + '\r\n';
}

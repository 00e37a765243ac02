import { AgentStateMachine, type AgentSnapshot } from '../agent/agent-state-machine.js';
import type { CommandResult } from '../contract/commands.js';
import type { ControlEvent } from '../contract/control-events.js';
import { LineEligibility } from './calls-module.js';
import type { CoreHost, CoreModule } from './module-api.js';

/**
 * The agent's workflow: Available, Paused (with a reason), Wrap-up after each answered
 * call, DND when every agent line is in DND, Offline. The state decides eligibility: in any
 * state but Available every agent line is paused for the dispatcher, so no new call is
 * offered; a call already ringing or up is not touched. Service lines (auto-answer) are
 * outside the agent's workflow: never paused, their calls start no wrap-up. Emits
 * `agent.state` on every change (first at `ready`), and carries out `agent.state`,
 * `wrapup.extend` and `wrapup.end`.
 */
export const agentModule: CoreModule = {
  name: 'agent',
  needs: [LineEligibility],
  install(host: CoreHost): void {
    const eligibility = host.services.get(LineEligibility);
    const cfg = host.config.agent;
    const machine = new AgentStateMachine({ clock: host.clock, wrapupMs: cfg.wrapupSeconds * 1_000, pauseReasons: cfg.pauseReasons, initial: cfg.initialState });
    const log = host.log.child('agent');
    let announced = false;

    // Service lines (auto-answer) answer by themselves: no agent state applies to them.
    const agentLines = host.lineIds().filter((l) => host.isAgentLine(l));
    const applyEligibility = (s: AgentSnapshot): void => {
      for (const line of agentLines) eligibility.setPaused(line, s.state !== 'available');
    };
    const announce = (s: AgentSnapshot): void => {
      announced = true;
      host.emit(agentStateEvent(s));
    };
    machine.events.on('change', (now, before) => {
      if (now.state !== before.state) log.info(`agent ${before.state} → ${now.state}`, now.reason ? { reason: now.reason } : {});
      applyEligibility(now);
      announce(now);
    });
    applyEligibility(machine.snapshot);

    // Answered calls, to start wrap-up when they end; lines in DND, for the dnd state.
    const answered = new Set<string>();
    const dndLines = new Set<string>();
    host.events.on('event', (e) => {
      switch (e.event) {
        case 'ready':
          if (!announced) announce(machine.snapshot);
          return;
        case 'call.answered':
          if (host.isAgentLine(e.line)) answered.add(e.call);
          return;
        case 'call.ended':
          if (answered.delete(e.call)) machine.answeredCallEnded();
          return;
        case 'line.dnd': {
          if (e.on) dndLines.add(e.line);
          else dndLines.delete(e.line);
          machine.setAllLinesDnd(agentLines.length > 0 && agentLines.every((l) => dndLines.has(l)));
          return;
        }
        default:
          return;
      }
    });

    const result = (outcome?: 'changed' | 'unchanged' | 'deferred'): CommandResult => ({
      ok: true,
      value: { ...machine.snapshot, ...(outcome ? { outcome } : {}), ...(machine.pending ? { pending: machine.pending } : {}) },
    });
    // A refused request throws AgentStateError: the command registry makes it the command's error.
    host.commands.register('agent.state', (c) => result(machine.request(c)));
    host.commands.register('wrapup.extend', (c) => {
      machine.extendWrapup(c.seconds);
      return result();
    });
    host.commands.register('wrapup.end', () => {
      machine.endWrapup();
      return result();
    });

    // At stop the agent goes offline, so logged-in time ends with LineDesk.
    host.onStop(() => {
      machine.dispose();
      if (machine.state !== 'offline') machine.transition('offline');
    });
  },
};

export function agentStateEvent(s: AgentSnapshot): Extract<ControlEvent, { event: 'agent.state' }> {
  const e: Extract<ControlEvent, { event: 'agent.state' }> = { event: 'agent.state', state: s.state, since: s.since };
  if (s.reason !== undefined) e.reason = s.reason;
  if (s.wrapupEndsAt !== undefined) e.wrapupEndsAt = s.wrapupEndsAt;
  return e;
}

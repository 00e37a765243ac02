import type { ControlEvent, MwiStatus, PresenceLamp } from '../contract/control-events.js';
import { MessageWaiting } from '../presence/message-waiting.js';
import { PresenceBoard, type WatchedExtension } from '../presence/presence-board.js';
import type { CoreHost, CoreModule } from './module-api.js';

/**
 * Colleagues' lamps (BLF, RFC 4235) and each line's voicemail light (RFC 3842), over
 * SUBSCRIBE/NOTIFY through the registrar. The subscriptions go out once their line is
 * registered and start over each time it registers again (a registrar that restarted has
 * forgotten them); sip.js refreshes them before they expire. Emits `presence` and `mwi`
 * on each change; `presence.list` answers with every lamp and light.
 */
export const presenceModule: CoreModule = {
  name: 'presence',
  install(host: CoreHost): void {
    const cfg = host.config.presence;
    const timers = host.config.timers;
    const log = host.log.child('presence');
    const retry = { retryMinMs: Math.max(500, timers.retryMinMs), retryMaxMs: Math.max(1_000, timers.retryMaxMs) };
    const watch: WatchedExtension[] = cfg.watch.map((w) => (typeof w === 'string' ? { ext: w, label: w } : { ext: w.ext, label: w.label ?? w.ext }));
    const boardLine = cfg.line ?? host.lineIds()[0];
    const boardSip = boardLine !== undefined ? host.sipLines.get(boardLine) : undefined;

    const board =
      watch.length > 0 && boardSip
        ? new PresenceBoard({
            ua: boardSip.ua,
            domain: boardSip.aorHost,
            watch,
            expiresSec: cfg.expiresSec,
            clock: host.clock,
            log,
            ...retry,
            onLamp: (l) => host.emit({ event: 'presence', ...l }),
          })
        : undefined;

    const lights = new Map<string, MessageWaiting>();
    for (const lc of host.config.lines) {
      const sip = host.sipLines.get(lc.id);
      if (!sip) continue;
      lights.set(
        lc.id,
        new MessageWaiting({
          line: lc.id,
          ua: sip.ua,
          aor: lc.aor,
          subscribe: lc.mwi === true,
          expiresSec: cfg.expiresSec,
          clock: host.clock,
          log: log.child(`mwi.${lc.id}`),
          ...retry,
          onChange: (s) => host.emit({ event: 'mwi', ...s }),
        }),
      );
    }

    // Each line: subscribe when it registers (again); the lamps go dark while the board's line is down.
    const registered = new Set<string>();
    host.events.on('event', (e: ControlEvent) => {
      if (e.event !== 'line.state') return;
      if (e.state !== 'registered') {
        if (registered.delete(e.line) && e.line === boardLine) board?.lineDown();
        return;
      }
      if (registered.has(e.line)) return;
      registered.add(e.line);
      if (e.line === boardLine) board?.subscribe();
      lights.get(e.line)?.subscribe();
    });

    const lamps = (): PresenceLamp[] => board?.lamps() ?? watch.map((w) => ({ ...w, state: 'offline' as const }));
    const mwi = (): MwiStatus[] => [...lights.values()].map((l) => l.status);
    host.commands.register('presence.list', (c) => {
      const event: ControlEvent = { event: 'presence.list', ...(c.id !== undefined ? { id: c.id } : {}), lamps: lamps(), mwi: mwi() };
      host.emit(event);
      return { ok: true, value: event };
    });

    // Unsubscribe while the lines are still registered, bounded: the stop must not wait on a silent PBX.
    host.onStop(async () => {
      const ms = Math.min(2_000, timers.unregisterTimeoutMs);
      await Promise.all([board?.dispose(ms), ...[...lights.values()].map((l) => l.dispose(ms))]);
    });
  },
};

import { webhookEvents } from '../config/integrations-schema.js';
import type { ControlEvent, Stamped } from '../contract/control-events.js';
import { ScreenPopTrigger } from '../integrations/screen-pop-trigger.js';
import { WebhookDelivery } from '../integrations/webhook-delivery.js';
import { WebhookOutbox } from '../integrations/webhook-outbox.js';
import { displayUrl, webhookSecret } from '../integrations/webhook-secret.js';
import type { CoreHost, CoreModule } from './module-api.js';
import { StatsStore } from './stats-module.js';

/** At stop, how long the webhooks keep delivering what waits before LineDesk exits (the rest stays queued). */
const STOP_FLUSH_MS = 2_000;

/**
 * CRM hooks (docs/integrations.md): every subscribed event POSTed, signed, to each webhook,
 * through a queue in the desk's own store (the stats store, so it needs it); and the screen
 * pop, a `screenpop` event with the CRM's URL for the call (the desktop app opens it in the
 * browser). The bus handler only queues: no call waits for a receiver.
 */
export const integrationsModule: CoreModule = {
  name: 'integrations',
  needs: [StatsStore],
  install(host: CoreHost): void {
    const log = host.log.child('integrations');
    const cfg = host.config.integrations;
    const stats = host.services.get(StatsStore);
    const outbox = new WebhookOutbox(stats.store.db);
    const forgotten = outbox.forgetAllBut(cfg.webhooks.map((w) => w.url));
    if (forgotten > 0) log.warn('dropped the undelivered events of webhooks no longer configured', { events: forgotten });
    if (cfg.webhooks.length === 0 && !cfg.screenPop) return;

    const agent = host.config.agent.id ?? host.config.lines[0]!.username;
    const hooks = cfg.webhooks.map((w, i) => ({
      events: w.events.includes('*') ? undefined : new Set<string>(w.events),
      delivery: new WebhookDelivery({
        target: { url: w.url, secret: webhookSecret(w, host.baseDir), timeoutMs: w.timeoutMs, maxPending: w.maxPending, retryMinMs: w.retryMinMs, retryMaxMs: w.retryMaxMs },
        outbox,
        clock: host.clock,
        log,
        agent,
        report: (r) => host.emit({ event: 'webhook.state', webhook: i, url: displayUrl(w.url), ...r }),
      }),
    }));
    for (const h of hooks) {
      if (h.delivery.pending > 0) log.info('webhook events waiting from an earlier run', { url: displayUrl(h.delivery.url), pending: h.delivery.pending });
      h.delivery.kick();
    }
    log.info('integrations', { webhooks: hooks.map((h) => displayUrl(h.delivery.url)), screenPop: cfg.screenPop?.on ?? 'off' });

    const pops = cfg.screenPop
      ? new ScreenPopTrigger({ template: cfg.screenPop.url, on: cfg.screenPop.on, agent, refused: (call, reason) => log.warn('screen pop refused', { call, reason }) })
      : undefined;

    const unsubscribe = host.events.on('event', (e) => {
      const stamped: Stamped<ControlEvent> = { ...e, ts: host.clock.wallNow() };
      for (const h of hooks) if (h.events ? h.events.has(e.event) : isWebhookEvent(e.event)) h.delivery.enqueue(stamped);
      const pop = pops?.onEvent(e);
      if (pop) host.emit(pop);
    });

    // After the stats module's final writes (the agent's offline state), before the store closes.
    stats.afterFinalWrites(async () => {
      unsubscribe();
      await Promise.all(hooks.map((h) => h.delivery.stop(STOP_FLUSH_MS)));
      const left = hooks.reduce((n, h) => n + h.delivery.pending, 0);
      if (left > 0) log.info('webhook events kept for the next start', { events: left });
    });
  },
};

const everyWebhookEvent = new Set<string>(webhookEvents);

/** `*`: every event a webhook may take (config/integrations-schema.ts). */
function isWebhookEvent(name: ControlEvent['event']): boolean {
  return everyWebhookEvent.has(name);
}

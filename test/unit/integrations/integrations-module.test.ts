import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { parseConfig } from '../../../src-main/config/load-config.js';
import type { ControlEvent } from '../../../src-main/contract/control-events.js';
import { integrationsModule } from '../../../src-main/modules/integrations-module.js';
import { statsModule } from '../../../src-main/modules/stats-module.js';
import { FakeClock } from '../../support/fake-clock.js';
import { until } from '../../support/until.js';
import { WebhookReceiver } from '../../support/webhook-receiver.js';
import { FakeCoreHost } from '../stats/fake-core-host.js';

const secret = 'module-test-secret-0123456789';

describe('integrations module', () => {
  const receivers: WebhookReceiver[] = [];
  after(async () => {
    for (const r of receivers) await r.stop();
  });

  test('each webhook gets the events it subscribed to ("*": every webhook event, no query answers), and the screen pop is an event', async () => {
    const all = await WebhookReceiver.start(secret, 'ok');
    const ended = await WebhookReceiver.start(secret, 'ok');
    receivers.push(all, ended);
    const config = parseConfig({
      transport: { protocol: 'udp', bind: '127.0.0.1:0' },
      registrar: { uri: 'sip:127.0.0.1:5060', backups: [] },
      lines: [{ id: 'l1', aor: 'sip:200@127.0.0.1', username: '200', password: 'secret' }],
      store: { path: ':memory:' },
      agent: { id: 'agent-9' },
      integrations: {
        webhooks: [
          { url: all.url, events: ['*'], secret },
          { url: `${ended.url}?token=abc`, events: ['call.ended'], secret },
        ],
        screenPop: { url: 'https://crm.example.com/p?from={from}&agent={agent}', on: 'offered' },
      },
    });
    // Wall time now: the receiver refuses signatures more than 5 minutes off its clock.
    const clock = new FakeClock(0, Date.now());
    const host = new FakeCoreHost(config, clock);
    await host.install(statsModule, integrationsModule);

    const events: ControlEvent[] = [
      { event: 'call.offered', call: 'c1', line: 'l1', from: '+49 30', to: '200', attempt: 1 },
      { event: 'stats', stats: {} as never },
      { event: 'call.answered', call: 'c1', line: 'l1' },
      { event: 'call.ended', call: 'c1', line: 'l1', reason: 'remote-hangup', code: 200 },
    ];
    for (const e of events) host.emit(e);
    assert.deepEqual(host.named('screenpop'), [{ event: 'screenpop', url: 'https://crm.example.com/p?from=%2B49%2030&agent=agent-9', call: 'c1', line: 'l1' }]);
    assert.equal(all.posts.length, 0, 'nothing is sent from the bus handler');
    clock.advance(0);
    await until(() => all.accepted().length === 4 && ended.accepted().length === 1, 5_000, 'the deliveries');
    assert.deepEqual(all.accepted().map((p) => p.event), ['call.offered', 'screenpop', 'call.answered', 'call.ended']);
    assert.deepEqual(ended.accepted().map((p) => p.event), ['call.ended']);
    assert.ok([...all.posts, ...ended.posts].every((p) => p.signature.ok && p.agent === 'agent-9'));
    assert.equal(host.named('webhook.state').length, 0, 'never failing');
    await host.stop();
  });

  test('a receiver that is down: webhook.state failing, without the URL\'s query', async () => {
    const down = await WebhookReceiver.start(secret, 'down');
    receivers.push(down);
    const config = parseConfig({
      transport: { protocol: 'udp', bind: '127.0.0.1:0' },
      registrar: { uri: 'sip:127.0.0.1:5060', backups: [] },
      lines: [{ id: 'l1', aor: 'sip:200@127.0.0.1', username: '200', password: 'secret' }],
      store: { path: ':memory:' },
      integrations: { webhooks: [{ url: `${down.url}?token=abc`, events: ['call.offered'], secret }] },
    });
    // Wall time now: the receiver refuses signatures more than 5 minutes off its clock.
    const clock = new FakeClock(0, Date.now());
    const host = new FakeCoreHost(config, clock);
    await host.install(statsModule, integrationsModule);
    host.emit({ event: 'call.offered', call: 'c1', line: 'l1', from: '100', to: '200', attempt: 1 });
    clock.advance(0);
    await until(() => host.named('webhook.state').length > 0, 5_000, 'webhook.state');
    const s = host.named('webhook.state')[0]!;
    assert.deepEqual({ ...s, error: undefined }, { event: 'webhook.state', webhook: 0, url: down.url, state: 'failing', pending: 1, dropped: 0, rejected: 0, error: undefined });
    assert.match(s.error ?? '', /ECONNREFUSED/);
    await host.stop();
  });
});

import type { WebSocket } from 'ws';
import type { Logger } from '../common/logger.js';
import { parseCommand } from '../contract/commands.js';
import type { DeskHost } from './desk-host.js';
import { clientMessageSchema, type ClientMessage, type ServerMessage } from './ws-protocol.js';

/** A client that falls this far behind on events is dropped rather than buffered forever. */
const MAX_BUFFERED_BYTES = 8 << 20;

/**
 * One browser-mode window (tab) on the WebSocket: every message validated (the envelope
 * with its schema, commands with `parseCommand`), events forwarded once it said hello.
 */
export class WindowConnection {
  #unsubscribe: (() => void) | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly host: DeskHost,
    private readonly log: Logger,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.#send({ t: 'error', message: 'binary messages are not accepted' });
      void this.#onText(data.toString());
    });
    ws.on('close', () => this.#unsubscribe?.());
    ws.on('error', (error) => this.log.debug('window socket error', { error }));
  }

  async #onText(text: string): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.#send({ t: 'error', message: 'not JSON' });
    }
    const parsed = clientMessageSchema.safeParse(json);
    if (!parsed.success) return this.#send({ t: 'error', message: `bad message: ${parsed.error.issues.map((i) => i.message).join('; ')}` });
    try {
      await this.#handle(parsed.data);
    } catch (error) {
      this.log.error('a window request failed', { error });
      this.#send({ t: 'reply', id: parsed.data.id, error: 'internal error' });
    }
  }

  async #handle(msg: ClientMessage): Promise<void> {
    switch (msg.t) {
      case 'hello': {
        if (msg.kind === 'line' && (msg.line === undefined || !this.host.lineIds().includes(msg.line))) {
          return this.#send({ t: 'reply', id: msg.id, error: `no line "${msg.line ?? ''}"` });
        }
        // Subscribe and take the snapshot in the same tick, so no event falls between them.
        this.#unsubscribe?.();
        this.#unsubscribe = this.host.onEvent((event) => this.#send({ t: 'event', event }));
        return this.#send({ t: 'reply', id: msg.id, value: this.host.hello(msg.kind, msg.line) });
      }
      case 'command': {
        const parsed = parseCommand(msg.command);
        if (!parsed.ok) return this.#send({ t: 'reply', id: msg.id, value: { ok: false, error: parsed.message } });
        return this.#send({ t: 'reply', id: msg.id, value: await this.host.execute(parsed.command) });
      }
      case 'settings.get':
        return this.#send({ t: 'reply', id: msg.id, value: this.host.settings() });
      case 'settings.save':
        return this.#send({ t: 'reply', id: msg.id, value: await this.host.saveSettings(msg.settings) });
    }
  }

  #send(msg: ServerMessage): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.log.warn('a window fell too far behind; closing it');
      this.ws.terminate();
      return;
    }
    this.ws.send(JSON.stringify(msg));
  }
}

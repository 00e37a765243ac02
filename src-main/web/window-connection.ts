import type { RawData, WebSocket } from 'ws';
import type { Logger } from '../common/logger.js';
import type { DeskHost } from '../desk/desk-host.js';
import { createIpcHandlers, IpcRefused, type IpcHandlers, type WindowIdentity } from '../desk/window-requests.js';
import { clientMessageSchema, type ClientMessage, type ServerMessage } from './ws-protocol.js';

/** A client that falls this far behind on events is dropped rather than buffered forever. */
const MAX_BUFFERED_BYTES = 8 << 20;

/**
 * One browser-mode window (tab) on the WebSocket: every message validated (the envelope
 * with its schema), then the same request handling as the Electron IPC (window-requests.ts:
 * commands through `parseCommand`, settings for the settings window only). The tab is the
 * window it said it was in its hello (a line window only for a line that exists); nothing
 * but a hello is answered before it, and events flow from it on.
 */
export class WindowConnection {
  #unsubscribe: (() => void) | undefined;
  #identity: WindowIdentity | undefined;
  readonly #handlers: IpcHandlers<void>;

  constructor(
    private readonly ws: WebSocket,
    private readonly host: DeskHost,
    private readonly log: Logger,
  ) {
    this.#handlers = createIpcHandlers<void>(() => {
      if (!this.#identity) throw new IpcRefused('refused: say hello first');
      return this.#identity;
    }, host);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.#send({ t: 'error', message: 'binary messages are not accepted' });
      void this.#onText(textOf(data));
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
      if (error instanceof IpcRefused) return this.#send({ t: 'reply', id: parsed.data.id, error: error.message });
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
        this.#identity = { kind: msg.kind, ...(msg.kind === 'line' && msg.line !== undefined ? { line: msg.line } : {}) };
        // Subscribe and take the snapshot in the same tick, so no event falls between them.
        this.#unsubscribe?.();
        this.#unsubscribe = this.host.onEvent((event) => this.#send({ t: 'event', event }));
        return this.#send({ t: 'reply', id: msg.id, value: this.#handlers.hello() });
      }
      case 'command':
        return this.#send({ t: 'reply', id: msg.id, value: await this.#handlers.command(undefined, msg.command) });
      case 'settings.get':
        return this.#send({ t: 'reply', id: msg.id, value: this.#handlers.settingsGet() });
      case 'settings.save':
        return this.#send({ t: 'reply', id: msg.id, value: await this.#handlers.settingsSave(undefined, msg.settings) });
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

/** A text frame's content, whichever form ws hands it over in (one buffer, fragments, an ArrayBuffer). */
function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

import type { Command, CommandResult } from '../../../src-main/contract/commands.js';
import type { ControlEvent, Stamped } from '../../../src-main/contract/control-events.js';
import { tokenSubprotocolPrefix, wsSubprotocol, type LineDeskApi, type SettingsSave, type SettingsView, type WindowHello } from '../../../src-main/contract/ipc-contract.js';
import type { ServerMessage } from '../../../src-main/contract/ws-messages.js';
import type { WindowRequest } from '../window-request.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * Browser mode's LineDeskApi: requests and replies matched by id over one WebSocket,
 * events pushed by the server. A dropped connection is retried with backoff; whoever
 * listens to `onState` says hello again when it reopens (its snapshot replaces the model).
 */
export class WebSocketApi implements LineDeskApi {
  #ws: WebSocket | undefined;
  #opened: Promise<WebSocket> | undefined;
  #nextId = 1;
  #retryMs = 500;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  readonly #eventListeners = new Set<(e: Stamped<ControlEvent>) => void>();
  readonly #stateListeners = new Set<(s: ConnectionState) => void>();

  constructor(
    private readonly url: string,
    private readonly token: string,
    private readonly request: WindowRequest,
  ) {}

  hello(): Promise<WindowHello> {
    return this.#call({ t: 'hello', kind: this.request.kind, ...(this.request.line ? { line: this.request.line } : {}) }) as Promise<WindowHello>;
  }

  command(cmd: Command): Promise<CommandResult> {
    return this.#call({ t: 'command', command: cmd }) as Promise<CommandResult>;
  }

  getSettings(): Promise<SettingsView> {
    return this.#call({ t: 'settings.get' }) as Promise<SettingsView>;
  }

  saveSettings(s: SettingsSave): Promise<CommandResult> {
    return this.#call({ t: 'settings.save', settings: s }) as Promise<CommandResult>;
  }

  onEvent(listener: (e: Stamped<ControlEvent>) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  onState(listener: (s: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  async #call(body: Record<string, unknown>): Promise<unknown> {
    const ws = await this.#open();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error('LineDesk did not answer in time'));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ ...body, id }));
    });
  }

  #open(): Promise<WebSocket> {
    this.#opened ??= new Promise<WebSocket>((resolve, reject) => {
      this.#setState('connecting');
      const ws = new WebSocket(this.url, [wsSubprotocol, `${tokenSubprotocolPrefix}${this.token}`]);
      ws.onopen = () => {
        this.#ws = ws;
        this.#retryMs = 500;
        resolve(ws);
        this.#setState('open');
      };
      ws.onmessage = (m) => this.#onMessage(String(m.data));
      ws.onclose = () => {
        const wasOpen = this.#ws === ws;
        this.#ws = undefined;
        this.#opened = undefined;
        for (const [, p] of this.#pending) {
          clearTimeout(p.timer);
          p.reject(new Error('the connection to LineDesk was lost'));
        }
        this.#pending.clear();
        if (!wasOpen) reject(new Error('cannot connect to LineDesk (is it running, and is this link from its current run?)'));
        this.#setState('closed');
        setTimeout(() => void this.#open().catch(() => {}), this.#retryMs);
        this.#retryMs = Math.min(this.#retryMs * 2, 10_000);
      };
    });
    return this.#opened;
  }

  #onMessage(text: string): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    if (msg.t === 'event') {
      for (const l of [...this.#eventListeners]) l(msg.event);
    } else if (msg.t === 'reply') {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      clearTimeout(p.timer);
      if ('error' in msg) p.reject(new Error(msg.error));
      else p.resolve(msg.value);
    }
  }

  #setState(s: ConnectionState): void {
    for (const l of [...this.#stateListeners]) l(s);
  }
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Core, EmitterImpl, TransportState, UserAgent, type Transport } from 'sip.js';
import { routeUpdates, type InDialogUpdate } from '../../../src-main/sip/line/in-dialog-update.js';

/** Records what the user agent sends; never connects (replies go out through send()). */
class RecordingTransport implements Transport {
  static sent: string[] = [];
  readonly protocol = 'UDP';
  readonly stateChange = new EmitterImpl<TransportState>();
  state = TransportState.Disconnected;
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;
  connect(): Promise<void> {
    return Promise.resolve();
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
  isConnected(): boolean {
    return true;
  }
  send(message: string): Promise<void> {
    RecordingTransport.sent.push(message);
    return Promise.resolve();
  }
}

const update = (toTag: string, body = ''): string =>
  [
    'UPDATE sip:abc@192.0.2.1:5060 SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK-upd-' + toTag,
    'From: <sip:pbx@192.0.2.9>;tag=pbxtag',
    `To: <sip:200@192.0.2.1>;tag=${toTag}`,
    'Call-ID: call-1',
    'CSeq: 7 UPDATE',
    'Session-Expires: 90;refresher=uac',
    'Max-Forwards: 70',
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${body.length}`,
    '',
    body,
  ].join('\r\n');

function setup(): { ua: UserAgent; seen: InDialogUpdate[]; deliver(text: string): string; addDialog(toTag: string): { remote: () => number | undefined } } {
  RecordingTransport.sent = [];
  const ua = new UserAgent({ uri: UserAgent.makeURI('sip:200@192.0.2.1'), transportConstructor: RecordingTransport, logBuiltinEnabled: false, logLevel: 'error', viaHost: '192.0.2.1' });
  const seen: InDialogUpdate[] = [];
  const core = ua.userAgentCore;
  return {
    ua,
    seen,
    deliver: (text) => {
      const message = Core.Parser.parseMessage(text, ua.getLogger('test')) as Core.IncomingRequestMessage;
      core.receiveIncomingRequestFromTransport(message);
      return RecordingTransport.sent.at(-1) ?? '';
    },
    addDialog: (toTag) => {
      // Just what the routing needs of sip.js's SessionDialog: the sequence guard and the remote CSeq.
      const dialogState = { remoteSequenceNumber: 5 as number | undefined };
      const dialog = Object.assign(Object.create(Core.Dialog.prototype) as object, {
        dialogState,
        sequenceGuard: (m: Core.IncomingRequestMessage) => m.cseq > (dialogState.remoteSequenceNumber ?? 0),
      });
      (core as unknown as { dialogs: Map<string, unknown> }).dialogs.set(`call-1${toTag}pbxtag`, dialog);
      return { remote: () => dialogState.remoteSequenceNumber };
    },
  };
}

describe('routeUpdates: in-dialog UPDATE, which sip.js refuses with 405', () => {
  test('an UPDATE of an unknown dialog gets 481', () => {
    const t = setup();
    routeUpdates(t.ua, (u) => t.seen.push(u));
    assert.match(t.deliver(update('nodialog')), /^SIP\/2\.0 481 /);
    assert.equal(t.seen.length, 0);
  });

  test("one of a known dialog reaches the handler, which answers with its headers and the line's Contact; the remote CSeq moves on", () => {
    const t = setup();
    const d = t.addDialog('ours');
    routeUpdates(t.ua, (u) => {
      t.seen.push(u);
      u.reply(200, ['Session-Expires: 90;refresher=uac', 'Require: timer']);
    });
    const reply = t.deliver(update('ours'));
    assert.match(reply, /^SIP\/2\.0 200 /);
    assert.match(reply, /\r\nSession-Expires: 90;refresher=uac\r\n/);
    assert.match(reply, /\r\nContact: <sip:/);
    assert.equal(t.seen[0]?.callId, 'call-1');
    assert.equal(t.seen[0]?.hasBody, false);
    assert.equal(d.remote(), 7);
  });

  test('nobody answers: a bare refresh gets 200, an UPDATE offering media 488; other methods still go to sip.js', () => {
    const t = setup();
    t.addDialog('ours');
    routeUpdates(t.ua, () => {});
    assert.match(t.deliver(update('ours')), /^SIP\/2\.0 200 /);
    assert.match(t.deliver(update('ours', 'v=0\r\n').replace('CSeq: 7', 'CSeq: 8')), /^SIP\/2\.0 488 /);
    const subscribe = update('x').replace(/UPDATE/g, 'PUBLISH');
    assert.match(t.deliver(subscribe), /^SIP\/2\.0 405 /, "sip.js's own answer to a method it does not know");
  });
});

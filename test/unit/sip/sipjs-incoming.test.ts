import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Core, Grammar } from 'sip.js';
import { parseSipMessage } from '../../../src-main/sip/message/parse-sip-message.js';
import { firstDifference } from '../../../src-main/sip/message/sipjs-compare.js';
import { fastCallId, fastContentType, fastCSeq, fastStartLine, fastVia } from '../../../src-main/sip/message/sipjs-headers.js';
import { sipJsTakesMessages } from '../../../src-main/sip/message/parse-once.js';
import { toSipJsMessage } from '../../../src-main/sip/message/sipjs-incoming.js';
import { fastNameAddr, fastNameAddrList, fastSipUri } from '../../../src-main/sip/message/sipjs-uri.js';
import { sipCorpus } from '../../support/sip-corpus.js';
import { seededRandom } from '../../support/seeded-random.js';

const quiet = { warn: () => {}, error: () => {}, log: () => {}, debug: () => {} } as unknown as Core.Logger;

/** What the mux hands a line: our parse of the bytes, and the text of the message's own bytes. */
function both(text: string): { ours: ReturnType<typeof toSipJsMessage>; theirs: ReturnType<typeof Core.Parser.parseMessage> } {
  const parsed = parseSipMessage(Buffer.from(text, 'utf8'));
  assert.ok(parsed.ok, `the mux refuses the corpus message: ${parsed.ok ? '' : parsed.reason}`);
  const wire = parsed.wire.toString('utf8');
  return { ours: toSipJsMessage(parsed.message, wire), theirs: Core.Parser.parseMessage(wire, quiet) };
}

describe('parse once: the messages built for sip.js equal what its own parser builds', () => {
  for (const c of sipCorpus) {
    test(c.name, () => {
      const { ours, theirs } = both(c.text);
      if (c.viaText) {
        assert.equal(ours, undefined, 'handed to sip.js as text');
        return;
      }
      assert.ok(ours, 'built without sip.js parsing the text');
      assert.ok(theirs, 'sip.js parses it too');
      assert.equal(firstDifference(ours, theirs), undefined);
      // sip.js reads these through methods (lazy grammar for the rest): the same answers.
      for (const name of ['Route', 'Allow', 'Supported', 'Event', 'Subscription-State', 'Reason', 'Referred-By', 'Expires', 'Session-Expires']) {
        assert.deepEqual(ours.getHeaders(name), theirs.getHeaders(name), name);
        assert.equal(firstDifference(ours.parseHeader(name), theirs.parseHeader(name)), undefined, name);
      }
    });
  }

  test('every method and status of the corpus is built, not parsed again', () => {
    const built = sipCorpus.filter((c) => !c.viaText).map((c) => both(c.text).ours);
    const kinds = new Set(built.map((m) => (m instanceof Core.IncomingRequestMessage ? m.method : String((m as Core.IncomingResponseMessage).statusCode))));
    for (const k of ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'INFO', 'REFER', 'NOTIFY', 'SUBSCRIBE', 'MESSAGE', '100', '180', '183', '200', '302', '401', '407', '486', '487']) {
      assert.ok(kinds.has(k), `${k} is in the corpus and built`);
    }
  });

  test('a body of multi-byte characters is cut by bytes, as sip.js ends up with it', () => {
    const { ours, theirs } = both(sipCorpus.find((c) => c.name.startsWith('MESSAGE'))!.text);
    assert.equal(ours!.body, 'Grüße 你好 😀');
    assert.equal(ours!.body, theirs!.body);
  });
});

/** The same value from the hand-written reader (when it takes it) as from sip.js's grammar. */
function agrees(what: string, value: string, fast: (v: string) => unknown, rule: string): boolean {
  const mine = fast(value);
  if (mine === undefined) return false;
  const grammar: unknown = Grammar.parse(value, rule);
  assert.notEqual(grammar, -1, `${what} ${JSON.stringify(value)}: taken here, refused by the grammar`);
  assert.equal(firstDifference(mine, grammar), undefined, `${what} ${JSON.stringify(value)}`);
  return true;
}

/** Contact / Record-Route: the grammar's entries are [{offset, position, parsed}]. */
function listAgrees(value: string, kind: 'contact' | 'route'): boolean {
  const mine = fastNameAddrList(value, kind);
  if (!mine) return false;
  const grammar = Grammar.parse(value, kind === 'contact' ? 'Contact' : 'Record_Route') as { offset: number; position: number; parsed: unknown }[] | -1;
  assert.notEqual(grammar, -1, `${kind} ${JSON.stringify(value)}: taken here, refused by the grammar`);
  const theirs = (grammar as { offset: number; position: number; parsed: unknown }[]).map((e) => ({ raw: value.substring(e.offset, e.position), parsed: e.parsed }));
  const ours = mine.map((e) => ({ raw: value.substring(e.start, e.end), parsed: e.header }));
  assert.equal(firstDifference(ours, theirs), undefined, `${kind} ${JSON.stringify(value)}`);
  return true;
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

const users = ['300', 'alice', 'A%41b', '%2B1555', '+1-555_x.y!z~*\'()', 'a&b=c+d$e,f;g?h/i', 'a:pw', '%FF', 'a b', ''];
const hosts = ['127.0.0.1', 'pbx.example.com', 'PBX.Example.COM', 'localhost', '[::1]', '[2001:db8::1]', '[::]', '[::ffff:1.2.3.4]', '1.2.3', '256.1.1.1', '01.2.3.4', 'h_.com', 'h.c_m', '-h.com', 'h.com-', 'h.com.', '1abc', 'a-b.c-d'];
const ports = ['', ':5060', ':0', ':05060', ':99999', ':', ':1234567'];
const uriParams = ['', ';transport=udp', ';transport=TCP', ';Transport=ws', ';transport=udpx', ';transport', ';user=phone', ';user=Phonex', ';lr', ';LR', ';lr=on', ';method=INVITE', ';method=INVITEX', ';ttl=5', ';maddr=1.2.3.4', ';ob', ';x=1;x=2', ';Foo=Bar', ';x=[1]', ';x=%41', ';x-Flag', ';transportx=1', ';a=b;c', ';lrx=1', ';user=ipx', ';user=foo', ';method=FOO', ';method=REFERX', ';maddrx=1', ';ttlx=2'];
const displays = ['', '"Alice" ', '"Alice"', '"A \\"B\\" C" ', '"" ', '"Zoë" ', '"😀" ', '"a\tb" ', '"a\\\\" ', 'Bob ', 'Bob  Smith ', 'Bob', 'Bob\t', 'A.B ', '"a,b" ', '"x'];
const hparams = ['', ';tag=abc', ';TAG=Ab', ';tag=1;tag=2', ';tag', ';tag="x"', ';x', ';x=1', ';q=0.5', ';q=0.50', ';q=1.000', ';q=1', ';q=2', ';q=.5', ';q=0.1234', ';expires=60', ';expires=060', ';expires=abc', ';expires', ';+sip.instance="<urn:uuid:1>"', ';x="a,b"', ';x="a\\"b"', ';x=[::1]', ';x=1.2.3.4', ' ;tag=1', '; tag=1', ';tag = 1', ';tag= 1', ';reg-id=1;x=y', ';tagx=1', ';qx=1', ';expiresx=1', ';expires=5abc'];

function randomUri(rnd: () => number, scheme = pick(rnd, ['sip', 'sip', 'sips', 'SIP', 'tel'])): string {
  const user = pick(rnd, users);
  return `${scheme}:${user ? `${user}@` : ''}${pick(rnd, hosts)}${pick(rnd, ports)}${pick(rnd, uriParams)}${rnd() < 0.05 ? '?Subject=hi&x=1' : ''}`;
}

function randomNameAddr(rnd: () => number): string {
  const bare = rnd() < 0.15;
  const uri = randomUri(rnd);
  return `${bare ? '' : pick(rnd, displays)}${bare ? uri : `<${uri}>`}${pick(rnd, hparams)}`;
}

describe('parse once: the hand-written readers agree with the grammar wherever they answer', () => {
  const rnd = seededRandom(4242);
  const N = 3000;

  test('name-addr (From/To), on random combinations of odd and common parts', () => {
    let taken = 0;
    for (let i = 0; i < N; i++) if (agrees('From', randomNameAddr(rnd), (v) => fastNameAddr(v, 0, 'fromTo')?.header, 'From')) taken++;
    assert.ok(taken > N / 10, `most plain forms are taken here (${taken}/${N})`);
  });

  test('Contact and Record-Route lists, with the grammar\'s raw text of each entry', () => {
    const seps = [', ', ',', ' , ', '\t,\t', ' ,'];
    let taken = 0;
    for (let i = 0; i < N; i++) {
      const n = 1 + Math.floor(rnd() * 3);
      const parts = Array.from({ length: n }, () => randomNameAddr(rnd));
      let v = parts[0]!;
      for (const p of parts.slice(1)) v += pick(rnd, seps) + p;
      if (listAgrees(v, 'contact')) taken++;
      if (listAgrees(v, 'route')) taken++;
    }
    assert.ok(taken > N / 20, `${taken} lists taken`);
  });

  test('Request-URI and status lines', () => {
    const methods = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'INFO', 'REFER', 'NOTIFY', 'SUBSCRIBE', 'MESSAGE', 'PUBLISH', 'UPDATE', 'PRACK', 'invite', 'INVITEX', 'BYEBYE', 'X-Y'];
    const reasons = ['OK', 'Ringing', 'Session Progress', '', 'Zoë ✓', 'OK;x=1', 'OK%41', 'a<b', 'OK "x"', '[x]', 'a\tb', 'Trying/now?'];
    let taken = 0;
    for (let i = 0; i < N; i++) {
      const line = rnd() < 0.5 ? `${pick(rnd, methods)} ${randomUri(rnd)} SIP/2.0` : `SIP/2.0 ${pick(rnd, ['100', '180', '200', '486', '999', '1000', '20'])} ${pick(rnd, reasons)}`;
      const mine = fastStartLine(line);
      if (!mine) continue;
      taken++;
      const g = Grammar.parse(line, 'Request_Response') as { method?: string; uri?: unknown; status_code?: number; reason_phrase?: string } | -1;
      assert.notEqual(g, -1, line);
      if (g === -1) continue;
      const theirs = g.status_code ? { kind: 'response', statusCode: g.status_code, reasonPhrase: g.reason_phrase } : { kind: 'request', method: g.method, ruri: g.uri };
      assert.equal(firstDifference(mine, theirs), undefined, line);
    }
    assert.ok(taken > N / 10, `${taken} start lines taken`);
  });

  test('Via', () => {
    const transports = ['UDP', 'TCP', 'TLS', 'WS', 'WSS', 'udp', 'SCTP', 'FOO', 'UDPX'];
    const vparams = ['', ';branch=z9hG4bK-1', ';BRANCH=b', ';branch', ';branch=', ';rport', ';rport=5060', ';Rport=1', ';rport=abc', ';received=127.0.0.1', ';received=::1', ';received=h2', ';ttl=5', ';maddr=1.2.3.4', ';i=0', ';Foo=Bar', ';alias', ';x="q"', ';x=[::1]', ' ;branch=x', ', SIP/2.0/UDP g;branch=y', ';rportx=1', ';branchx=1', ';receivedx=1', ';rport=5x', ';received', ';Alias'];
    let taken = 0;
    for (let i = 0; i < N; i++) {
      let v = `SIP/2.0/${pick(rnd, transports)} ${pick(rnd, hosts)}${pick(rnd, ports)}`;
      const n = Math.floor(rnd() * 4);
      for (let k = 0; k < n; k++) v += pick(rnd, vparams);
      if (agrees('Via', v, fastVia, 'Via')) taken++;
    }
    assert.ok(taken > N / 10, `${taken} Vias taken`);
  });

  test('CSeq, Call-ID, Content-Type', () => {
    for (const v of ['1 INVITE', '1  INVITE', '1\tBYE', '01 ACK', '1 invite', '1 FOO', '4294967296 INVITE', '1 INVITEX', '1 BYEBYE', '1 REFERRAL', ' 1 INVITE', '1 INVITE ', '1']) agrees('CSeq', v, fastCSeq, 'CSeq');
    for (const v of ['abc@h', 'a"b<c>@h', 'x{y}', '1-4711@127.0.0.1', 'a b', 'ab@', 'a@b@c', 'v6@[2001:db8::1]']) agrees('Call-ID', v, fastCallId, 'Call_ID');
    for (const v of ['application/sdp', 'Application/SDP', 'application/sdp; charset=utf-8', 'multipart/mixed;boundary="a b"', 'text/plain;x', 'application/x-foo+xml', 'message/sipfrag;version=2.0', 'textx/plain', 'application/sdp ;a=b', 'foo/bar']) agrees('Content-Type', v, fastContentType, 'Content_Type');
    assert.equal(fastCSeq('1 INVITE')?.value, 1);
  });

  test('a SIP URI on its own', () => {
    for (let i = 0; i < N; i++) {
      const u = randomUri(rnd);
      const mine = fastSipUri(u);
      if (mine === undefined) continue;
      assert.equal(firstDifference(mine, Grammar.parse(u, 'SIP_URI')), undefined, u);
    }
  });
});

describe('parse once: the sip.js patch', () => {
  test('the installed sip.js takes a built message (patches/required is applied)', () => {
    assert.equal(sipJsTakesMessages, true);
  });
});

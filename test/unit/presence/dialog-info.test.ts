import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { maxDialogInfoBytes, maxDialogInfoTags, parseDialogInfo, type DialogInfoDocument } from '../../../src-main/presence/dialog-info.js';
import { DialogLamp } from '../../../src-main/presence/lamp.js';

const doc = (version: number, state: 'full' | 'partial', dialogs: string, entity = 'sip:201@127.0.0.1'): string =>
  `<?xml version="1.0"?>\n<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="${version}" state="${state}" entity="${entity}">${dialogs}</dialog-info>`;

function parsed(text: string): DialogInfoDocument {
  const r = parseDialogInfo(text);
  if (!r.ok) throw new Error(r.error);
  return r.doc;
}

describe('dialog-info+xml (RFC 4235)', () => {
  test('reads the entity, version and each dialog as Kamailio sends them', () => {
    const d = parsed(
      doc(3, 'full', '<dialog id="a1" call-id="c" local-tag="x" direction="recipient"><state>early</state><remote><identity>sip:200@127.0.0.1</identity></remote></dialog>' + '<dialog id="b2"><state event="replaced">confirmed</state></dialog>'),
    );
    assert.equal(d.entity, 'sip:201@127.0.0.1');
    assert.equal(d.version, 3);
    assert.equal(d.state, 'full');
    assert.deepEqual(d.dialogs, [
      { id: 'a1', state: 'early', direction: 'recipient' },
      { id: 'b2', state: 'confirmed' },
    ]);
  });

  test('a document with no dialog is an empty list; namespace prefixes are accepted', () => {
    assert.deepEqual(parsed(doc(0, 'full', '')).dialogs, []);
    const prefixed = '<di:dialog-info xmlns:di="urn:ietf:params:xml:ns:dialog-info" version="1" state="partial" entity="sip:201@x"><di:dialog id="z"><di:state>terminated</di:state></di:dialog></di:dialog-info>';
    assert.deepEqual(parsed(prefixed).dialogs, [{ id: 'z', state: 'terminated' }]);
  });

  test('hostile or broken input is refused with a reason, never thrown', () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>' + doc(1, 'full', '<dialog id="x"><state>&b;</state></dialog>');
    const external = '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + doc(1, 'full', '<dialog id="x"><state>&x;</state></dialog>');
    const cases: [string, RegExp][] = [
      [bomb, /DTD/],
      [external, /DTD/],
      ['x'.repeat(maxDialogInfoBytes + 1), /over/],
      ['<dialog-info version="1" state="full" entity="sip:a@b"><dialog id="x"><state>early</state></dialog>', /well-formed/],
      [doc(1, 'full', '<dialog id="x"><state>dancing</state></dialog>'), /unknown state/],
      [doc(1, 'full', '<dialog><state>early</state></dialog>'), /id/],
      [doc(-1, 'full', ''), /version/],
      [doc(1, 'sideways' as 'full', ''), /full nor partial/],
      [doc(1, 'full', '', ''), /entity/],
      [doc(1, 'full', '<dialog id="x"><state>early</state></dialog>'.repeat(33)), /more than 32 dialogs/],
      [doc(1, 'full', '<x/>'.repeat(maxDialogInfoTags)), /tags/],
      ['<presence/>', /no dialog-info/],
      ['', /well-formed|no dialog-info/],
    ];
    for (const [text, reason] of cases) {
      const r = parseDialogInfo(text);
      assert.equal(r.ok, false, text.slice(0, 80));
      if (!r.ok) assert.match(r.error, reason);
    }
  });
});

describe('the lamp folded from dialog-info documents', () => {
  test('idle → ringing (a call to them) → busy (answered) → idle (ended)', () => {
    const lamp = new DialogLamp();
    assert.equal(lamp.state, 'idle');
    lamp.apply(parsed(doc(0, 'full', '')));
    assert.equal(lamp.state, 'idle');
    lamp.apply(parsed(doc(1, 'full', '<dialog id="a" direction="recipient"><state>early</state></dialog>')));
    assert.equal(lamp.state, 'ringing');
    lamp.apply(parsed(doc(2, 'full', '<dialog id="a" direction="recipient"><state>confirmed</state></dialog>')));
    assert.equal(lamp.state, 'busy');
    lamp.apply(parsed(doc(3, 'full', '<dialog id="a" direction="recipient"><state>terminated</state></dialog>')));
    assert.equal(lamp.state, 'idle');
  });

  test('placing a call is busy; partial documents update one dialog; stale versions are ignored', () => {
    const lamp = new DialogLamp();
    lamp.apply(parsed(doc(5, 'full', '<dialog id="out" direction="initiator"><state>trying</state></dialog>')));
    assert.equal(lamp.state, 'busy');
    lamp.apply(parsed(doc(6, 'partial', '<dialog id="in" direction="recipient"><state>early</state></dialog>')));
    assert.equal(lamp.apply(parsed(doc(6, 'partial', '<dialog id="out"><state>terminated</state></dialog>'))), false, 'a repeated version');
    assert.equal(lamp.state, 'busy');
    lamp.apply(parsed(doc(7, 'partial', '<dialog id="out"><state>terminated</state></dialog>')));
    assert.equal(lamp.state, 'ringing', 'the other dialog still rings');
    assert.equal(lamp.apply(parsed(doc(2, 'full', ''))), false, 'an older full document');
    assert.equal(lamp.state, 'ringing');
    lamp.reset();
    assert.equal(lamp.apply(parsed(doc(0, 'full', ''))), true, 'a new subscription starts its versions over');
    assert.equal(lamp.state, 'idle');
  });
});

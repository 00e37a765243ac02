import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Emitter } from '../../../src-main/common/emitter.js';
import { parseCommand } from '../../../src-main/contract/commands.js';
import type { ControlEvent, SelectedDevices } from '../../../src-main/contract/control-events.js';
import { CommandRegistry } from '../../../src-main/modules/command-registry.js';
import { registerDeviceCommands } from '../../../src-main/modules/devices-module.js';
import type { CoreHost } from '../../../src-main/modules/module-api.js';
import type { AudioDeviceEvents, AudioDevices } from '../../../src-main/media/audio/audio-device.js';
import type { Ringer } from '../../../src-main/media/audio/ringer.js';

/** devices.set as the windows send it: parsed like any untrusted command, then carried out. */
function setup() {
  const commands = new CommandRegistry();
  const events = new Emitter<{ event: [e: ControlEvent] }>();
  const host = { commands, events, emit: (e: ControlEvent) => events.emit('event', e), lineIds: () => ['l1'], isAgentLine: () => true, onStop: () => {}, onClose: () => {} } as unknown as CoreHost;
  const device = (name: string) => ({ name, isDefault: false, channels: 2 });
  const devices = { events: new Emitter<AudioDeviceEvents>(), list: () => ({ inputs: [device('USB mic')], outputs: [device('USB headset'), device('Desk speaker')] }), close: () => {} } as unknown as AudioDevices;
  const ringerDevices: (string | null)[] = [];
  const ringer = { setDevice: (d: string | null) => void ringerDevices.push(d), start: () => {}, stop: () => {} } as unknown as Ringer;
  const selected: SelectedDevices = { headset: null, microphone: null, ringer: null, perLine: {} };
  registerDeviceCommands({ host, devices, ringer, selected });
  const set = async (fields: Record<string, unknown>) => {
    const parsed = parseCommand({ cmd: 'devices.set', ...fields });
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
    return commands.execute(parsed.command);
  };
  return { selected, ringerDevices, set };
}

describe('devices.set', () => {
  test('null goes back to the system default (and moves the ringer there); a left-out device stays as it was', async () => {
    const t = setup();
    assert.equal((await t.set({ headset: 'USB headset', microphone: 'USB mic', ringer: 'Desk speaker' })).ok, true);
    assert.deepEqual([t.selected.headset, t.selected.microphone, t.selected.ringer], ['USB headset', 'USB mic', 'Desk speaker']);
    assert.equal((await t.set({ headset: null, ringer: null })).ok, true);
    assert.deepEqual([t.selected.headset, t.selected.microphone, t.selected.ringer], [null, 'USB mic', null]);
    assert.deepEqual(t.ringerDevices, ['Desk speaker', null]);
  });

  test('for one line, null drops its own choice so that it follows the default again', async () => {
    const t = setup();
    await t.set({ line: 'l1', headset: 'USB headset', microphone: 'USB mic' });
    assert.deepEqual(t.selected.perLine.l1, { headset: 'USB headset', microphone: 'USB mic' });
    await t.set({ line: 'l1', headset: null });
    assert.deepEqual(t.selected.perLine.l1, { microphone: 'USB mic' });
    assert.deepEqual(t.ringerDevices, [], 'a line has no ringer of its own');
  });

  test('an unknown device name is refused and changes nothing', async () => {
    const t = setup();
    const r = await t.set({ headset: 'Nope', microphone: null });
    assert.deepEqual(r, { ok: false, error: 'no output device named "Nope"' });
    assert.deepEqual(t.selected, { headset: null, microphone: null, ringer: null, perLine: {} });
  });
});

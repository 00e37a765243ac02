import type { AudioDevice, SelectedDevices } from '../../../src-main/contract/control-events.js';
import type { LineDeskApi } from '../../../src-main/contract/ipc-contract.js';
import type { Actions } from './actions.svelte.js';
import { isObject, newRequestId, queryAnswer } from './query.js';

interface DeviceList {
  inputs: AudioDevice[];
  outputs: AudioDevice[];
  selected: SelectedDevices;
}

/** Headset, microphone and ringer choices, from `devices.list`; applied with `devices.set`. */
export class DevicesState {
  inputs = $state.raw<AudioDevice[]>([]);
  outputs = $state.raw<AudioDevice[]>([]);
  headset = $state('');
  microphone = $state('');
  ringer = $state('');
  error = $state<string | undefined>(undefined);

  constructor(
    private readonly api: LineDeskApi,
    private readonly actions: Actions,
  ) {}

  async load(): Promise<void> {
    const id = newRequestId('devices');
    const answer = await queryAnswer(() => this.api.command({ cmd: 'devices.list', id }), (l) => this.api.onEvent(l), id, pickDevices);
    if (!answer.ok) {
      this.error = this.actions.describe(answer.error);
      return;
    }
    this.error = undefined;
    this.inputs = answer.value.inputs;
    this.outputs = answer.value.outputs;
    this.headset = answer.value.selected.headset ?? '';
    this.microphone = answer.value.selected.microphone ?? '';
    this.ringer = answer.value.selected.ringer ?? '';
  }

  /** Sets the three choices as shown; "System default" ('') is sent as null. */
  apply(success: string): void {
    void this.actions.run({ cmd: 'devices.set', headset: this.headset || null, microphone: this.microphone || null, ringer: this.ringer || null }, success);
  }

  test(device: 'headset' | 'ringer', success: string): void {
    void this.actions.run({ cmd: 'devices.test', device }, success);
  }
}

function pickDevices(v: unknown): DeviceList | undefined {
  return isObject(v) && Array.isArray(v.inputs) && Array.isArray(v.outputs) && isObject(v.selected) ? (v as unknown as DeviceList) : undefined;
}

import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { chooseSubcommand, overview, runCommand, type SubcommandTable } from '../../../src-main/headless/linedesk-command.js';

const calls: string[][] = [];
const table: SubcommandTable = {
  headless: { summary: 'run the core', run: (argv) => (calls.push(['headless', ...argv]), Promise.resolve(0)) },
  team: { summary: 'team things', run: (argv) => (calls.push(['team', ...argv]), Promise.resolve(3)) },
};

const text = (s: PassThrough): string => (s.read() as Buffer | null)?.toString() ?? '';

describe('the linedesk command picks its subcommand', () => {
  test('options first, or nothing, go to the default subcommand, all of them', () => {
    assert.deepEqual(chooseSubcommand(['--config', 'x.json'], table, 'headless'), { kind: 'run', name: 'headless', args: ['--config', 'x.json'] });
    assert.deepEqual(chooseSubcommand(['-c', 'x.json', '--log-level', 'warn'], table, 'headless'), { kind: 'run', name: 'headless', args: ['-c', 'x.json', '--log-level', 'warn'] });
    assert.deepEqual(chooseSubcommand([], table, 'headless'), { kind: 'run', name: 'headless', args: [] });
  });

  test('a name picks that subcommand and passes it the rest', () => {
    assert.deepEqual(chooseSubcommand(['team', 'init', '--db', 'x'], table, 'headless'), { kind: 'run', name: 'team', args: ['init', '--db', 'x'] });
    assert.deepEqual(chooseSubcommand(['headless', '--help'], table, 'headless'), { kind: 'run', name: 'headless', args: ['--help'] });
  });

  test('help, --help alone and -h alone are the overview; --help after options is the default subcommand\'s', () => {
    for (const argv of [['help'], ['--help'], ['-h']]) assert.deepEqual(chooseSubcommand(argv, table, 'headless'), { kind: 'help' });
    assert.deepEqual(chooseSubcommand(['--config', 'x', '--help'], table, 'headless'), { kind: 'run', name: 'headless', args: ['--config', 'x', '--help'] });
  });

  test('an unknown name, or a name from Object.prototype, is a mistake', () => {
    assert.deepEqual(chooseSubcommand(['tema'], table, 'headless'), { kind: 'unknown', name: 'tema' });
    assert.deepEqual(chooseSubcommand(['toString'], table, 'headless'), { kind: 'unknown', name: 'toString' });
  });

  test('the overview lists every subcommand and marks the default', () => {
    const o = overview(table, 'headless');
    assert.match(o, /^ {2}headless +run the core \(the default\)$/m);
    assert.match(o, /^ {2}team +team things$/m);
    assert.match(o, /^ {2}help +this overview$/m);
  });

  test('runCommand runs the subcommand and returns its exit code; 2 and the overview on stderr for an unknown one', async () => {
    calls.length = 0;
    const out = new PassThrough();
    const err = new PassThrough();
    assert.equal(await runCommand(['team', 'init'], table, 'headless', out, err), 3);
    assert.equal(await runCommand(['--config', 'c.json'], table, 'headless', out, err), 0);
    assert.deepEqual(calls, [['team', 'init'], ['headless', '--config', 'c.json']]);
    assert.equal(await runCommand(['nope'], table, 'headless', out, err), 2);
    assert.match(text(err), /unknown command "nope"[\s\S]*team things/);
    assert.equal(text(out), '');
    assert.equal(await runCommand(['help'], table, 'headless', out, err), 0);
    assert.match(text(out), /usage: linedesk/);
  });
});

/**
 * The `linedesk` command (package.json "bin" → bin/linedesk.js, which runs this file's
 * bundle, dist/linedesk/linedesk.cjs, built by scripts/build-headless.mjs).
 *
 * To add a subcommand (say `linedesk team init`): add an entry below whose run() imports
 * its module when called; the bundle then evaluates that module only when the subcommand
 * runs, so `linedesk --config FILE` starts no slower. Its folder must be one that
 * src-main/headless may import (.dependency-cruiser.cjs).
 */
import { runMain } from '../common/run-main.js';
import { runCommand, type SubcommandTable } from './linedesk-command.js';

const subcommands: SubcommandTable = {
  headless: {
    summary: 'run LineDesk without a window: JSON-line events out, commands in',
    run: async (argv) => (await import('./headless-main.js')).runHeadless(argv),
  },
  team: {
    summary: 'set up the team database: team init, team add-user (docs/team.md)',
    run: async (argv) => (await import('../team/team-command.js')).runTeam(argv),
  },
};

runMain(() => runCommand(process.argv.slice(2), subcommands, 'headless'));

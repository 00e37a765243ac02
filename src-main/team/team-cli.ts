#!/usr/bin/env node
// `npm run team -- init …` from a checkout: the same as `linedesk team init …`.
import { runMain } from '../common/run-main.js';
import { runTeam } from './team-command.js';

runMain(() => runTeam(process.argv.slice(2)));

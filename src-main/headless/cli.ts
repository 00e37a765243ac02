#!/usr/bin/env node
/**
 * The headless runner as the compiled file the tests and `node dist/src-main/headless/cli.js
 * --config FILE` start. The `linedesk` command (bin/linedesk.js) runs the same runHeadless.
 */
import { runMain } from '../common/run-main.js';
import { runHeadless } from './headless-main.js';

runMain(() => runHeadless(process.argv.slice(2)));

/**
 * The entry point of a media worker thread (worker-pool.ts starts it): the calls' media of
 * this worker, driven by messages from the main thread. An exception nobody catches ends the
 * thread; the main thread sees it exit, starts another and re-opens or ends its calls.
 */
import { parentPort } from 'node:worker_threads';
import { systemClock } from '../../common/clock.js';
import type { FromWorker, ToWorker } from './media-protocol.js';
import { MediaWorkerHost } from './media-worker-host.js';
import { workerLogger } from './worker-log.js';

const port = parentPort;
if (!port) throw new Error('media-worker-main runs only as a worker thread');

const post = (m: FromWorker): void => port.postMessage(m);
let host: MediaWorkerHost | undefined;

port.on('message', (m: ToWorker) => {
  if (m.t === 'init') host = new MediaWorkerHost(post, systemClock, workerLogger(post, m.init.logLevel));
  host?.handle(m);
});
port.on('close', () => host?.close());

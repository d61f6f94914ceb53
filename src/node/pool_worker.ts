// A pool worker in Node (started by src/node/platform.ts): the shared body with its workerData.
import { workerData } from 'node:worker_threads';
import { poolWorker } from '../backend/wasm/pool_worker.js';

poolWorker(workerData);

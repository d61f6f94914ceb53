// The thread pool says what runs: ready() resolves with the threads that booted, the workers' task
// counts show who computed, a request the host cannot honour says why once and keeps one thread,
// and setPoolWorker (a browser setting) is refused in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as nv from '../../src/index.js';

test('ready(): 2 threads booted, and the worker runs tasks of a matmul', async () => {
  const before = nv.getNumThreads();
  try {
    nv.setNumThreads(2);
    assert.equal(await nv.ready(), 2);
    assert.equal(nv.wasmInfo().workingThreads, 2);
    const start = nv.wasmInfo().tasksRun[1] ?? 0;
    const a = nv.randn([384, 384]), b = nv.randn([384, 384]);
    // NOTE: a busy host may not schedule the worker during one job; over many it takes some.
    for (let i = 0; i < 200 && (nv.wasmInfo().tasksRun[1] ?? 0) === start; i++) nv.matmul(a, b);
    assert.ok(nv.wasmInfo().tasksRun[1]! > start, `worker tasks: ${nv.wasmInfo().tasksRun}`);
  } finally {
    nv.setNumThreads(before);
  }
});

test('setPoolWorker is a browser setting: refused in Node with a clear message', () => {
  assert.throws(() => nv.setPoolWorker('/pool-worker.js'), /setPoolWorker: Node starts its pool workers itself; this setting is for browsers/);
});

test('unshared memory (what a page without isolation gets): setNumThreads(2) says why once, one thread works', () => {
  const index = fileURLToPath(new URL('../../src/index.js', import.meta.url));
  const script = `const nv = await import(${JSON.stringify(index)});
    nv.setNumThreads(2); nv.setNumThreads(2); nv.setNumThreads(3);
    console.log(JSON.stringify({ n: nv.getNumThreads(), ready: await nv.ready(), info: nv.wasmInfo() }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NERVA_WASM_SHARED: '0' }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.n, 1);
  assert.equal(out.ready, 1);
  assert.equal(out.info.shared, false);
  assert.match(out.info.singleThreadReason, /unshared memory/);
  const warnings = r.stderr.split('\n').filter((l) => l.includes('running on 1 thread'));
  assert.deepEqual(warnings.length, 2, r.stderr); // one per distinct request, not one per call
  assert.match(warnings[0]!, /^nerva: setNumThreads\(2\): running on 1 thread, because the kernels run on unshared memory/);
});

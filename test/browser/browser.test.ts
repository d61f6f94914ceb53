// Nerva in real headless Chromium: the test page bundled with esbuild, Vite and webpack (no
// configuration), served plain and cross-origin isolated, run on the page's main thread and in a
// Web Worker. Each run must give Node's results bit for bit on the same number of threads; with
// isolation the pool's worker must have run tasks; without it, asking for 2 threads says why and
// runs on one. Then the bad inputs: a pool worker URL that does not exist. Screenshots go to
// artifacts/browser/. Skips (saying so) where /usr/bin/chromium is absent; .ci/run installs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as nv from '../../src/index.js';
import { scenario, type ScenarioResult } from './scenario.js';
import { ARTIFACTS, CHROMIUM, bundleEsbuild, bundleVite, bundleWebpack, launch, makeProject, runPage, serve } from './harness.js';

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium); the browser tests need it`;

function assertSameAsNode(got: ScenarioResult, want: ScenarioResult, what: string): void {
  assert.equal(got.tensorSum, 28, `${what}: tensor arithmetic`);
  assert.equal(got.variant, want.variant, `${what}: SIMD variant`);
  assert.deepEqual(got.matmul, want.matmul, `${what}: matmul bits`);
  assert.deepEqual(got.conv, want.conv, `${what}: conv2d forward and backward bits`);
  assert.deepEqual(got.losses, want.losses, `${what}: LeNet-5 losses bit for bit`);
  assert.match(got.badCheckpoint, /^upload\.bin: /, `${what}: wrong-format checkpoint bytes`);
  assert.equal(got.badCheckpoint, want.badCheckpoint, `${what}: the same message as in Node`);
  assert.deepEqual(got.sideEffects, ['object', 'function'], `${what}: Tensor.T and Module.freeze survived tree shaking`);
}

test('browser: esbuild, Vite and webpack bundles, plain and isolated, page and Web Worker, equal Node bit for bit', { skip, timeout: 480_000 }, async (t) => {
  // Node's results on 1 and 2 threads, from the same scenario code.
  const node = { 1: await scenario(nv, 1), 2: await scenario(nv, 2) } as Record<number, ScenarioResult>;
  assert.ok(node[2]!.tasks[1]! > 0, 'Node: the worker ran tasks');
  assert.match(node[1]!.badCheckpoint, /upload\.bin: .*safetensors/i);

  const project = makeProject();
  const roots = { esbuild: await bundleEsbuild(project), vite: await bundleVite(project), webpack: await bundleWebpack(project) };
  const server = await serve(roots);
  const browser = await launch();
  rmSync(ARTIFACTS, { recursive: true, force: true });
  try {
    for (const bundler of ['esbuild', 'vite'] as const) {
      for (const mode of ['plain', 'iso'] as const) {
        for (const where of ['page', 'worker'] as const) {
          await t.test(`${bundler} ${mode} ${where}`, async () => {
            const what = `${bundler}, ${mode === 'iso' ? 'isolated' : 'not isolated'}, in the ${where}`;
            const run = await runPage<ScenarioResult>(browser.context, `${server.origin}/${mode}/${bundler}/index.html?threads=2&in=${where}`,
              join(ARTIFACTS, `${bundler}-${mode}-${where}.png`));
            assert.equal(run.error, undefined, `${what}: ${run.error} (console: ${run.console.join(' | ')})`);
            const r = run.result!;
            const threads = mode === 'iso' ? 2 : 1;
            assert.equal(r.working, threads, `${what}: threads working`);
            assertSameAsNode(r, node[threads]!, what);
            if (mode === 'iso') assert.ok(r.tasks[1]! > 0, `${what}: the pool worker ran tasks (${r.tasks})`);
            else if (where === 'page') {
              assert.ok(run.console.some((m) => /setNumThreads\(2\): running on 1 thread, because the page is not cross-origin isolated/.test(m)),
                `${what}: the warning (console: ${run.console.join(' | ')})`);
            }
          });
        }
      }
    }
    // webpack, the third bundler: the isolated cases (the plain ones differ from the others only in
    // the page's headers).
    for (const where of ['page', 'worker'] as const) {
      await t.test(`webpack iso ${where}`, async () => {
        const run = await runPage<ScenarioResult>(browser.context, `${server.origin}/iso/webpack/index.html?threads=2&in=${where}`,
          join(ARTIFACTS, `webpack-iso-${where}.png`));
        assert.equal(run.error, undefined, `webpack: ${run.error} (console: ${run.console.join(' | ')})`);
        assert.equal(run.result!.working, 2);
        assertSameAsNode(run.result!, node[2]!, `webpack, isolated, in the ${where}`);
        assert.ok(run.result!.tasks[1]! > 0, `webpack: the pool worker ran tasks (${run.result!.tasks})`);
      });
    }
    await t.test('a pool worker URL that does not exist: a warning naming it, and one thread that works', async () => {
      const run = await runPage<ScenarioResult>(browser.context, `${server.origin}/iso/esbuild/index.html?threads=2&in=page&poolWorker=/iso/esbuild/no-such-worker.js`,
        join(ARTIFACTS, 'missing-worker.png'));
      assert.equal(run.error, undefined, run.error);
      assert.ok(run.console.some((m) => /thread pool worker 1 failed to start from \/iso\/esbuild\/no-such-worker\.js/.test(m)), run.console.join(' | '));
      assert.equal(run.result!.working, 1);
      assertSameAsNode(run.result!, node[1]!, 'missing worker');
    });
  } finally {
    await browser.close();
    await server.close();
    rmSync(project, { recursive: true, force: true });
  }
});

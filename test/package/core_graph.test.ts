// The core is platform-free: the package's main entry (dist/src/index.js), resolved the way a
// browser bundler resolves it (esbuild, platform 'browser': the 'browser'/'import'/'default'
// conditions, so '#nerva/platform' is the web platform), reaches no Node built-in, statically or
// through import(), and no module of src/node/ or src/cli/. And it stays small: ≤ 150 KB gzipped,
// minified (the kernels, embedded as base64, are most of it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { gzipSync } from 'node:zlib';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

async function bundle(entry: string, minify: boolean) {
  const esbuild = await import('esbuild');
  return esbuild.build({
    entryPoints: [join(repo, entry)], bundle: true, format: 'esm', platform: 'browser', write: false, metafile: true,
    minify, logLevel: 'silent', absWorkingDir: repo,
  });
}

test('core graph: dist/src/index.js reaches no Node built-in and nothing of src/node or src/cli', async () => {
  let result;
  try {
    result = await bundle('dist/src/index.js', false);
  } catch (e) {
    assert.fail(`the core does not bundle for the browser: ${(e as Error).message}`);
  }
  const inputs = result.metafile!.inputs;
  const files = Object.keys(inputs).map((f) => relative(repo, join(repo, f)));
  assert.ok(files.length > 50, `the walk saw the whole graph (${files.length} modules)`);
  assert.ok(files.includes('dist/src/backend/wasm/platform_web.js'), 'the browser platform is the one resolved');
  const platformSpecific = files.filter((f) => /^dist\/src\/(node|cli)\//.test(f));
  assert.deepEqual(platformSpecific, [], 'modules of src/node or src/cli in the core');
  const reached: string[] = [];
  for (const [file, input] of Object.entries(inputs)) {
    for (const imp of input.imports) if (builtins.has(imp.path) || imp.path.startsWith('node:')) reached.push(`${file} -> ${imp.path} (${imp.kind})`);
  }
  assert.deepEqual(reached, [], 'Node built-ins imported by the core');
});

test('core bundle: at most 150 KB gzipped (minified)', async () => {
  const result = await bundle('dist/src/index.js', true);
  const js = result.outputFiles![0]!.contents;
  const gz = gzipSync(js, { level: 9 }).length;
  console.log(`core bundle: ${(js.length / 1024).toFixed(0)} KB minified, ${(gz / 1024).toFixed(1)} KB gzipped`);
  assert.ok(gz <= 150 * 1024, `core bundle is ${(gz / 1024).toFixed(1)} KB gzipped, over 150 KB`);
});

test('the browser-safe sub-entries (nn, optim, models, vision, data, train, worker, lm, lm/neural) bundle for the browser too', async () => {
  for (const sub of ['nn', 'optim', 'models', 'vision', 'data', 'train', 'worker', 'lm', 'lm/neural']) {
    const result = await bundle(`dist/src/${sub}/index.js`, false).catch((e: Error) => assert.fail(`nerva/${sub}: ${e.message}`));
    const bad = Object.keys(result.metafile!.inputs).filter((f) => /dist\/src\/(node|cli)\//.test(f));
    assert.deepEqual(bad, [], `nerva/${sub} reaches Node-only modules`);
  }
});

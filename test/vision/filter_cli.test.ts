// `nerva filter` end to end: the output file equals the library's result, and every bad input is
// one line on stderr, exit status 1, and no output file (nor a temp file) left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng } from '../../src/vision/codec.js';
import { imageToTensor, tensorToImage, type Image } from '../../src/vision/image.js';
import { readImage, sampleImagePath } from '../../src/node/vision_io.js';
import { filterPipeline, namedFilter, KERNEL_NAMES } from '../../src/vision/filters.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nerva-filter-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function nerva(...args: string[]) {
  const r = spawnSync(process.execPath, [main, 'filter', ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const picture: Image = {
  width: 12, height: 9, channels: 3,
  data: new Uint8Array(12 * 9 * 3).map((_, i) => (i * 37 + (i % 7) * 11) % 256),
};
const small = join(dir, 'small.png');
writeFileSync(small, encodePng(picture));

test('nerva filter writes what the library computes (sobel, gray + gaussian + max pool)', () => {
  // --backend ref: the same kernels as this process, so the bytes must match exactly (wasm sums in
  // another order and may round a value the other way).
  let r = nerva(small, '--kernel', 'sobel', '-o', 'sobel.png', '--backend', 'ref');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote sobel\.png \(12×9, RGB\)/);
  const want = tensorToImage(filterPipeline(imageToTensor(picture), { filter: namedFilter('sobel') }));
  assert.deepEqual([...readImage(join(dir, 'sobel.png')).data], [...want.data]);

  r = nerva(small, '-k', 'gaussian', '--ksize', '3', '--sigma', '0.7', '--gray', '--padding', 'reflect', '--pool', 'max', '--size', '2', '-o', 'g.png', '--backend', 'ref');
  assert.equal(r.code, 0, r.stderr);
  const g = readImage(join(dir, 'g.png'));
  const want2 = tensorToImage(filterPipeline(imageToTensor(picture, { mode: 'gray' }), {
    filter: namedFilter('gaussian', { size: 3, sigma: 0.7 }), padding: 'reflect', pool: { kind: 'max', size: 2 },
  }));
  assert.deepEqual([g.width, g.height, g.channels], [6, 4, 1]);
  assert.deepEqual([...g.data], [...want2.data]);

  // Pooling alone: --stride is the pool's stride.
  r = nerva(small, '--pool', 'avg', '--size', '3', '--stride', '3', '-o', 'p.png');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([readImage(join(dir, 'p.png')).width, readImage(join(dir, 'p.png')).height], [4, 3]);
  const listed = nerva('--list').stdout.split('\n').map((l) => l.trim().split(/\s+/)[0]).filter(Boolean);
  assert.deepEqual(listed, [...KERNEL_NAMES]);
});

test('the default input is the acanthus-mollis photo', () => {
  const r = nerva('--kernel', 'box', '--max-side', '64', '-o', 'default.png');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /from 790×1024 image\.jpg/);
  const out = readImage(join(dir, 'default.png'));
  assert.deepEqual([out.width, out.height], [49, 64]);
  assert.ok(existsSync(sampleImagePath()));
});

test('bad input: one line naming the problem, exit 1, no output file', () => {
  writeFileSync(join(dir, 'cut.png'), readFileSync(small).subarray(0, 60));
  writeFileSync(join(dir, 'cut.jpg'), readFileSync(sampleImagePath()).subarray(0, 5000));
  writeFileSync(join(dir, 'notes.png'), 'not a picture\n');
  const cases: [string[], RegExp][] = [
    [['missing.png'], /cannot read image 'missing\.png': no such file/],
    [['cut.png'], /'cut\.png': truncated or corrupt PNG/],
    [['cut.jpg'], /'cut\.jpg': truncated or corrupt JPEG/],
    [['notes.png'], /'notes\.png' is not a PNG or JPEG image/],
    [[small, '--kernel', 'sobol'], /unknown kernel 'sobol'; named kernels: identity, box/],
    [[small, '--kernel', '[[1,2,3],[4,5]]'], /row 2 has 2 numbers but row 1 has 3: the matrix must be rectangular/],
    [[small, '--kernel', '[[1,x],[0,1]]'], /'x' in row 1, column 2 is not a number/],
    [[small, '--stride', '0'], /--stride must be a positive integer, got '0'/],
    [[small, '--kernel', 'gaussian', '--ksize', '11', '--padding', 'valid'], /the image \(12×9 pixels\) is smaller than the 11×11 kernel/],
    [[small, '--padding', 'mirror'], /unknown padding 'mirror'/],
    [[small, '--pool', 'median'], /unknown --pool 'median'/],
    [[small, '--pool', 'max', '--size', '10'], /smaller than the 10×10 pooling window/],
    [[small, '--bogus'], /filter: Unknown option '--bogus'/],
    [[small, '-o', 'out.bmp'], /cannot tell the image format of 'out\.bmp'/],
    [[small, '-o', 'no/such/dir/out.png'], /the folder 'no\/such\/dir' does not exist/],
  ];
  for (const [args, pattern] of cases) {
    const out = args.includes('-o') ? args[args.indexOf('-o') + 1]! : 'bad.png';
    const r = nerva(...args, ...(args.includes('-o') ? [] : ['-o', out]));
    assert.equal(r.code, 1, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0]!, /^nerva: /);
    assert.match(lines[0]!, pattern, args.join(' '));
    assert.ok(!existsSync(join(dir, out)), `${args.join(' ')} left an output file`);
  }
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});

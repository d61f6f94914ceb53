// `nerva train` on a user's own folder of pictures (one sub-folder per class), end to end: it
// learns a two-class task that is easy to see, writes its checkpoint, and `nerva predict` reads a
// picture from the same folder with the class names of the folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pngjs from 'pngjs';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'main.js');
const nerva = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });

/** A 28×28 gray PNG: dark noise with a bright 10×10 square at (x0, y0). */
function picture(x0: number, y0: number, seed: number): Buffer {
  const png = new pngjs.PNG({ width: 28, height: 28, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  let s = seed;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const inside = x >= x0 && x < x0 + 10 && y >= y0 && y < y0 + 10;
      png.data[y * 28 + x] = inside ? 200 + (s % 55) : s % 60;
    }
  }
  return pngjs.PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

test('train lenet5 on a folder of PNGs (two classes), then predict one of them', () => {
  const root = mkdtempSync(join(tmpdir(), 'nerva-folder-'));
  const data = join(root, 'shapes');
  for (const [cls, x0, y0] of [['top-left', 2, 2], ['bottom-right', 16, 16]] as const) {
    mkdirSync(join(data, cls), { recursive: true });
    for (let i = 0; i < 40; i++) writeFileSync(join(data, cls, `${i}.png`), picture(x0 + (i % 3), y0 + ((i >> 2) % 3), i + 1));
  }
  const out = join(root, 'run');
  const r = nerva('train', 'lenet5', '--dataset', data, '--epochs', '4', '--batch-size', '8', '--out', out, '--quiet');
  assert.equal(r.status, 0, r.stderr);
  const acc = Number(/test accuracy (\d+\.\d\d)% after 4 epochs/.exec(r.stdout)?.[1]);
  assert.ok(acc >= 87.5, `test accuracy ${acc}% on an easy two-class folder:\n${r.stdout}`);
  const p = nerva('predict', join(out, 'checkpoint.safetensors'), join(data, 'bottom-right', '0.png'));
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /^.*0\.png\n\s+bottom-right\s+\d+\.\d\d%/); // the top class comes first
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The README's first example must keep working: its loss falls and it separates the moons.
test('examples/two_moons: loss falls and accuracy ends above 95%', () => {
  const script = fileURLToPath(new URL('../../examples/two_moons.js', import.meta.url));
  const out = execFileSync(process.execPath, [script], { encoding: 'utf8' });
  const rows = [...out.matchAll(/loss ([\d.]+)\s+accuracy ([\d.]+)%/g)].map((m) => ({ loss: Number(m[1]), acc: Number(m[2]) }));
  assert.ok(rows.length >= 2, out);
  assert.ok(rows.at(-1)!.loss < rows[0]!.loss / 5, out);
  assert.ok(rows.at(-1)!.acc > 95, out);
});

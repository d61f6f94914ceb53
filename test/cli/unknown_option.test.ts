import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Every subcommand answers an unknown option with one line naming it and the command — never a stack.
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const commands = [
  ['train'], ['eval', 'x'], ['predict', 'x', 'y'], ['summary', 'lenet5'], ['filter'], ['viz', 'x'],
  ['finetune', 'x'], ['export', 'x'], ['import', 'x'], ['lm', 'train'], ['lm', 'eval', 'x'], ['lm', 'sample', 'x'],
  ['ngram', 'train'], ['ngram', 'ppl', 'x', 'y'], ['ngram', 'sample', 'x'], ['ngram', 'query', 'x'],
  ['seq2seq', 'train'], ['seq2seq', 'eval', 'x', 'y'], ['seq2seq', 'translate', 'x'], ['g2p', 'x'], ['g2p', 'split'],
  ['classify', 'train'], ['classify', 'eval', 'x', 'y'], ['classify', 'predict', 'x', 'y'], ['tag', 'train'], ['tag', 'eval', 'x', 'y'], ['tag', 'predict', 'x'],
];

for (const args of commands) {
  test(`nerva ${args.join(' ')} --no-such-option: a one-line error`, () => {
    const r = spawnSync(process.execPath, [cli, ...args, '--no-such-option'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^nerva: .*'--no-such-option'/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
}

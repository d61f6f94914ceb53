import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SPACE_TOKEN, Tokenizer, detokenize } from '../../src/lm/tokenize.js';

test('word level: default pattern, lowercase, sentences split at . ! ? and blank lines across wrapped lines', () => {
  const t = new Tokenizer({ level: 'word' });
  const text = 'Call me Ishmael. Some years ago—never mind\nhow long—I don\'t know!\n\nA new paragraph, no stop\n\nEnd';
  assert.deepEqual(t.sentencesOf(text), [
    ['call', 'me', 'ishmael', '.'],
    ['some', 'years', 'ago', 'never', 'mind', 'how', 'long', 'i', "don't", 'know', '!'],
    ['a', 'new', 'paragraph', ',', 'no', 'stop'],
    ['end'],
  ]);
  assert.deepEqual(new Tokenizer({ level: 'word', lowercase: false, sentences: 'line' }).sentencesOf('Hello, World. Again\n\nX'), [
    ['Hello', ',', 'World', '.', 'Again'],
    ['X'],
  ]);
});

test('char level: code points, whitespace runs as one ▁', () => {
  const t = new Tokenizer({ level: 'char' });
  assert.deepEqual(t.sentencesOf('ab  c🐳\n\n d'), [['a', 'b', SPACE_TOKEN, 'c', '🐳'], ['d']]);
  assert.equal(detokenize(['a', SPACE_TOKEN, 'b'], 'char'), 'a b');
});

test('whitespace level: KenLM delimiters; a blank line is an empty sentence', () => {
  const t = new Tokenizer({ level: 'whitespace' });
  assert.deepEqual(t.sentencesOf('a  b\tc\r\n\nd'), [['a', 'b', 'c'], [], ['d']]);
});

import { Tensor } from '../../tensor/tensor.js';
import { Generator } from '../../tensor/random.js';
import { noGrad } from '../../autograd/grad_mode.js';
import type { LMState, RNNLM } from '../../models/rnn_lm.js';
import { NervaError } from '../../errors.js';
import { EOS, UNK, type Vocabulary } from '../vocab.js';
import { SPACE_TOKEN } from '../tokenize.js';
import { sentencesOf, type LMTokenizerSpec } from './data.js';

export interface SampleOptions {
  /** 0 = greedy (argmax); <1 sharper, >1 flatter (default 1) */
  temperature?: number;
  /** keep only the k most likely tokens (0 = all) */
  topK?: number;
  /** keep the smallest set of most likely tokens whose probability reaches p (1 = all) */
  topP?: number;
}

function checkOptions(o: SampleOptions): Required<SampleOptions> {
  const temperature = o.temperature ?? 1;
  const topK = o.topK ?? 0;
  const topP = o.topP ?? 1;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new NervaError(`temperature must be a number >= 0, got ${temperature}`);
  if (!Number.isInteger(topK) || topK < 0) throw new NervaError(`top-k must be an integer >= 0, got ${topK}`);
  if (!(topP > 0 && topP <= 1)) throw new NervaError(`top-p must be in (0, 1], got ${topP}`);
  return { temperature, topK, topP };
}

/**
 * Draws one id from logits. The candidates are filtered by top-k, then top-p (nucleus), then one is
 * drawn from softmax(logits / temperature) over what is left; temperature 0 takes the argmax.
 * `banned` ids are never drawn (e.g. `<s>`, which is never a target).
 */
export function sampleFromLogits(logits: ArrayLike<number>, options: SampleOptions, gen: Generator, banned: readonly number[] = []): number {
  const { temperature, topK, topP } = checkOptions(options);
  const V = logits.length;
  const ids: number[] = [];
  for (let i = 0; i < V; i++) if (!banned.includes(i) && !Number.isNaN(logits[i]!)) ids.push(i);
  if (ids.length === 0) throw new NervaError('sampling: no candidate token (all logits are NaN)');
  ids.sort((a, b) => logits[b]! - logits[a]! || a - b);
  if (temperature === 0) return ids[0]!;
  let n = topK > 0 ? Math.min(topK, ids.length) : ids.length;
  const max = logits[ids[0]!]!;
  const w = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    w[i] = Math.exp((logits[ids[i]!]! - max) / temperature);
    total += w[i]!;
  }
  if (topP < 1) {
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += w[i]! / total;
      if (acc >= topP) {
        n = i + 1;
        break;
      }
    }
    total = 0;
    for (let i = 0; i < n; i++) total += w[i]!;
  }
  let u = gen.random() * total;
  for (let i = 0; i < n; i++) {
    u -= w[i]!;
    if (u < 0) return ids[i]!;
  }
  return ids[n - 1]!;
}

/** The prompt as ids (char level: every character must be in the vocabulary; word level: unknown words are `<unk>`). */
export function encodePrompt(prompt: string, vocab: Vocabulary, spec: LMTokenizerSpec): number[] {
  if (prompt === '') return [];
  const sentences = sentencesOf(prompt, { ...spec, sentences: 'line' });
  const ids: number[] = [];
  sentences.forEach((s, i) => {
    if (i > 0) ids.push(EOS);
    for (const tok of s) {
      const id = vocab.get(tok);
      if (id < 0 && spec.level === 'char') {
        const shown = tok === SPACE_TOKEN ? 'space' : `'${tok}' (U+${tok.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;
        throw new NervaError(`the prompt's character ${shown} is not in the model's vocabulary of ${vocab.size} tokens; remove or replace it`);
      }
      ids.push(id < 0 ? UNK : id);
    }
  });
  // A prompt ending in a space continues after the space (the tokenizer trims it).
  if (spec.level === 'char' && /\s$/u.test(prompt) && ids.length > 0) {
    const sp = vocab.get(SPACE_TOKEN);
    if (sp >= 0) ids.push(sp);
  }
  return ids;
}

export interface GenerateOptions extends SampleOptions {
  /** tokens to generate after the prompt */
  length: number;
  /** prompt ids (from encodePrompt); generation starts after `</s>` and these */
  prompt?: readonly number[];
  seed?: number;
  /**
   * Tokens drawn and thrown away before the prompt (default 0). A model trained with truncated
   * BPTT carries its state across the whole corpus and rarely sees a zero state, so its first few
   * dozen tokens from a cold start are poor; a burn-in warms the state, then `</s>` and the prompt
   * start a fresh line as the model knows them from mid-text.
   */
  burnIn?: number;
  /** called with each generated id as soon as it is drawn (streaming) */
  onToken?: (id: number) => void;
}

/**
 * Generates ids one at a time: the model reads `</s>` (start of text), then the prompt, then each
 * drawn token. Seeded: the same seed, model and options give the same text. Returns the new ids.
 */
export function generate(model: RNNLM, options: GenerateOptions): number[] {
  const gen = new Generator(options.seed ?? Date.now());
  checkOptions(options);
  if (!Number.isInteger(options.length) || options.length < 0) throw new NervaError(`length must be an integer >= 0, got ${options.length}`);
  const wasTraining = model.training;
  model.eval();
  const out: number[] = [];
  try {
    noGrad(() => {
      const burnIn = options.burnIn ?? 0;
      if (!Number.isInteger(burnIn) || burnIn < 0) throw new NervaError(`burnIn must be an integer >= 0, got ${burnIn}`);
      let warm: LMState | undefined;
      if (burnIn > 0) {
        let r = model.run(new Tensor(Int32Array.of(EOS), [1, 1]));
        for (let i = 0; i < burnIn; i++) {
          const id = sampleFromLogits(r.logits.toTypedArray(), options, gen, [1]);
          r = model.run(new Tensor(Int32Array.of(id), [1, 1]), r.state);
        }
        warm = r.state;
      }
      const context = [EOS, ...(options.prompt ?? [])];
      // Read the whole context in one call, then one token at a time.
      let { logits, state } = model.run(new Tensor(Int32Array.from(context), [context.length, 1]), warm);
      let last = logits.toTypedArray().subarray((context.length - 1) * model.config.vocabSize);
      for (let i = 0; i < options.length; i++) {
        const id = sampleFromLogits(last, options, gen, [1]);
        out.push(id);
        options.onToken?.(id);
        if (i === options.length - 1) break;
        const r: { logits: Tensor; state: LMState } = model.run(new Tensor(Int32Array.of(id), [1, 1]), state);
        state = r.state;
        last = r.logits.toTypedArray();
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return out;
}

#!/usr/bin/env node
/** The `nerva` command: one file per subcommand, loaded on demand so start-up stays fast. */
import { NervaError } from '../errors.js';

type Runner = (argv: string[]) => Promise<void>;
const commands: Record<string, { about: string; load: () => Promise<Runner> }> = {
  // Each entry: name → lazy import of src/cli/<name>.ts exporting `run(argv)`.
  train: { about: 'train a network (e.g. nerva train lenet5) on MNIST, Fashion-MNIST or a folder of images', load: async () => (await import('./train.js')).run },
  eval: { about: 'evaluate a checkpoint on its test set: accuracy, loss, confusion matrix', load: async () => (await import('./eval.js')).run },
  predict: { about: 'classify an image with a checkpoint: top-5 classes with probabilities', load: async () => (await import('./predict.js')).run },
  summary: { about: 'layer table of an architecture or checkpoint: output shapes, parameter counts', load: async () => (await import('./summary.js')).run },
  seq2seq: { about: 'encoder–decoder models with attention on source<TAB>target pairs: train, eval, translate', load: async () => (await import('./seq2seq.js')).run },
  g2p: { about: 'grapheme-to-phoneme: the pronunciation of English words (and the CMUdict benchmark split)', load: async () => (await import('./g2p.js')).run },
  ngram: { about: 'n-gram language models: train, ppl, sample, query (ARPA, KenLM-equal)', load: async () => (await import('./ngram.js')).run },
  filter: { about: 'classic image filters (Sobel, blur, sharpen…) and pooling on a picture', load: async () => (await import('./filter.js')).run },
  viz: { about: 'feature maps and first-layer filters of a trained CNN for one picture; training curves', load: async () => (await import('./viz.js')).run },
  finetune: { about: 'fine-tune a checkpoint on new data: freeze layers, new head, few labels', load: async () => (await import('./finetune.js')).run },
  export: { about: "write a checkpoint's weights as plain safetensors (PyTorch state-dict names)", load: async () => (await import('./export.js')).run },
  import: { about: 'turn torchvision/PyTorch safetensors weights into a checkpoint (--arch resnet18…)', load: async () => (await import('./import.js')).run },
  lm: { about: 'recurrent (LSTM/GRU/RNN) language models: train, eval, sample', load: async () => (await import('./lm.js')).run },
  classify: { about: 'sequence classification (text → label): train, eval, predict; naive-Bayes baseline', load: async () => (await import('./classify.js')).run },
  tag: { about: 'sequence tagging (a label per token, CoNLL files): train, eval, predict', load: async () => (await import('./tag.js')).run },
};

function usage(): string {
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.about}`);
  return ['usage: nerva <command> [options]', '', 'commands:', ...rows, '', 'nerva <command> --help for its options'].join('\n');
}

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return;
  }
  const command = commands[name];
  if (command === undefined) throw new NervaError(`unknown command '${name}'\n${usage()}`);
  const run = await command.load();
  await run(rest);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // Errors we raise on purpose are one line for the user; anything else is a bug and keeps its stack.
  if (err instanceof NervaError) {
    console.error(`nerva: ${err.message}`);
  } else {
    console.error(err);
  }
  process.exitCode = 1;
});

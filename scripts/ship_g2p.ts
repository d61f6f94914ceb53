/**
 * Writes the G2P model that ships with the package (models/g2p-cmudict) from a trained model
 * folder: the weights alone (no optimizer state) as float16 — half the bytes; they load back as
 * float32 — and the folder's vocab.json. Score the shipped files themselves with
 * `nerva seq2seq eval models/g2p-cmudict TEST.tsv`.
 *
 *   npm run build && node dist/scripts/ship_g2p.js runs/g2p/model [models/g2p-cmudict]
 */
import { copyFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadSeq2Seq, saveSeq2Seq, MODEL_FILE, VOCAB_FILE } from '../src/node/seq2seq_store.js';
import { makeDirectories } from '../src/node/atomic.js';

const [from, to = 'models/g2p-cmudict'] = process.argv.slice(2);
if (from === undefined) throw new Error('usage: node dist/scripts/ship_g2p.js MODEL_DIR [OUT_DIR]');
const { model } = loadSeq2Seq(from);
makeDirectories(to);
saveSeq2Seq(to, model, { step: 0, epoch: 0, float16: true, extra: { shippedFrom: from } });
copyFileSync(join(from, VOCAB_FILE), join(to, VOCAB_FILE));
console.log(`${join(to, MODEL_FILE)}: ${model.numParameters().toLocaleString('en-US')} parameters as float16, ${(statSync(join(to, MODEL_FILE)).size / 2 ** 20).toFixed(1)} MiB`);

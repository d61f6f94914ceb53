import { existsSync } from 'node:fs';
import { parseCommand } from './args.js';
import { loadCheckpoint } from '../node/checkpoint.js';
import { saveSafetensors } from '../node/safetensors.js';
import { NervaError } from '../errors.js';

function usage(): string {
  return [
    'usage: nerva export CHECKPOINT -o WEIGHTS.safetensors',
    '',
    "Writes a checkpoint's weights alone (no optimizer state) as a plain safetensors file under",
    "PyTorch's state-dict names, e.g. for torchvision: model.load_state_dict(safetensors.torch.load_file(path)).",
    '',
    'options:',
    '  -o, --out FILE   the safetensors file to write (required)',
  ].join('\n');
}

export async function run(argv: string[]): Promise<void> {
  const parsed = parseCommand('export', { args: argv, allowPositionals: true, options: { out: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } } });
  const { values, positionals } = parsed;
  if (values.help) return void console.log(usage());
  if (positionals.length !== 1) throw new NervaError(`export takes one checkpoint file, got ${positionals.length === 0 ? 'none' : positionals.join(' ')}\n${usage()}`);
  if (values.out === undefined) throw new NervaError('export: say where to write the weights with -o FILE.safetensors');
  const path = positionals[0]!;
  if (!existsSync(path)) throw new NervaError(`checkpoint '${path}' does not exist`);
  const ckpt = loadCheckpoint(path);
  const extra = ckpt.extra as { arch?: string };
  const arch = extra.arch ?? ckpt.arch;
  const metadata: Record<string, string> = { format: 'pt', source: 'nerva export' };
  if (arch) metadata.arch = arch;
  saveSafetensors(values.out, ckpt.modelState, metadata);
  const n = [...ckpt.modelState.values()].reduce((s, t) => s + t.size, 0);
  console.log(`wrote ${ckpt.modelState.size} tensors (${n.toLocaleString('en-US')} values${arch ? `, ${arch}` : ''}) to ${values.out}`);
}

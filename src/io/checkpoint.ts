import { Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import type { Optimizer, OptimizerStateDict, ParamState } from '../optim/optimizer.js';
import type { Scheduler, SchedulerStateDict } from '../optim/lr_scheduler.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsContent } from './safetensors.js';
import { FormatError, NervaError } from '../errors.js';

// A checkpoint is one safetensors file:
//   tensors:  the model's state dict under its own names (`features.0.weight`, …), then the
//             optimizer's per-parameter buffers as `optimizer.state.<index>.<key>`;
//   metadata: `format` = 'nerva.checkpoint', `arch` (the architecture name), `config` (JSON: what
//             the model was built with) and `checkpoint` (JSON: epoch, step, RNG state, optimizer
//             groups and counters, scheduler state, extra).
// So any safetensors reader (Python's included) sees the weights under PyTorch's names.
// This module works on bytes (encodeCheckpoint, decodeCheckpoint); src/node/checkpoint.ts adds
// the files (saveCheckpoint, loadCheckpoint).

export const CHECKPOINT_FORMAT = 'nerva.checkpoint';
const OPT_PREFIX = 'optimizer.state.';

export interface CheckpointContents {
  model: Module;
  optimizer?: Optimizer;
  scheduler?: Scheduler;
  epoch?: number;
  step?: number;
  /** the global generator's state (getRngState()); NaN entries are stored as null */
  rngState?: readonly (number | null)[];
  /** anything else JSON-able (dataset, options, train-loop state) */
  extra?: Record<string, unknown>;
  /** architecture name for rebuilding the model (default: extra.arch, else the model's class name) */
  arch?: string;
  /** JSON-able constructor options of the model (numClasses, inChannels…) */
  config?: Record<string, unknown>;
  /** store the float tensors as IEEE half (a model to ship; they load back as float32) */
  float16?: boolean;
}

interface CheckpointJson {
  version: 1;
  epoch: number;
  step: number;
  rngState: (number | null)[] | null;
  optimizer: { name: string; paramGroups: OptimizerStateDict['paramGroups']; scalars: Record<string, Record<string, number>> } | null;
  scheduler: SchedulerStateDict | null;
  extra: Record<string, unknown>;
}

/** The tensors and metadata of a checkpoint, as a lazy chunk sequence (see encodeSafetensors). */
export function encodeCheckpoint(c: CheckpointContents): Generator<Uint8Array> {
  const tensors = new Map<string, Tensor>(c.model.stateDict());
  let optimizer: CheckpointJson['optimizer'] = null;
  if (c.optimizer) {
    const sd = c.optimizer.stateDict();
    const scalars: Record<string, Record<string, number>> = {};
    for (const [index, state] of Object.entries(sd.state)) {
      for (const [key, v] of Object.entries(state)) {
        if (v instanceof Tensor) {
          const name = `${OPT_PREFIX}${index}.${key}`;
          if (tensors.has(name)) throw new NervaError(`saveCheckpoint: the model has a tensor named '${name}', which clashes with the optimizer state`);
          tensors.set(name, v);
        } else (scalars[index] ??= {})[key] = v;
      }
    }
    optimizer = { name: c.optimizer.constructor.name, paramGroups: sd.paramGroups, scalars };
  }
  const extra = c.extra ?? {};
  const arch = c.arch ?? (typeof extra.arch === 'string' ? extra.arch : c.model.constructor.name);
  const json: CheckpointJson = {
    version: 1,
    epoch: c.epoch ?? 0,
    step: c.step ?? 0,
    rngState: c.rngState ? c.rngState.map((v) => (v === null || Number.isNaN(v) ? null : v)) : null,
    optimizer,
    scheduler: c.scheduler ? c.scheduler.stateDict() : null,
    extra,
  };
  return encodeSafetensors(tensors, {
    format: CHECKPOINT_FORMAT,
    arch,
    config: JSON.stringify(c.config ?? {}),
    checkpoint: JSON.stringify(json),
  }, { float16: c.float16 });
}

export interface RestoreTarget {
  model: Module;
  optimizer?: Optimizer;
  scheduler?: Scheduler;
  /** refuse a checkpoint of another architecture (compared with the saved arch name) */
  arch?: string;
}

export interface LoadedCheckpoint {
  /** the file it came from, or the name given to decodeCheckpoint */
  path: string;
  /** the architecture name saved with it ('' for a plain safetensors file of weights) */
  arch: string;
  config: Record<string, unknown>;
  /** the model's tensors by state-dict name */
  modelState: Map<string, Tensor>;
  optimizerName?: string;
  optimizerState?: OptimizerStateDict;
  schedulerState?: SchedulerStateDict;
  epoch: number;
  step: number;
  rngState?: (number | null)[];
  extra: Record<string, unknown>;
  metadata: Record<string, string>;
  /**
   * Loads the state into a model (and optimizer, scheduler). All or nothing: an architecture or
   * key mismatch throws, naming the file and the keys, before anything changes; if the optimizer's
   * state does not fit, the model's previous weights are put back.
   */
  restore(target: RestoreTarget): void;
}

function parseJson<T>(path: string, key: string, text: string | undefined, fallback: T): T {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new FormatError(`${path}: checkpoint metadata '${key}' is not JSON (${(err as Error).message})`);
  }
}

/**
 * Decodes checkpoint bytes (what encodeCheckpoint wrote; in Node, saveCheckpoint's file). Plain
 * safetensors bytes of weights (e.g. exported from PyTorch) decode too, as a checkpoint with only
 * model tensors and arch ''. Anything else is refused with a FormatError naming `name`.
 */
export function decodeCheckpoint(bytes: Uint8Array, name = '<checkpoint bytes>'): LoadedCheckpoint {
  return checkpointFromSafetensors(decodeSafetensors(bytes, name), name);
}

/** The checkpoint in decoded safetensors content (`path` names it in errors). */
export function checkpointFromSafetensors({ tensors, metadata }: SafetensorsContent, path: string): LoadedCheckpoint {
  const isCheckpoint = metadata.format === CHECKPOINT_FORMAT;
  const json = isCheckpoint ? parseJson<Partial<CheckpointJson>>(path, 'checkpoint', metadata.checkpoint, {}) : {};
  const config = isCheckpoint ? parseJson<Record<string, unknown>>(path, 'config', metadata.config, {}) : {};
  const modelState = new Map<string, Tensor>();
  const optTensors = new Map<string, Tensor>();
  for (const [name, t] of tensors) {
    if (isCheckpoint && name.startsWith(OPT_PREFIX)) optTensors.set(name.slice(OPT_PREFIX.length), t);
    else modelState.set(name, t);
  }
  let optimizerState: OptimizerStateDict | undefined;
  if (json.optimizer) {
    const state: Record<string, ParamState> = {};
    for (const [index, scalars] of Object.entries(json.optimizer.scalars ?? {})) state[index] = { ...scalars };
    for (const [key, t] of optTensors) {
      const dot = key.indexOf('.');
      if (dot <= 0) throw new FormatError(`${path}: optimizer tensor '${OPT_PREFIX}${key}' is not named ${OPT_PREFIX}<index>.<name>`);
      (state[key.slice(0, dot)] ??= {})[key.slice(dot + 1)] = t;
    }
    optimizerState = { state, paramGroups: json.optimizer.paramGroups };
  } else if (optTensors.size > 0) {
    throw new FormatError(`${path}: has optimizer tensors but no optimizer metadata`);
  }
  const arch = isCheckpoint ? metadata.arch ?? '' : '';
  const loaded: LoadedCheckpoint = {
    path,
    arch,
    config,
    modelState,
    optimizerName: json.optimizer?.name,
    optimizerState,
    schedulerState: json.scheduler ?? undefined,
    epoch: json.epoch ?? 0,
    step: json.step ?? 0,
    rngState: json.rngState ?? undefined,
    extra: json.extra ?? {},
    metadata,
    restore(target: RestoreTarget): void {
      if (target.arch !== undefined && arch !== '' && target.arch !== arch) {
        throw new NervaError(`${path}: this checkpoint holds a '${arch}', not a '${target.arch}'`);
      }
      if (target.optimizer && optimizerState && json.optimizer?.name && json.optimizer.name !== target.optimizer.constructor.name) {
        throw new NervaError(`${path}: the optimizer state is from ${json.optimizer.name}, not ${target.optimizer.constructor.name}`);
      }
      const backup = new Map([...target.model.stateDict()].map(([k, t]) => [k, new Tensor(t.toTypedArray().slice(), t.shape)]));
      try {
        target.model.loadStateDict(modelState);
      } catch (err) {
        const archNote = arch ? ` (a '${arch}' checkpoint)` : '';
        throw new NervaError(`${path}${archNote} does not fit this model: ${(err as Error).message}`);
      }
      try {
        if (target.optimizer && optimizerState) target.optimizer.loadStateDict(optimizerState);
        if (target.scheduler && json.scheduler) target.scheduler.loadStateDict(json.scheduler);
      } catch (err) {
        target.model.loadStateDict(backup);
        throw new NervaError(`${path}: ${(err as Error).message} (the model was left as it was)`);
      }
    },
  };
  return loaded;
}

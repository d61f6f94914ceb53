export { Optimizer, type ParamGroup, type ParamGroupSpec, type ParamState, type OptimizerStateDict } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export {
  LRScheduler, StepLR, CosineAnnealingLR, OneCycleLR, ReduceLROnPlateau,
  type Scheduler, type SchedulerStateDict, type CosineOptions, type OneCycleOptions, type PlateauOptions,
} from './lr_scheduler.js';
export { clipGradNorm } from './clip.js';

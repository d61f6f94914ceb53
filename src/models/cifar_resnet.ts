import { Tensor } from '../tensor/tensor.js';
import { flatten, pad, slice } from '../ops/movement.js';
import { Module, Sequential, Linear, Conv2d, AdaptiveAvgPool2d, BatchNorm2d, ReLU } from '../nn/index.js';
import { NervaError } from '../errors.js';
import { checkImage, positiveInt } from './checks.js';
import { BasicBlock } from './resnet.js';
import { defaultInit_, kaimingNormalFanOut_, withoutDefaultInit } from './weight_init.js';

/**
 * Option A shortcut of He et al. 2016 (§4.2, CIFAR): the identity, subsampled by taking every
 * `stride`-th pixel and zero-padded on the channel axis ((out − in)/2 zero maps before and after).
 * No parameters. Shape: (N, in, H, W) → (N, out, ⌈H/stride⌉, ⌈W/stride⌉).
 */
export class ShortcutA extends Module {
  constructor(readonly inPlanes: number, readonly outPlanes: number, readonly stride: number) {
    super();
    if (outPlanes < inPlanes || (outPlanes - inPlanes) % 2 !== 0) throw new NervaError(`ShortcutA: cannot pad ${inPlanes} channels to ${outPlanes}`);
  }

  forward(x: Tensor): Tensor {
    let y = x;
    if (this.stride !== 1) y = slice(slice(y, 2, 0, undefined, this.stride), 3, 0, undefined, this.stride); // x[:, :, ::s, ::s]
    const p = (this.outPlanes - this.inPlanes) / 2;
    return p > 0 ? pad(y, [0, 0, 0, 0, p, p]) : y; // (N, in + 2p, H', W')
  }

  override extraRepr(): string {
    return `${this.inPlanes}, ${this.outPlanes}, stride=${this.stride}`;
  }
}

export interface CifarResNetOptions {
  numClasses?: number;
  inChannels?: number;
  /** 'A' (default, as the paper for CIFAR): parameter-free zero-padding identity shortcuts;
   * 'B': 1×1 conv + BN projection where the shape changes */
  shortcut?: 'A' | 'B';
  /** channels of the first stage (default 16; stages have w, 2w, 4w) */
  width?: number;
  /** initialize the weights (default true); false leaves them zero, for weights about to be loaded */
  initWeights?: boolean;
}

/**
 * The CIFAR ResNets of He et al. 2016 (§4.2): depth 6n + 2. conv1 3×3 (16) → bn1 → ReLU →
 * layer1 (n BasicBlocks, 16 ch, 32×32) → layer2 (n, 32 ch, stride 2) → layer3 (n, 64 ch, stride 2) →
 * global average pool → fc. Works on 28×28 (digits) and 32×32 inputs.
 *
 * Shape: input (N, C, H, W), H and W ≥ 4 → logits (N, numClasses).
 * Option A, 3 channels, 10 classes: ResNet-20 269,722 parameters (the paper's 0.27 M), ResNet-32
 * 464,154, ResNet-56 853,018.
 */
export class CifarResNet extends Module {
  readonly depth: number;
  readonly shortcut: 'A' | 'B';

  constructor(depth: number, options: CifarResNetOptions = {}) {
    super();
    if (!Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) throw new NervaError(`CifarResNet: depth must be 6n + 2 (20, 32, 44, 56, 110…), got ${depth}`);
    this.depth = depth;
    this.shortcut = options.shortcut ?? 'A';
    if (this.shortcut !== 'A' && this.shortcut !== 'B') throw new NervaError(`CifarResNet: shortcut must be 'A' or 'B', got '${String(this.shortcut)}'`);
    const n = (depth - 2) / 6;
    const inChannels = positiveInt('CifarResNet', 'inChannels', options.inChannels ?? 3);
    const numClasses = positiveInt('CifarResNet', 'numClasses', options.numClasses ?? 10);
    const w = positiveInt('CifarResNet', 'width', options.width ?? 16);
    withoutDefaultInit(() => {
      this.registerModule('conv1', new Conv2d(inChannels, w, 3, { padding: 1, bias: false }));
      this.registerModule('bn1', new BatchNorm2d(w));
      this.registerModule('relu', new ReLU());
      let inPlanes = w;
      for (let i = 0; i < 3; i++) {
        const planes = w * 2 ** i;
        const stride = i === 0 ? 1 : 2;
        const blocks: Module[] = [];
        for (let b = 0; b < n; b++) {
          const s = b === 0 ? stride : 1;
          const changes = s !== 1 || inPlanes !== planes;
          const downsample = !changes ? null
            : this.shortcut === 'A' ? new ShortcutA(inPlanes, planes, s)
              : new Sequential(new Conv2d(inPlanes, planes, 1, { stride: s, bias: false }), new BatchNorm2d(planes));
          blocks.push(new BasicBlock(inPlanes, planes, s, downsample));
          inPlanes = planes;
        }
        this.registerModule(`layer${i + 1}`, new Sequential(...blocks));
      }
      this.registerModule('avgpool', new AdaptiveAvgPool2d([1, 1]));
      this.registerModule('fc', new Linear(inPlanes, numClasses));
    });
    for (const m of options.initWeights ?? true ? this.modules() : []) {
      if (m instanceof Conv2d) kaimingNormalFanOut_(m.weight);
      else if (m instanceof Linear) defaultInit_(m);
    }
  }

  get fc(): Module { return this.getSubmodule('fc'); }
  set fc(m: Module) { this.setChild('fc', m); }

  /** The pooled features before fc: (N, C, H, W) → (N, 4·width). */
  forwardFeatures(x: Tensor): Tensor {
    checkImage('CifarResNet', x, 4);
    const m = (name: string) => this.getSubmodule(name);
    let y = (m('bn1') as BatchNorm2d).callRelu(m('conv1').call(x)); // (N, 16, H, W), relu fused
    for (let i = 1; i <= 3; i++) y = m(`layer${i}`).call(y); // (N, 64, H/4, W/4)
    return flatten(m('avgpool').call(y), 1); // (N, 64)
  }

  forward(x: Tensor): Tensor {
    return this.fc.call(this.forwardFeatures(x));
  }
}

export const resnet20 = (o: CifarResNetOptions = {}): CifarResNet => new CifarResNet(20, o);
export const resnet32 = (o: CifarResNetOptions = {}): CifarResNet => new CifarResNet(32, o);
export const resnet44 = (o: CifarResNetOptions = {}): CifarResNet => new CifarResNet(44, o);
export const resnet56 = (o: CifarResNetOptions = {}): CifarResNet => new CifarResNet(56, o);
export const resnet110 = (o: CifarResNetOptions = {}): CifarResNet => new CifarResNet(110, o);

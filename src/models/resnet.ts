import { Tensor } from '../tensor/tensor.js';
import { flatten } from '../ops/movement.js';
import { Module, Sequential, Linear, Conv2d, MaxPool2d, AdaptiveAvgPool2d, BatchNorm2d, ReLU } from '../nn/index.js';
import { NervaError } from '../errors.js';
import { checkImage, positiveInt } from './checks.js';
import { defaultInit_, kaimingNormalFanOut_, withoutDefaultInit } from './weight_init.js';

/** A block's batch-norm layer, for its fused callRelu. */
const bn = (owner: Module, name: string): BatchNorm2d => owner.getSubmodule(name) as BatchNorm2d;

const conv3x3 = (inPlanes: number, outPlanes: number, stride = 1): Conv2d => new Conv2d(inPlanes, outPlanes, 3, { stride, padding: 1, bias: false });
const conv1x1 = (inPlanes: number, outPlanes: number, stride = 1): Conv2d => new Conv2d(inPlanes, outPlanes, 1, { stride, bias: false });

/** A residual block: y = ReLU(F(x) + shortcut(x)). */
export interface ResidualBlockClass {
  /** output channels = planes · expansion */
  readonly expansion: number;
  new (inPlanes: number, planes: number, stride: number, downsample: Module | null): Module;
}

/**
 * torchvision's BasicBlock (ResNet-18/34): conv1 3×3/stride → bn1 → ReLU → conv2 3×3 → bn2, plus
 * `downsample` (1×1 conv/stride + BN) on the shortcut when the shape changes, then ReLU.
 * Shape: (N, inPlanes, H, W) → (N, planes, H/stride, W/stride).
 */
export class BasicBlock extends Module {
  static readonly expansion = 1;
  readonly hasDownsample: boolean;

  constructor(inPlanes: number, planes: number, stride = 1, downsample: Module | null = null) {
    super();
    this.hasDownsample = downsample !== null;
    this.registerModule('conv1', conv3x3(inPlanes, planes, stride));
    this.registerModule('bn1', new BatchNorm2d(planes));
    this.registerModule('relu', new ReLU());
    this.registerModule('conv2', conv3x3(planes, planes));
    this.registerModule('bn2', new BatchNorm2d(planes));
    if (downsample !== null) this.registerModule('downsample', downsample);
  }

  forward(x: Tensor): Tensor {
    const m = (name: string) => this.getSubmodule(name);
    // relu(bn(·)) and relu(bn(·) + identity) run fused (BatchNorm2d.callRelu): the same values
    const out = bn(this, 'bn1').callRelu(m('conv1').call(x));
    const identity = this.hasDownsample ? m('downsample').call(x) : x;
    return bn(this, 'bn2').callRelu(m('conv2').call(out), identity);
  }
}

/**
 * torchvision's Bottleneck (ResNet-50/101/152, "v1.5": the stride sits on the 3×3 conv):
 * conv1 1×1 → bn1 → ReLU → conv2 3×3/stride → bn2 → ReLU → conv3 1×1 (planes·4) → bn3, plus the
 * `downsample` shortcut, then ReLU. Shape: (N, inPlanes, H, W) → (N, 4·planes, H/stride, W/stride).
 */
export class Bottleneck extends Module {
  static readonly expansion = 4;
  readonly hasDownsample: boolean;

  constructor(inPlanes: number, planes: number, stride = 1, downsample: Module | null = null) {
    super();
    this.hasDownsample = downsample !== null;
    this.registerModule('conv1', conv1x1(inPlanes, planes));
    this.registerModule('bn1', new BatchNorm2d(planes));
    this.registerModule('conv2', conv3x3(planes, planes, stride));
    this.registerModule('bn2', new BatchNorm2d(planes));
    this.registerModule('conv3', conv1x1(planes, planes * Bottleneck.expansion));
    this.registerModule('bn3', new BatchNorm2d(planes * Bottleneck.expansion));
    this.registerModule('relu', new ReLU());
    if (downsample !== null) this.registerModule('downsample', downsample);
  }

  forward(x: Tensor): Tensor {
    const m = (name: string) => this.getSubmodule(name);
    let out = bn(this, 'bn1').callRelu(m('conv1').call(x));
    out = bn(this, 'bn2').callRelu(m('conv2').call(out));
    const identity = this.hasDownsample ? m('downsample').call(x) : x;
    return bn(this, 'bn3').callRelu(m('conv3').call(out), identity);
  }
}

export interface ResNetOptions {
  /** output classes (default 1000) */
  numClasses?: number;
  /** image channels (default 3) */
  inChannels?: number;
  /** channels of the stem and of layer1 (default 64); layers 2–4 double it each time. A smaller
   * width gives the same architecture thinner (the committed parity fixtures use 8). */
  width?: number;
  /** start each block's last BN at γ = 0, so every block begins as the identity (Goyal et al. 2017) */
  zeroInitResidual?: boolean;
  /** initialize the weights (default true); false leaves them zero, for weights about to be loaded */
  initWeights?: boolean;
}

/**
 * ResNet as torchvision.models.ResNet (He et al. 2016): conv1 7×7/2 → bn1 → ReLU → maxpool 3×3/2 →
 * layer1…layer4 (strides 1, 2, 2, 2) → global average pool → fc. State-dict names match
 * torchvision's (`conv1.weight`, `layer1.0.conv1.weight`, `layer2.0.downsample.0.weight`,
 * `layer4.1.bn2.running_var`, `fc.bias`, …).
 *
 * Shape: input (N, C, H, W), H and W ≥ 32 (224 for ImageNet) → logits (N, numClasses).
 * ResNet-18 11,689,512 parameters; -34 21,797,672; -50 25,557,032; -101 44,549,160; -152 60,192,808.
 */
export class ResNet extends Module {
  readonly block: ResidualBlockClass;
  readonly layers: readonly number[];

  constructor(block: ResidualBlockClass, layers: readonly [number, number, number, number], options: ResNetOptions = {}) {
    super();
    this.block = block;
    this.layers = layers;
    const inChannels = positiveInt('ResNet', 'inChannels', options.inChannels ?? 3);
    const numClasses = positiveInt('ResNet', 'numClasses', options.numClasses ?? 1000);
    const width = positiveInt('ResNet', 'width', options.width ?? 64);
    for (const n of layers) positiveInt('ResNet', 'blocks per layer', n);
    withoutDefaultInit(() => {
      this.registerModule('conv1', new Conv2d(inChannels, width, 7, { stride: 2, padding: 3, bias: false }));
      this.registerModule('bn1', new BatchNorm2d(width));
      this.registerModule('relu', new ReLU());
      this.registerModule('maxpool', new MaxPool2d(3, { stride: 2, padding: 1 }));
      let inPlanes = width;
      for (let i = 0; i < 4; i++) {
        const planes = width * 2 ** i;
        const stride = i === 0 ? 1 : 2;
        this.registerModule(`layer${i + 1}`, makeLayer(block, inPlanes, planes, layers[i]!, stride));
        inPlanes = planes * block.expansion;
      }
      this.registerModule('avgpool', new AdaptiveAvgPool2d([1, 1]));
      this.registerModule('fc', new Linear(inPlanes, numClasses));
    });
    if (options.initWeights ?? true) initResNet(this, options.zeroInitResidual ?? false);
  }

  get fc(): Module { return this.getSubmodule('fc'); }
  /** `model.fc = new Linear(512, k)` replaces the head. */
  set fc(m: Module) { this.setChild('fc', m); }

  /** The pooled features before fc: (N, C, H, W) → (N, width·8·expansion). */
  forwardFeatures(x: Tensor): Tensor {
    checkImage('ResNet', x, 32);
    const m = (name: string) => this.getSubmodule(name);
    let y = m('maxpool').call(bn(this, 'bn1').callRelu(m('conv1').call(x))); // (N, 64, H/4, W/4)
    for (let i = 1; i <= 4; i++) y = m(`layer${i}`).call(y); // (N, 512·exp, H/32, W/32)
    return flatten(m('avgpool').call(y), 1); // (N, 512·exp)
  }

  forward(x: Tensor): Tensor {
    return this.fc.call(this.forwardFeatures(x));
  }
}

/** `blocks` residual blocks; the first changes stride/width and gets a 1×1 conv + BN shortcut. */
export function makeLayer(block: ResidualBlockClass, inPlanes: number, planes: number, blocks: number, stride: number): Sequential {
  const out = planes * block.expansion;
  const downsample = stride !== 1 || inPlanes !== out ? new Sequential(conv1x1(inPlanes, out, stride), new BatchNorm2d(out)) : null;
  const list: Module[] = [new block(inPlanes, planes, stride, downsample)];
  for (let i = 1; i < blocks; i++) list.push(new block(out, planes, 1, null));
  return new Sequential(...list);
}

/** torchvision's ResNet init: conv kaiming-normal (fan-out, ReLU), BN γ = 1, β = 0, fc PyTorch default. */
function initResNet(model: Module, zeroInitResidual: boolean): void {
  for (const m of model.modules()) {
    if (m instanceof Conv2d) kaimingNormalFanOut_(m.weight);
    else if (m instanceof Linear) defaultInit_(m);
  }
  if (zeroInitResidual) {
    for (const m of model.modules()) {
      const last = m instanceof Bottleneck ? 'bn3' : m instanceof BasicBlock ? 'bn2' : null;
      if (last !== null) (m.getSubmodule(last) as BatchNorm2d).weight?.data.fill(0);
    }
  }
}

const DEPTHS = {
  resnet18: [BasicBlock, [2, 2, 2, 2]],
  resnet34: [BasicBlock, [3, 4, 6, 3]],
  resnet50: [Bottleneck, [3, 4, 6, 3]],
  resnet101: [Bottleneck, [3, 4, 23, 3]],
  resnet152: [Bottleneck, [3, 8, 36, 3]],
} as const;

function resnetNamed(name: keyof typeof DEPTHS, options: ResNetOptions): ResNet {
  const [block, layers] = DEPTHS[name];
  if (block === undefined) throw new NervaError(`unknown ResNet '${name}'`);
  return new ResNet(block, layers, options);
}

export const resnet18 = (o: ResNetOptions = {}): ResNet => resnetNamed('resnet18', o);
export const resnet34 = (o: ResNetOptions = {}): ResNet => resnetNamed('resnet34', o);
export const resnet50 = (o: ResNetOptions = {}): ResNet => resnetNamed('resnet50', o);
export const resnet101 = (o: ResNetOptions = {}): ResNet => resnetNamed('resnet101', o);
export const resnet152 = (o: ResNetOptions = {}): ResNet => resnetNamed('resnet152', o);

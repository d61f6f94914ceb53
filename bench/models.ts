/**
 * The model workloads of the speed issue, built from Nerva's nn layers exactly as the peer scripts
 * build them (/work/shared/peers/torch_bench.py): LeNet-5, ResNet-18 (CIFAR), VGG-16 (config D),
 * character LSTM. Each workload's `setup()` builds the model on the wasm backend and returns one
 * timed step; `perCall` is the samples (or tokens) one call processes.
 */
import { Tensor } from '../src/tensor/tensor.js';
import { randn, randint, zeros } from '../src/tensor/creation.js';
import { noGrad } from '../src/autograd/grad_mode.js';
import { setBackend } from '../src/backend/index.js';
import '../src/backend/wasm/index.js';
import '../src/ops/index.js';
import { crossEntropy } from '../src/functional/loss.js';
import { softmax } from '../src/functional/activation.js';
import { Module, Sequential, Linear, Conv2d, BatchNorm2d, ReLU, MaxPool2d, AdaptiveAvgPool2d, Flatten, Embedding, LSTM } from '../src/nn/index.js';
import { LeNet5 } from '../src/models/lenet.js';
import { SGD, Adam } from '../src/optim/index.js';

export interface ModelWorkload {
  workload: string;
  metric: 'samples/s' | 'tokens/s' | 'ms';
  perCall: number;
  warmup?: number;
  /** fewest timed calls (the peer scripts' count for this workload: PyTorch times LeNet 20 times) */
  iters?: number;
  setup(): () => void;
}

class BasicBlock extends Module {
  readonly conv1: Conv2d; readonly bn1: BatchNorm2d; readonly conv2: Conv2d; readonly bn2: BatchNorm2d;
  readonly down: Sequential | null;
  constructor(cin: number, cout: number, stride: number) {
    super();
    this.conv1 = this.registerModule('conv1', new Conv2d(cin, cout, 3, { stride, padding: 1, bias: false }));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(cout));
    this.conv2 = this.registerModule('conv2', new Conv2d(cout, cout, 3, { padding: 1, bias: false }));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(cout));
    this.down = stride !== 1 || cin !== cout
      ? this.registerModule('down', new Sequential(new Conv2d(cin, cout, 1, { stride, bias: false }), new BatchNorm2d(cout)))
      : null;
  }
  forward(x: Tensor): Tensor {
    // relu(bn1(·)) and relu(bn2(·) + shortcut) fused (BatchNorm2d.callRelu): PyTorch's arithmetic
    const o = this.conv2.call(this.bn1.callRelu(this.conv1.call(x)));
    return this.bn2.callRelu(o, this.down === null ? x : this.down.call(x));
  }
}

class ResNet18Cifar extends Module {
  readonly stem: Sequential; readonly layers: Sequential; readonly head: Sequential;
  constructor(numClasses = 10) {
    super();
    this.stem = this.registerModule('stem', new Sequential(new Conv2d(3, 64, 3, { padding: 1, bias: false }), new BatchNorm2d(64), new ReLU()));
    const blocks: Module[] = [];
    let cin = 64;
    for (const [cout, stride] of [[64, 1], [128, 2], [256, 2], [512, 2]]) {
      blocks.push(new BasicBlock(cin, cout, stride), new BasicBlock(cout, cout, 1));
      cin = cout;
    }
    this.layers = this.registerModule('layers', new Sequential(...blocks));
    this.head = this.registerModule('head', new Sequential(new AdaptiveAvgPool2d(1), new Flatten(), new Linear(512, numClasses)));
  }
  forward(x: Tensor): Tensor {
    return this.head.call(this.layers.call(this.stem.call(x)));
  }
}

function vgg16(): Sequential {
  const cfg: (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];
  const layers: Module[] = [];
  let cin = 3;
  for (const v of cfg) {
    if (v === 'M') layers.push(new MaxPool2d(2));
    else { layers.push(new Conv2d(cin, v, 3, { padding: 1 }), new ReLU()); cin = v; }
  }
  return new Sequential(...layers, new Flatten(), new Linear(512 * 7 * 7, 4096), new ReLU(), new Linear(4096, 4096), new ReLU(), new Linear(4096, 1000));
}

const VOCAB = 96, EMB = 64, HID = 256, SEQ = 64, BATCH_LM = 32, NTOK = 256;

class CharLSTM extends Module {
  readonly emb: Embedding; readonly lstm: LSTM; readonly out: Linear;
  constructor() {
    super();
    this.emb = this.registerModule('emb', new Embedding(VOCAB, EMB));
    this.lstm = this.registerModule('lstm', new LSTM(EMB, HID, { batchFirst: true }));
    this.out = this.registerModule('out', new Linear(HID, VOCAB));
  }
  forward(tok: Tensor): Tensor {
    return this.out.call(this.lstm.call(this.emb.call(tok)));
  }
}

function trainStep(net: Module, opt: { zeroGrad(): void; step(): void }, x: Tensor, y: Tensor): () => void {
  return () => {
    opt.zeroGrad();
    crossEntropy(net.call(x), y).backward();
    opt.step();
  };
}

export function modelWorkloads(): ModelWorkload[] {
  setBackend('wasm');
  return [
    { workload: 'lenet_train', metric: 'samples/s', perCall: 64, warmup: 5, iters: 20, setup: () => {
      const net = new LeNet5().train();
      return trainStep(net, new SGD(net.parameters(), { lr: 0.01 }), randn([64, 1, 28, 28]), randint(0, 10, [64]));
    } },
    { workload: 'lenet_infer', metric: 'samples/s', perCall: 256, warmup: 5, iters: 20, setup: () => {
      const net = new LeNet5().eval();
      const x = randn([256, 1, 28, 28]);
      return () => { noGrad(() => net.call(x)); };
    } },
    { workload: 'resnet18_train', metric: 'samples/s', perCall: 32, warmup: 1, setup: () => {
      const net = new ResNet18Cifar().train();
      return trainStep(net, new SGD(net.parameters(), { lr: 0.01 }), randn([32, 3, 32, 32]), randint(0, 10, [32]));
    } },
    { workload: 'resnet18_infer', metric: 'samples/s', perCall: 32, warmup: 1, setup: () => {
      const net = new ResNet18Cifar().eval();
      const x = randn([32, 3, 32, 32]);
      return () => { noGrad(() => net.call(x)); };
    } },
    { workload: 'vgg16_infer', metric: 'ms', perCall: 1, warmup: 1, setup: () => {
      const net = vgg16().eval();
      const x = randn([1, 3, 224, 224]);
      return () => { noGrad(() => net.call(x)); };
    } },
    { workload: 'lstm_train', metric: 'tokens/s', perCall: BATCH_LM * SEQ, warmup: 2, setup: () => {
      const net = new CharLSTM().train();
      const opt = new Adam(net.parameters(), { lr: 1e-3 });
      const tok = randint(0, VOCAB, [BATCH_LM, SEQ]), tgt = randint(0, VOCAB, [BATCH_LM * SEQ]);
      return () => {
        opt.zeroGrad();
        crossEntropy(net.call(tok).reshape(-1, VOCAB), tgt).backward();
        opt.step();
      };
    } },
    { workload: 'lstm_sample', metric: 'tokens/s', perCall: NTOK, warmup: 8, setup: () => {
      const net = new CharLSTM().eval();
      return () => noGrad(() => {
        let cur = zeros([1, 1], { dtype: 'int32' });
        let h: Tensor | undefined, c: Tensor | undefined;
        for (let i = 0; i < NTOK; i++) {
          const r = net.lstm.run(net.emb.call(cur), { h0: h, c0: c });
          h = r.h; c = r.c;
          const p = softmax(net.out.call(r.output).reshape(VOCAB), -1).data;
          let u = Math.random(), next = VOCAB - 1;
          for (let v = 0; v < VOCAB; v++) { u -= p[v]; if (u <= 0) { next = v; break; } }
          cur = zeros([1, 1], { dtype: 'int32' });
          cur.data[0] = next;
        }
      });
    } },
  ];
}

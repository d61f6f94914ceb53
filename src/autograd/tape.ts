import { Tensor, type GradNode } from '../tensor/tensor.js';
import { isGradEnabled, noGrad } from './grad_mode.js';
import { NervaError, formatShape } from '../errors.js';
import { sameShape } from '../tensor/shape.js';

/**
 * Attaches history to an op's output when any input requires a gradient and recording is on.
 * `backward` maps ∂L/∂out to one gradient per input (null where none flows); it runs under noGrad.
 */
export function record(
  out: Tensor,
  name: string,
  inputs: readonly (Tensor | null)[],
  backward: (grad: Tensor) => readonly (Tensor | null)[],
): Tensor {
  if (!isGradEnabled()) return out;
  let needed = false;
  for (const t of inputs) if (t !== null && t.requiresGrad) needed = true;
  if (!needed) return out;
  const node: GradNode = { name, inputs, backward };
  out.gradFn = node;
  out.requiresGrad = true;
  return out;
}

export type Accumulate = (a: Tensor, b: Tensor) => Tensor;
let accumulate: Accumulate | null = null;

/** The ops layer installs its `add` here (autograd sits below ops and must not import them). */
export function setGradAccumulator(fn: Accumulate): void {
  accumulate = fn;
}

/**
 * Back-propagates from `root`: ∂root/∂leaf is added into every leaf's `.grad`.
 * A non-scalar root needs an explicit `gradient` of its shape (the vector in the vector-Jacobian
 * product), as in PyTorch.
 */
export function backward(root: Tensor, gradient?: Tensor): void {
  if (!root.requiresGrad) {
    throw new NervaError('backward(): the tensor does not require grad and has no history (did you forget requiresGrad, or compute it inside noGrad?)');
  }
  let seed: Tensor;
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new NervaError(`backward(): gradient can be implicitly created only for one-element outputs; this one has shape ${formatShape(root.shape)}, pass backward(gradient)`);
    }
    const ones = new (root.data.constructor as new (n: number) => Float32Array)(1).fill(1);
    seed = new Tensor(ones, root.shape);
  } else {
    if (!sameShape(gradient.shape, root.shape)) {
      throw new NervaError(`backward(): gradient has shape ${formatShape(gradient.shape)} but the output has shape ${formatShape(root.shape)}`);
    }
    seed = gradient;
  }
  const add = accumulate;
  if (add === null) throw new Error('autograd: no gradient accumulator installed (import the ops module)');

  const order = topoOrder(root);
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  noGrad(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t); // free intermediate gradients as soon as they are used
      const node = t.gradFn;
      if (node === null) {
        t.grad = t.grad === null ? g : add(t.grad, g);
        continue;
      }
      const inputGrads = node.backward(g);
      for (let j = 0; j < node.inputs.length; j++) {
        const input = node.inputs[j];
        const ig = inputGrads[j];
        if (input === null || input === undefined || ig === null || ig === undefined || !input.requiresGrad) continue;
        if (!sameShape(ig.shape, input.shape)) {
          throw new Error(`autograd: ${node.name} returned a gradient of shape ${formatShape(ig.shape)} for an input of shape ${formatShape(input.shape)}`);
        }
        const prev = grads.get(input);
        grads.set(input, prev === undefined ? ig : add(prev, ig));
      }
    }
  });
}

/** Tensors reachable from root through gradFn, each after all of its inputs (iterative DFS:
 * recurrent nets unroll thousands of steps, deeper than the JS call stack). */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, next] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (next < inputs.length) {
      top[1] = next + 1;
      const child = inputs[next];
      if (child && child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

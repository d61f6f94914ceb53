import { Tensor, denseData } from '../tensor/tensor.js';
import { allocate, isFloat, type DType } from '../tensor/dtype.js';
import { broadcastShapes, sameShape } from '../tensor/shape.js';
import type { BinaryOp, FloatArray, UnaryBackwardOp, UnaryOp } from '../backend/backend.js';
import { getBackend } from '../backend/index.js';
import { record, setGradAccumulator } from '../autograd/tape.js';
import { asTensor, newTensor, resultDType, stridedView, type TensorLike } from './util.js';
import { sumToShape } from './reduce.js';
import { NervaError } from '../errors.js';

// Elementwise primitives. Each op computes its output through the backend and, next to it,
// records the closure that maps ∂L/∂out to ∂L/∂inputs.

function unaryForward(op: UnaryOp, x: Tensor, outDType: DType, alpha?: number): Tensor {
  const out = new Tensor(allocate(outDType, x.size), x.shape);
  const src = denseData(x);
  getBackend().unary(op, src.constructor === out.data.constructor ? src : toDType(src, outDType), out.data, alpha);
  return out;
}

function toDType(src: ArrayLike<number>, dtype: DType): Float32Array | Float64Array | Int32Array | Uint8Array {
  const out = allocate(dtype, src.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i]!;
  return out;
}

/** Float-valued unary ops turn integer input into float32, like PyTorch. */
function floatOf(x: Tensor): DType {
  return isFloat(x.dtype) ? x.dtype : 'float32';
}

/** Defines a differentiable unary op from its forward kernel and its derivative. */
function unaryOp(op: UnaryOp, grad: (g: Tensor, x: Tensor, y: Tensor) => Tensor, keepsIntegers = false) {
  return (x: Tensor): Tensor => {
    const y = unaryForward(op, x, keepsIntegers ? x.dtype : floatOf(x));
    return record(y, op, [x], (g) => [grad(g, x, y)]);
  };
}

/** gy · f'(x) in one backend pass (activations). x and y are the op's input and output; the
 * gradient takes y's float dtype (an integer relu input gives a float gradient only if g is float). */
function activationGrad(op: UnaryBackwardOp, g: Tensor, x: Tensor, y: Tensor, alpha?: number): Tensor {
  const dtype = g.dtype;
  if (!isFloat(dtype)) throw new NervaError(`${op} backward: the incoming gradient must be float, got ${dtype}`);
  const xd = denseData(x);
  const yd = denseData(y);
  const gd = denseData(g);
  const gx = new Tensor(allocate(dtype, x.size), x.shape);
  const asF = (a: ArrayLike<number>): FloatArray => (a.constructor === gx.data.constructor ? a : toDType(a, dtype)) as FloatArray;
  getBackend().unaryBackward(op, asF(xd), asF(yd), asF(gd), gx.data as FloatArray, alpha);
  return gx;
}

/** Ops whose derivative is zero almost everywhere. */
function flatOp(op: UnaryOp) {
  return (x: Tensor): Tensor => unaryForward(op, x, x.dtype);
}

export const neg = unaryOp('neg', (g) => neg(g), true);
export const abs = unaryOp('abs', (g, x) => mul(g, sign(x)), true); // d|x|/dx = sign(x)
export const exp = unaryOp('exp', (g, _x, y) => mul(g, y)); // d e^x = e^x
export const log = unaryOp('log', (g, x) => div(g, x)); // d ln x = 1/x
export const sqrt = unaryOp('sqrt', (g, _x, y) => div(g, mul(y, 2))); // d √x = 1/(2√x)
export const rsqrt = unaryOp('rsqrt', (g, _x, y) => mul(g, mul(pow(y, 3), -0.5))); // d x^-½ = -½ x^-3/2
export const tanh = unaryOp('tanh', (g, x, y) => activationGrad('tanh', g, x, y)); // 1 - tanh²
export const sigmoid = unaryOp('sigmoid', (g, x, y) => activationGrad('sigmoid', g, x, y)); // σ(1-σ)
export const relu = unaryOp('relu', (g, x, y) => activationGrad('relu', g, x, y), true); // 1[x>0]
export const sin = unaryOp('sin', (g, x) => mul(g, cos(x)));
export const cos = unaryOp('cos', (g, x) => neg(mul(g, sin(x))));
export const square = unaryOp('square', (g, x) => mul(g, mul(x, 2)), true);
export const reciprocal = unaryOp('reciprocal', (g, _x, y) => neg(mul(g, square(y)))); // d 1/x = -1/x²
export const erf = unaryOp('erf', (g, x) => mul(g, mul(exp(neg(square(x))), 2 / Math.sqrt(Math.PI))));
/** GELU, exact erf form: x·Φ(x); derivative Φ(x) + x·φ(x). */
export const gelu = unaryOp('gelu', (g, x, y) => activationGrad('gelu', g, x, y));
export const sign = flatOp('sign');
export const floor = flatOp('floor');
export const ceil = flatOp('ceil');
export const round = flatOp('round');

export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  const y = unaryForward('leakyRelu', x, floatOf(x), negativeSlope);
  // d/dx = 1 for x > 0, negativeSlope otherwise
  return record(y, 'leakyRelu', [x], (g) => [activationGrad('leakyRelu', g, x, y, negativeSlope)]);
}

function binaryForward(op: BinaryOp, a: Tensor, b: Tensor, outDType: DType): Tensor {
  const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  const out = newTensor(outDType, shape);
  getBackend().binary(op, stridedView(a, shape), stridedView(b, shape), out.data, shape);
  return out;
}

function castIfNeeded(t: Tensor, dtype: DType): Tensor {
  return t.dtype === dtype ? t : new Tensor(toDType(denseData(t), dtype), t.shape);
}

function binaryOp(op: BinaryOp, grads: (g: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null]) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    let dtype = resultDType(a, b);
    if (op === 'div' && !isFloat(dtype)) dtype = 'float32'; // true division, like PyTorch
    if (dtype === 'bool') dtype = 'int32'; // arithmetic on bools counts
    const ta = asTensor(a, dtype);
    const tb = asTensor(b, dtype);
    const y = binaryForward(op, ta, tb, dtype);
    return record(y, op, [ta, tb], (g) => {
      const [ga, gb] = grads(g, ta, tb, y);
      return [ga && ta.requiresGrad ? sumToShape(ga, ta.shape) : null, gb && tb.requiresGrad ? sumToShape(gb, tb.shape) : null];
    });
  };
}

export const add = binaryOp('add', (g) => [g, g]);
export const sub = binaryOp('sub', (g) => [g, neg(g)]);
export const mul = binaryOp('mul', (g, a, b) => [mul(g, b), mul(g, a)]);
// d(a/b)/da = 1/b, d(a/b)/db = -a/b²
export const div = binaryOp('div', (g, a, b) => [div(g, b), b.requiresGrad ? neg(div(mul(g, a), square(b))) : null]);
// d(a^b)/da = b·a^(b-1), d(a^b)/db = a^b·ln a
export const pow = binaryOp('pow', (g, a, b, y) => [
  mul(g, mul(b, pow(a, sub(b, 1)))),
  b.requiresGrad ? mul(g, mul(y, log(a))) : null,
]);
// Ties split the gradient evenly, as PyTorch does.
export const maximum = binaryOp('maximum', (g, a, b) => {
  const half = mul(eq(a, b), 0.5);
  return [mul(g, add(gt(a, b), half)), mul(g, add(lt(a, b), half))];
});
export const minimum = binaryOp('minimum', (g, a, b) => {
  const half = mul(eq(a, b), 0.5);
  return [mul(g, add(lt(a, b), half)), mul(g, add(gt(a, b), half))];
});

function comparison(op: BinaryOp) {
  return (a: TensorLike, b: TensorLike): Tensor => {
    const dtype = resultDType(a, b);
    return binaryForward(op, asTensor(a, dtype), asTensor(b, dtype), 'bool');
  };
}

export const eq = comparison('eq');
export const ne = comparison('ne');
export const lt = comparison('lt');
export const le = comparison('le');
export const gt = comparison('gt');
export const ge = comparison('ge');

/** Elements limited to [min, max]; the gradient passes where min ≤ x ≤ max. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  if ((min === undefined || min === null) && (max === undefined || max === null)) {
    throw new NervaError('clamp: at least one of min and max must be given');
  }
  let y = x;
  if (min !== undefined && min !== null) y = binaryForward('maximum', y, asTensor(min, y.dtype), resultDType(y, min));
  if (max !== undefined && max !== null) y = binaryForward('minimum', y, asTensor(max, y.dtype), resultDType(y, max));
  return record(y, 'clamp', [x], (g) => {
    let pass: Tensor = g;
    if (min !== undefined && min !== null) pass = mul(pass, ge(x, min));
    if (max !== undefined && max !== null) pass = mul(pass, le(x, max));
    return [pass];
  });
}

/** cond ? a : b elementwise with broadcasting. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const dtype = resultDType(a, b);
  const ta = castIfNeeded(asTensor(a, dtype), dtype);
  const tb = castIfNeeded(asTensor(b, dtype), dtype);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, ta.shape), tb.shape);
  const out = newTensor(dtype, shape);
  getBackend().where(stridedView(cond, shape), stridedView(ta, shape), stridedView(tb, shape), out.data, shape);
  return record(out, 'where', [ta, tb], (g) => [
    ta.requiresGrad ? sumToShape(where(cond, g, 0), ta.shape) : null,
    tb.requiresGrad ? sumToShape(where(cond, 0, g), tb.shape) : null,
  ]);
}

/** A copy converted to `dtype`; gradients flow between float types. */
export function toType(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  const y = new Tensor(toDType(denseData(x), dtype), x.shape);
  if (!isFloat(dtype)) return y;
  return record(y, 'toType', [x], (g) => [isFloat(x.dtype) ? toType(g, x.dtype) : null]);
}

/** A dense copy that keeps the history (PyTorch's clone). */
export function clone(x: Tensor): Tensor {
  const out = newTensor(x.dtype, x.shape);
  getBackend().copyStrided(stridedView(x, x.shape), out.data, x.shape);
  return record(out, 'clone', [x], (g) => [g]);
}

setGradAccumulator((a, b) => add(a, b));

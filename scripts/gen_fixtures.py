#!/usr/bin/env python3
"""Writes the PyTorch golden fixtures in test/fixtures/torch/ (one JSON file per op).

Run with Debian's python3-torch:   /usr/bin/python3 scripts/gen_fixtures.py

Each case holds the op's inputs, output, and the gradient of every float input for
loss = sum(output * r), with r random and stored. Torch computes in float64 on inputs
that are float32-representable; outputs and gradients are then rounded to float32 and
written in their shortest round-tripping decimal form. Every case is seeded from its own
name, so adding a case leaves the others' numbers unchanged. See test/fixtures/torch/README.md.
"""
import json
import os
import sys
import tempfile
import warnings
import zlib

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, 'test', 'fixtures', 'torch')

CAMEL = {
    'kernel_size': 'kernelSize', 'ceil_mode': 'ceilMode', 'count_include_pad': 'countIncludePad',
    'ignore_index': 'ignoreIndex', 'label_smoothing': 'labelSmoothing', 'output_size': 'outputSize',
}


def f32_list(a):
    """float32 rounding, then the shortest decimal that reads back as the same float32."""
    a = np.asarray(a, dtype=np.float64).astype(np.float32).ravel()
    if not np.all(np.isfinite(a)):
        raise ValueError('non-finite value in a fixture')
    return [float(str(v)) for v in a]


def entry(t, dtype='float32'):
    t = t.detach().cpu()
    if dtype == 'float32':
        return {'shape': list(t.shape), 'data': f32_list(t.numpy())}
    return {'shape': list(t.shape), 'dtype': dtype, 'data': [int(v) for v in t.numpy().ravel()]}


def shape_str(s):
    return '[' + ','.join(str(d) for d in s) + ']'


def fmt_arg(v):
    return repr(v)


def jsonable(v):
    return list(v) if isinstance(v, tuple) else v


class Case:
    """One fixture: float inputs (random normal unless given), optional int inputs, and the call."""

    def __init__(self, op, name, inputs, call, kwargs, params=None, torch_expr=None):
        self.op, self.name, self.inputs, self.call, self.kwargs = op, name, inputs, call, kwargs
        self.params = params if params is not None else {CAMEL.get(k, k): jsonable(v) for k, v in kwargs.items()}
        self.torch_expr = torch_expr

    def run(self):
        rng = np.random.default_rng(zlib.crc32(self.name.encode()))
        tensors = {}
        for key, spec in self.inputs.items():
            if isinstance(spec, torch.Tensor):  # given values (e.g. integer targets)
                tensors[key] = spec
            else:
                shape, scale, offset = spec
                v = np.asarray(rng.standard_normal(shape) * scale + offset, dtype=np.float32).astype(np.float64)
                tensors[key] = torch.tensor(v, dtype=torch.float64, requires_grad=True)
        out = self.call(*tensors.values(), **self.kwargs)
        r = torch.tensor(np.asarray(rng.standard_normal(tuple(out.shape)), dtype=np.float32).astype(np.float64))
        (out * r).sum().backward()
        return {
            'name': self.name,
            'op': self.op,
            'params': self.params,
            'torch': self.torch_expr,
            'inputs': {k: entry(t) if t.is_floating_point() else entry(t, 'int32') for k, t in tensors.items()},
            'output': entry(out),
            'r': entry(r),
            'grads': {k: entry(t.grad) for k, t in tensors.items() if t.is_floating_point()},
        }


def snippet(fn, args, kwargs):
    return f"{fn}({', '.join(args + [f'{k}={fmt_arg(v)}' for k, v in kwargs.items()])})"


# ---------------------------------------------------------------- conv2d

def conv_case(x, w, bias=True, **kw):
    inputs = {'input': (x, 1.0, 0.0), 'weight': (w, 0.5, 0.0)}
    if bias:
        inputs['bias'] = ((w[0],), 0.5, 0.0)
    short = {'stride': 's', 'padding': 'p', 'dilation': 'd', 'groups': 'g'}
    desc = ' '.join(f"{short[k]}={v if not isinstance(v, tuple) else ','.join(map(str, v))}" for k, v in kw.items())
    name = f"conv2d x={shape_str(x)} w={shape_str(w)}{' ' + desc if desc else ''}{' bias' if bias else ''}"
    args = ['input', 'weight'] + (['bias'] if bias else [])
    call = (lambda i, wt, b, **k: F.conv2d(i, wt, b, **k)) if bias else (lambda i, wt, **k: F.conv2d(i, wt, None, **k))
    return Case('conv2d', name, inputs, call, kw, torch_expr=snippet('F.conv2d', args, kw))


CONV = [
    conv_case((2, 3, 8, 8), (4, 3, 3, 3), stride=2, padding=1),
    conv_case((1, 1, 5, 5), (1, 1, 3, 3), bias=False),
    conv_case((2, 3, 7, 6), (5, 3, 3, 2), bias=False, stride=(2, 1), padding=(1, 0)),
    conv_case((2, 2, 6, 7), (3, 2, 3, 3), padding='same'),
    conv_case((1, 2, 6, 5), (3, 2, 4, 2), bias=False, padding='same'),  # even kernels: PyTorch pads one more at the end
    conv_case((1, 2, 7, 7), (2, 2, 3, 2), padding='same', dilation=(2, 3)),
    conv_case((2, 3, 7, 5), (2, 3, 3, 3), padding='valid'),
    conv_case((1, 2, 9, 9), (3, 2, 3, 3), padding=2, dilation=2),
    conv_case((2, 2, 9, 7), (2, 2, 3, 3), bias=False, padding=(2, 1), dilation=(2, 1)),
    conv_case((2, 4, 6, 6), (6, 2, 3, 3), padding=1, groups=2),
    conv_case((1, 3, 5, 5), (3, 1, 3, 3), bias=False, padding=1, groups=3),  # depthwise
    conv_case((2, 3, 6, 5), (6, 1, 3, 3), stride=2, padding=1, groups=3),  # depthwise, multiplier 2
    conv_case((2, 3, 5, 6), (4, 3, 1, 1)),
    conv_case((2, 3, 4, 5), (2, 3, 4, 5), bias=False),  # kernel covers the image → 1×1 output
    conv_case((1, 2, 7, 7), (2, 2, 2, 2), stride=3),  # stride does not divide
    conv_case((1, 1, 1, 1), (1, 1, 1, 1)),
    conv_case((3, 1, 2, 9), (2, 1, 1, 5), padding=(0, 2)),
    conv_case((1, 2, 4, 4), (2, 2, 3, 3), bias=False, padding=2),
    conv_case((2, 4, 9, 8), (4, 2, 3, 3), stride=2, padding=1, dilation=2, groups=2),
    conv_case((1, 3, 10, 10), (2, 3, 5, 5), stride=(3, 2), padding=(2, 1)),
]

# ---------------------------------------------------------------- pooling

def pool_desc(kw):
    short = {'kernel_size': 'k', 'stride': 's', 'padding': 'p'}
    parts = []
    for k, v in kw.items():
        if k in short:
            parts.append(f"{short[k]}={v if not isinstance(v, tuple) else ','.join(map(str, v))}")
        elif v is True:
            parts.append({'ceil_mode': 'ceil', 'count_include_pad': 'countIncludePad'}[k])
        elif k == 'count_include_pad':
            parts.append('excludePad')
    return ' '.join(parts)


def max_case(x, **kw):
    return Case('max_pool2d', f'max_pool2d x={shape_str(x)} {pool_desc(kw)}', {'input': (x, 1.0, 0.0)},
                lambda i, **k: F.max_pool2d(i, **k), kw, torch_expr=snippet('F.max_pool2d', ['input'], kw))


def min_case(x, **kw):
    return Case('min_pool2d', f'min_pool2d x={shape_str(x)} {pool_desc(kw)}', {'input': (x, 1.0, 0.0)},
                lambda i, **k: -F.max_pool2d(-i, **k), kw, torch_expr='-' + snippet('F.max_pool2d', ['-input'], kw))


def avg_case(x, **kw):
    return Case('avg_pool2d', f'avg_pool2d x={shape_str(x)} {pool_desc(kw)}', {'input': (x, 1.0, 0.0)},
                lambda i, **k: F.avg_pool2d(i, **k), kw, torch_expr=snippet('F.avg_pool2d', ['input'], kw))


MAX_POOL = [
    max_case((2, 3, 8, 8), kernel_size=2, stride=2),
    max_case((2, 2, 7, 6), kernel_size=3),  # stride defaults to the kernel size
    max_case((1, 2, 7, 7), kernel_size=3, stride=2, padding=1),
    max_case((1, 1, 5, 5), kernel_size=3, stride=1),
    max_case((2, 2, 7, 7), kernel_size=2, stride=2, ceil_mode=True),
    max_case((1, 3, 6, 6), kernel_size=3, stride=2, ceil_mode=True),
    max_case((1, 2, 8, 7), kernel_size=3, stride=2, padding=1, ceil_mode=True),
    max_case((2, 1, 6, 9), kernel_size=(2, 3), stride=(1, 2), padding=(1, 1)),
    max_case((1, 2, 4, 5), kernel_size=(4, 5)),
    max_case((3, 1, 1, 1), kernel_size=1),
]

MIN_POOL = [
    min_case((2, 3, 8, 8), kernel_size=2, stride=2),
    min_case((1, 2, 7, 7), kernel_size=3, stride=2, padding=1),
    min_case((2, 2, 7, 7), kernel_size=2, stride=2, ceil_mode=True),
    min_case((1, 1, 6, 9), kernel_size=(3, 2), stride=(1, 2), padding=(1, 0)),
]

AVG_POOL = [
    avg_case((2, 3, 8, 8), kernel_size=2, stride=2),
    avg_case((2, 2, 7, 6), kernel_size=3),
    avg_case((1, 1, 5, 5), kernel_size=3, stride=1),
    avg_case((1, 1, 5, 7), kernel_size=4, stride=3, padding=2),
]
for cm in (False, True):
    for cip in (True, False):
        AVG_POOL.append(avg_case((2, 2, 7, 7), kernel_size=3, stride=2, padding=1, ceil_mode=cm, count_include_pad=cip))
        AVG_POOL.append(avg_case((1, 2, 6, 8), kernel_size=(2, 3), stride=(2, 2), padding=(1, 1), ceil_mode=cm, count_include_pad=cip))
        AVG_POOL.append(avg_case((1, 1, 2, 2), kernel_size=3, stride=2, padding=1, ceil_mode=cm, count_include_pad=cip))
AVG_POOL.append(avg_case((1, 3, 6, 6), kernel_size=3, stride=2, ceil_mode=True))


def adaptive_case(x, output_size):
    kw = {'output_size': output_size}
    osz = output_size if not isinstance(output_size, tuple) else ','.join(map(str, output_size))
    return Case('adaptive_avg_pool2d', f'adaptive_avg_pool2d x={shape_str(x)} out={osz}', {'input': (x, 1.0, 0.0)},
                lambda i, **k: F.adaptive_avg_pool2d(i, **k), kw, torch_expr=snippet('F.adaptive_avg_pool2d', ['input'], kw))


ADAPTIVE = [
    adaptive_case((2, 3, 7, 7), 3),
    adaptive_case((1, 2, 5, 3), (2, 2)),
    adaptive_case((2, 2, 6, 5), (4, 3)),
    adaptive_case((2, 3, 5, 6), 1),
    adaptive_case((1, 2, 4, 4), 4),
    adaptive_case((1, 1, 3, 2), (5, 3)),  # larger than the input: windows overlap
    adaptive_case((1, 2, 10, 9), (3, 4)),
]

# ---------------------------------------------------------------- matmul


def matmul_case(a, b):
    return Case('matmul', f'matmul a={shape_str(a)} b={shape_str(b)}', {'input': (a, 1.0, 0.0), 'other': (b, 1.0, 0.0)},
                torch.matmul, {}, torch_expr='torch.matmul(input, other)')


MATMUL = [
    matmul_case((3, 5), (5, 4)),
    matmul_case((1, 1), (1, 1)),
    matmul_case((7, 1), (1, 6)),
    matmul_case((5,), (5,)),  # dot → scalar
    matmul_case((5,), (5, 3)),  # vector · matrix
    matmul_case((4, 5), (5,)),  # matrix · vector
    matmul_case((2, 3, 4), (2, 4, 5)),
    matmul_case((2, 1, 3, 4), (3, 4, 2)),  # batch broadcast (2,1) with (3,)
    matmul_case((3, 4), (2, 4, 5)),  # 2-D broadcast against a batch
    matmul_case((2, 3, 4), (4, 5)),
    matmul_case((4,), (2, 4, 3)),  # vector · batch
    matmul_case((2, 3, 4), (4,)),  # batch · vector
    matmul_case((1, 2, 6, 3), (4, 1, 3, 7)),
]

# ---------------------------------------------------------------- softmax family


def softmax_case(op, x, dim, scale=1.0, offset=0.0, tag=''):
    fn = F.softmax if op == 'softmax' else F.log_softmax
    kw = {'dim': dim}
    return Case(op, f'{op} x={shape_str(x)} dim={dim}{tag}', {'input': (x, scale, offset)},
                lambda i, **k: fn(i, **k), kw, torch_expr=snippet(f'F.{op}', ['input'], kw))


SOFTMAX = []
for op in ('softmax', 'log_softmax'):
    SOFTMAX += [
        softmax_case(op, (3, 5), 1),
        softmax_case(op, (3, 5), 0),
        softmax_case(op, (2, 3, 4), -1),
        softmax_case(op, (2, 3, 4), 1),
        softmax_case(op, (2, 3, 4), -3),
        softmax_case(op, (6,), 0),
        softmax_case(op, (4, 1), 1),
        softmax_case(op, (2, 7), -1, scale=30.0, offset=1000.0, tag=' large'),  # needs max subtraction
    ]

# ---------------------------------------------------------------- losses on class-index targets


def targets(n, c, name, ignore=None, shape=None):
    rng = np.random.default_rng(zlib.crc32(('targets ' + name).encode()))
    t = rng.integers(0, c, size=shape if shape is not None else (n,))
    if ignore is not None:  # make about a third of the targets the ignored index
        flat = t.reshape(-1)
        flat[rng.random(flat.shape) < 0.34] = ignore
    return torch.tensor(t, dtype=torch.int64)


def loss_case(op, x, shape=None, **kw):
    n, c = x[0], x[1]
    desc = ' '.join(f'{CAMEL.get(k, k)}={v}' for k, v in kw.items())
    name = f'{op} x={shape_str(x)}{" " + desc if desc else ""}'
    ign = kw.get('ignore_index')
    t = targets(n, c, name, ign, shape)
    fn = F.cross_entropy if op == 'cross_entropy' else F.nll_loss
    return Case(op, name, {'input': (x, 1.5, 0.0), 'target': t},
                lambda i, tg, **k: fn(i, tg, **k), kw, torch_expr=snippet(f'F.{op}', ['input', 'target'], kw))


CROSS_ENTROPY = [
    loss_case('cross_entropy', (5, 4)),
    loss_case('cross_entropy', (6, 3), reduction='sum'),
    loss_case('cross_entropy', (4, 5), reduction='none'),
    loss_case('cross_entropy', (1, 1)),
    loss_case('cross_entropy', (8, 4), ignore_index=2),
    loss_case('cross_entropy', (8, 4), reduction='sum', ignore_index=0),
    loss_case('cross_entropy', (7, 5), label_smoothing=0.1),
    loss_case('cross_entropy', (7, 5), reduction='sum', label_smoothing=0.2),
    loss_case('cross_entropy', (6, 4), reduction='none', label_smoothing=0.15),
    loss_case('cross_entropy', (9, 3), ignore_index=1, label_smoothing=0.1),
    loss_case('cross_entropy', (9, 3), reduction='sum', ignore_index=1, label_smoothing=0.1),
    loss_case('cross_entropy', (8, 4), ignore_index=-100),  # PyTorch's default index, present in the targets
    loss_case('cross_entropy', (2, 4, 3), shape=(2, 3)),  # spatial (N, C, d1) with (N, d1) targets
]

NLL = [
    loss_case('nll_loss', (5, 4)),
    loss_case('nll_loss', (6, 3), reduction='sum'),
    loss_case('nll_loss', (4, 5), reduction='none'),
    loss_case('nll_loss', (8, 4), ignore_index=2),
    loss_case('nll_loss', (8, 4), reduction='sum', ignore_index=3),
]

FILES = {
    'conv2d.json': CONV,
    'max_pool2d.json': MAX_POOL,
    'min_pool2d.json': MIN_POOL,
    'avg_pool2d.json': AVG_POOL,
    'adaptive_avg_pool2d.json': ADAPTIVE,
    'matmul.json': MATMUL,
    'softmax.json': SOFTMAX,
    'cross_entropy.json': CROSS_ENTROPY,
    'nll_loss.json': NLL,
}


def write_atomic(path, text):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.' + os.path.basename(path) + '.')
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main():
    torch.set_grad_enabled(True)
    warnings.filterwarnings('ignore', message="Using padding='same'")  # even kernels: expected
    os.makedirs(OUT_DIR, exist_ok=True)
    total = 0
    for fname, cases in FILES.items():
        names = [c.name for c in cases]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            sys.exit(f'gen_fixtures: duplicate case names in {fname}: {sorted(dup)}')
        lines = [json.dumps(c.run(), separators=(',', ':')) for c in cases]
        head = json.dumps({'generator': 'scripts/gen_fixtures.py', 'torchVersion': torch.__version__,
                           'lossForGrads': 'sum(output * r)'}, separators=(',', ':'))
        text = head[:-1] + ',"cases":[\n' + ',\n'.join(lines) + '\n]}\n'
        path = os.path.join(OUT_DIR, fname)
        write_atomic(path, text)
        total += len(text)
        print(f'{fname}: {len(cases)} cases, {len(text) / 1024:.1f} KiB')
    print(f'total {total / 1024:.1f} KiB')


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Writes the PyTorch golden fixtures for the recurrent layers in test/fixtures/rnn/.

Run with Debian's python3-torch:   /usr/bin/python3 scripts/gen_rnn_fixtures.py

Each case builds torch.nn.RNN / LSTM / GRU (or a cell) in float64 with float32-representable
weights and inputs, runs it, and stores the weights (PyTorch's state-dict names), the input,
initial states, outputs, final states, and the gradients of

    loss = sum(output * R) + sum(h_n * Rh) [+ sum(c_n * Rc)]

with respect to the input, the initial states and every weight (R, Rh, Rc random, stored).
Values are rounded to float32 and written in their shortest round-tripping decimal form. Every
case is seeded from its name, so adding a case leaves the others unchanged.
Cases with `lengths` run through pack_padded_sequence / pad_packed_sequence.
"""
import json
import os
import zlib

import numpy as np
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, 'test', 'fixtures', 'rnn')


def f32_list(a):
    a = np.asarray(a, dtype=np.float64).astype(np.float32).ravel()
    if not np.all(np.isfinite(a)):
        raise ValueError('non-finite value in a fixture')
    return [float(str(v)) for v in a]


def entry(t):
    t = t.detach().cpu()
    return {'shape': list(t.shape), 'data': f32_list(t.numpy())}


def f32_tensor(rng, shape, scale=1.0, grad=True):
    v = np.asarray(rng.standard_normal(shape) * scale, dtype=np.float32).astype(np.float64)
    return torch.tensor(v, dtype=torch.float64, requires_grad=grad)


def layer_case(kind, name, input_size=3, hidden=4, T=5, B=3, num_layers=1, bidirectional=False,
               batch_first=False, init_state=False, lengths=None, nonlinearity='tanh', bias=True):
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    cls = {'rnn': torch.nn.RNN, 'lstm': torch.nn.LSTM, 'gru': torch.nn.GRU}[kind]
    kw = dict(num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first, bias=bias)
    if kind == 'rnn':
        kw['nonlinearity'] = nonlinearity
    mod = cls(input_size, hidden, **kw).double()
    with torch.no_grad():
        for p in mod.parameters():  # float32-representable weights, U(-1/sqrt(H), 1/sqrt(H)) like the default
            k = 1 / np.sqrt(hidden)
            p.copy_(torch.tensor(np.asarray(rng.uniform(-k, k, tuple(p.shape)), dtype=np.float32).astype(np.float64)))
    D = 2 if bidirectional else 1
    x = f32_tensor(rng, (B, T, input_size) if batch_first else (T, B, input_size))
    h0 = f32_tensor(rng, (num_layers * D, B, hidden), 0.5) if init_state else None
    c0 = f32_tensor(rng, (num_layers * D, B, hidden), 0.5) if init_state and kind == 'lstm' else None
    state = None
    if init_state:
        state = (h0, c0) if kind == 'lstm' else h0
    if lengths is not None:
        packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
        out_p, st = mod(packed, state)
        out, _ = pad_packed_sequence(out_p, batch_first=batch_first, total_length=T)
    else:
        out, st = mod(x, state)
    h, c = (st if kind == 'lstm' else (st, None))
    R = torch.tensor(np.asarray(rng.standard_normal(tuple(out.shape)), dtype=np.float32).astype(np.float64))
    Rh = torch.tensor(np.asarray(rng.standard_normal(tuple(h.shape)), dtype=np.float32).astype(np.float64))
    loss = (out * R).sum() + (h * Rh).sum()
    Rc = None
    if c is not None:
        Rc = torch.tensor(np.asarray(rng.standard_normal(tuple(c.shape)), dtype=np.float32).astype(np.float64))
        loss = loss + (c * Rc).sum()
    loss.backward()
    case = {
        'name': name,
        'kind': kind,
        'config': {'inputSize': input_size, 'hiddenSize': hidden, 'numLayers': num_layers, 'bidirectional': bidirectional,
                   'batchFirst': batch_first, 'nonlinearity': nonlinearity, 'bias': bias},
        'torch': f"torch.nn.{cls.__name__}({input_size}, {hidden}, {', '.join(f'{k}={v!r}' for k, v in kw.items())})",
        'params': {k: entry(v) for k, v in mod.state_dict().items()},
        'input': entry(x),
        'output': entry(out),
        'h': entry(h),
        'R': entry(R),
        'Rh': entry(Rh),
        'grads': {'input': entry(x.grad)},
    }
    for k, p in mod.named_parameters():
        case['grads'][k] = entry(p.grad)
    if lengths is not None:
        case['lengths'] = list(lengths)
    if h0 is not None:
        case['h0'] = entry(h0)
        case['grads']['h0'] = entry(h0.grad)
    if c is not None:
        case['c'] = entry(c)
        case['Rc'] = entry(Rc)
    if c0 is not None:
        case['c0'] = entry(c0)
        case['grads']['c0'] = entry(c0.grad)
    return case


def cell_case(kind, name, input_size=3, hidden=4, B=2, init_state=True, nonlinearity='tanh'):
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    cls = {'rnn': torch.nn.RNNCell, 'lstm': torch.nn.LSTMCell, 'gru': torch.nn.GRUCell}[kind]
    kw = {'nonlinearity': nonlinearity} if kind == 'rnn' else {}
    mod = cls(input_size, hidden, **kw).double()
    with torch.no_grad():
        for p in mod.parameters():
            k = 1 / np.sqrt(hidden)
            p.copy_(torch.tensor(np.asarray(rng.uniform(-k, k, tuple(p.shape)), dtype=np.float32).astype(np.float64)))
    x = f32_tensor(rng, (B, input_size))
    h0 = f32_tensor(rng, (B, hidden), 0.5) if init_state else None
    c0 = f32_tensor(rng, (B, hidden), 0.5) if init_state and kind == 'lstm' else None
    if kind == 'lstm':
        h, c = mod(x, (h0, c0) if init_state else None)
    else:
        h, c = mod(x, h0), None
    Rh = torch.tensor(np.asarray(rng.standard_normal(tuple(h.shape)), dtype=np.float32).astype(np.float64))
    loss = (h * Rh).sum()
    Rc = None
    if c is not None:
        Rc = torch.tensor(np.asarray(rng.standard_normal(tuple(c.shape)), dtype=np.float32).astype(np.float64))
        loss = loss + (c * Rc).sum()
    loss.backward()
    case = {
        'name': name, 'kind': kind + '_cell',
        'config': {'inputSize': input_size, 'hiddenSize': hidden, 'nonlinearity': nonlinearity},
        'torch': f"torch.nn.{cls.__name__}({input_size}, {hidden}{''.join(f', {k}={v!r}' for k, v in kw.items())})",
        'params': {k: entry(v) for k, v in mod.state_dict().items()},
        'input': entry(x), 'h': entry(h), 'Rh': entry(Rh),
        'grads': {'input': entry(x.grad)},
    }
    for k, p in mod.named_parameters():
        case['grads'][k] = entry(p.grad)
    if h0 is not None:
        case['h0'] = entry(h0)
        case['grads']['h0'] = entry(h0.grad)
    if c is not None:
        case['c'] = entry(c)
        case['Rc'] = entry(Rc)
    if c0 is not None:
        case['c0'] = entry(c0)
        case['grads']['c0'] = entry(c0.grad)
    return case


def cases():
    out = []
    for kind in ('rnn', 'lstm', 'gru'):
        out.append(layer_case(kind, f'{kind} 1 layer'))
        out.append(layer_case(kind, f'{kind} 2 layers with initial state', num_layers=2, init_state=True))
        out.append(layer_case(kind, f'{kind} bidirectional', bidirectional=True))
        out.append(layer_case(kind, f'{kind} 2 layers bidirectional batchFirst with initial state', num_layers=2,
                              bidirectional=True, batch_first=True, init_state=True))
        out.append(layer_case(kind, f'{kind} lengths bidirectional', bidirectional=True, lengths=[5, 2, 4]))
        out.append(layer_case(kind, f'{kind} lengths 2 layers batchFirst with initial state', num_layers=2,
                              batch_first=True, init_state=True, lengths=[3, 5, 1]))
        out.append(layer_case(kind, f'{kind} no bias', bias=False, hidden=3, input_size=2))
        out.append(cell_case(kind, f'{kind} cell'))
        out.append(cell_case(kind, f'{kind} cell zero state', init_state=False))
    out.append(layer_case('rnn', 'rnn relu 2 layers bidirectional', nonlinearity='relu', num_layers=2, bidirectional=True))
    out.append(cell_case('rnn', 'rnn relu cell', nonlinearity='relu'))
    return out


def main():
    torch.manual_seed(0)
    os.makedirs(OUT_DIR, exist_ok=True)
    all_cases = cases()
    by_kind = {}
    for c in all_cases:
        by_kind.setdefault(c['kind'].replace('_cell', ''), []).append(c)
    for kind, cs in by_kind.items():
        path = os.path.join(OUT_DIR, f'{kind}.json')
        tmp = path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump({'generator': 'scripts/gen_rnn_fixtures.py', 'torch': torch.__version__, 'cases': cs}, f, separators=(',', ':'))
            f.write('\n')
        os.replace(tmp, path)
        print(f'{path}: {len(cs)} cases')


if __name__ == '__main__':
    main()

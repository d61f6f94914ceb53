#!/usr/bin/env python3
"""Writes the PyTorch golden fixtures for the attention layers in test/fixtures/seq2seq/attention.json.

Run with Debian's python3-torch:   /usr/bin/python3 scripts/gen_attention_fixtures.py

Luong's dot and general scores and Bahdanau's additive score, written out in PyTorch as the papers
define them (Luong et al. 2015, eq. 8; Bahdanau et al. 2015, appendix A.1.2), with a padding mask
applied by masked_fill(-inf) before the softmax, as torch.nn.MultiheadAttention does:

    dot:      score = q · k
    general:  score = q · (W k)ᵀ… written as (q W_in)ᵀ k with W_in = linear_in.weight (Dk, Dq)
    additive: score = v · tanh(W_q q + W_k k + b_k)

Each case stores the parameters (Nerva's state-dict names), query, keys, values, mask, the
context and weights, and the gradients of loss = sum(context * R) + sum(weights * Rw) with respect
to query, keys, values and every parameter (R, Rw random, stored). float64 throughout, with
float32-representable inputs; values rounded to float32 in their shortest decimal form.
"""
import json
import os
import zlib

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'test', 'fixtures', 'seq2seq', 'attention.json')


def f32_list(a):
    a = np.asarray(a, dtype=np.float64).astype(np.float32).ravel()
    return [float(str(v)) for v in a]


def entry(t):
    t = t.detach().cpu()
    return {'shape': list(t.shape), 'data': f32_list(t.numpy())}


def rand(g, *shape):
    return torch.randn(*shape, generator=g, dtype=torch.float64).float().double()


def case(name, kind, B, Tq, S, Dq, Dk, Dv, A, lengths):
    g = torch.Generator().manual_seed(zlib.crc32(name.encode()))
    q = rand(g, B, Tq, Dq).requires_grad_()
    k = rand(g, B, S, Dk).requires_grad_()
    v = rand(g, B, S, Dv).requires_grad_()
    params = {}
    if kind == 'dot':
        scores = q @ k.transpose(1, 2)
    elif kind == 'general':
        w_in = (rand(g, Dk, Dq) * 0.5).requires_grad_()
        params['linear_in.weight'] = w_in
        scores = (q @ w_in.t()) @ k.transpose(1, 2)
    else:
        wq = (rand(g, A, Dq) * 0.5).requires_grad_()
        wk = (rand(g, A, Dk) * 0.5).requires_grad_()
        bk = (rand(g, A) * 0.5).requires_grad_()
        vv = (rand(g, A) * 0.5).requires_grad_()
        params.update({'query_proj.weight': wq, 'key_proj.weight': wk, 'key_proj.bias': bk, 'v': vv})
        e = torch.tanh((q @ wq.t()).unsqueeze(2) + (k @ wk.t() + bk).unsqueeze(1))  # (B, Tq, S, A)
        scores = e @ vv
    mask = None
    if lengths is not None:
        mask = torch.arange(S).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)  # (B, S)
        scores = scores.masked_fill(~mask.unsqueeze(1), float('-inf'))
    weights = torch.softmax(scores, dim=-1)
    context = weights @ v
    R = rand(g, *context.shape)
    Rw = rand(g, *weights.shape)
    loss = (context * R).sum() + (weights * Rw).sum()
    loss.backward()
    out = {
        'name': name, 'kind': kind, 'dims': {'B': B, 'Tq': Tq, 'S': S, 'Dq': Dq, 'Dk': Dk, 'Dv': Dv, 'A': A},
        'lengths': lengths, 'query': entry(q), 'keys': entry(k), 'values': entry(v),
        'params': {n: entry(p) for n, p in params.items()},
        'context': entry(context), 'weights': entry(weights), 'R': entry(R), 'Rw': entry(Rw),
        'grads': {'query': entry(q.grad), 'keys': entry(k.grad), 'values': entry(v.grad), **{n: entry(p.grad) for n, p in params.items()}},
    }
    return out


def main():
    cases = []
    for kind in ['dot', 'general', 'additive']:
        dk = 4 if kind == 'dot' else 6
        cases.append(case(f'{kind} unmasked', kind, 2, 3, 5, 4, dk, 3, 7, None))
        cases.append(case(f'{kind} masked', kind, 3, 2, 5, 4, dk, 3, 7, [5, 2, 1]))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump({'generator': 'scripts/gen_attention_fixtures.py', 'torch': torch.__version__, 'cases': cases}, f)
        f.write('\n')
    print(f'wrote {len(cases)} cases to {OUT}')


if __name__ == '__main__':
    main()

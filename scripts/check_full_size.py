#!/usr/bin/env python3
"""Full-size torchvision parity check, part 1 (not committed output; writes to /tmp/nerva-full/).

    /usr/bin/python3 scripts/check_full_size.py      # torchvision AlexNet, VGG-16, ResNet-18 at full size
    npm run build && node dist/scripts/check_full_size.js

Like scripts/gen_zoo_fixtures.py, but with torchvision's own constructors (1000 classes, full
widths, their default random initialization plus random batch-norm statistics) and a 1x3x224x224
input: the weights are 233 MB, 528 MB and 45 MB, too big to commit. check_full_size.ts loads them
into Nerva's models and compares the eval-mode logits (relative error, max |a-b| / max |b|).
"""
import os
import sys

import torch
import torchvision.models as tvm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_zoo_fixtures import randomize, save_safetensors  # noqa: E402

OUT = os.environ.get('NERVA_FULL_DIR', '/tmp/nerva-full')


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, arch in enumerate(['alexnet', 'vgg16', 'resnet18']):
        gen = torch.Generator().manual_seed(2000 + i)
        torch.manual_seed(2000 + i)
        model = getattr(tvm, arch)()
        if arch == 'resnet18':
            randomize(model, gen)  # random BN statistics and weights of a sensible scale
        model.eval()
        x = torch.randn([1, 3, 224, 224], generator=gen)
        with torch.no_grad():
            logits = model.double()(x.double()).float()
            model.float()
        save_safetensors(os.path.join(OUT, f'{arch}.safetensors'), model.state_dict(), {'format': 'pt'})
        save_safetensors(os.path.join(OUT, f'{arch}.io.safetensors'), {'input': x, 'logits': logits})
        print(f'{arch}: {sum(p.numel() for p in model.parameters()):,} parameters, logits {list(logits.shape)}, |logits| max {logits.abs().max():.4g}')


if __name__ == '__main__':
    main()

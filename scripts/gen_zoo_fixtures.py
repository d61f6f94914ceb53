#!/usr/bin/env python3
"""Writes the model-zoo parity fixtures in test/fixtures/zoo/ from torchvision.

Run with Debian's python3-torch and python3-torchvision:   /usr/bin/python3 scripts/gen_zoo_fixtures.py

1. keys.json: for every zoo architecture at full size (AlexNet, VGG-11/13/16/19 with and without
   batch norm, ResNet-18/34/50/101/152), torchvision's state_dict key names, in order, with shapes,
   and its parameter count. Nerva's models must produce the same list.
2. For width-reduced versions of AlexNet, VGG-16, VGG-11-BN, ResNet-18 and ResNet-50 (built from
   torchvision's own classes and layers, only with fewer channels: see MODELS below), random weights
   and random batch-norm statistics as <name>.safetensors (a torchvision state_dict as is:
   num_batches_tracked stays int64), and <name>.io.safetensors with a fixed input and the eval-mode
   logits, computed by torch in float64 from the float32 weights and input, stored as float32.
   manifest.json lists each model's Nerva architecture and options.

Full-size models would be 45-550 MB each; the reduced ones keep the directory under 3 MB. The same
check at full size is scripts/check_full_size.py (writes to /tmp, not committed).

The safetensors files are written by hand (struct + json, below) because Debian has no
python3-safetensors; the format is: 8-byte little-endian header length, a JSON header
{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}} padded with spaces to a
multiple of 8, then the raw little-endian tensor bytes.
"""
import json
import os
import struct

import torch
import torch.nn as nn
import torchvision.models as tvm
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, 'test', 'fixtures', 'zoo')

DTYPES = {torch.float32: 'F32', torch.float64: 'F64', torch.float16: 'F16', torch.bfloat16: 'BF16',
          torch.int64: 'I64', torch.int32: 'I32', torch.uint8: 'U8'}


def save_safetensors(path, tensors, metadata=None):
    """Writes an ordered dict name -> tensor as a safetensors file (atomically: temp file + rename)."""
    header = {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.view(torch.int16).numpy().tobytes()
        header[name] = {'dtype': DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * (-len(h) % 8)
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# ---- width-reduced models from torchvision's classes ----

class ThinResNet(ResNet):
    """torchvision's ResNet with the stem/layer1 width `width` instead of 64 (layers 2-4 double it),
    built with torchvision's own _make_layer, BasicBlock and Bottleneck; forward is ResNet's."""

    def __init__(self, block, layers, width, num_classes):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = width
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, width, layers[0])
        self.layer2 = self._make_layer(block, width * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, width * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(block, width * 8, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width * 8 * block.expansion, num_classes)


def vgg_classifier(c, hidden, num_classes):
    """torchvision VGG's classifier layout with a given hidden width."""
    return nn.Sequential(nn.Linear(c * 7 * 7, hidden), nn.ReLU(True), nn.Dropout(),
                         nn.Linear(hidden, hidden), nn.ReLU(True), nn.Dropout(),
                         nn.Linear(hidden, num_classes))


def thin_vgg(cfg, batch_norm, hidden, num_classes):
    m = tvm.VGG(tvm.vgg.make_layers(cfg, batch_norm=batch_norm), num_classes=num_classes)
    m.classifier = vgg_classifier([v for v in cfg if v != 'M'][-1], hidden, num_classes)
    return m


def thin_alexnet(widths, hidden, num_classes):
    """torchvision's AlexNet with its features and classifier rebuilt layer for layer, fewer channels."""
    c1, c2, c3, c4, c5 = widths
    m = tvm.AlexNet(num_classes=num_classes)
    m.features = nn.Sequential(
        nn.Conv2d(3, c1, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(c1, c2, kernel_size=5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(c2, c3, kernel_size=3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(c3, c4, kernel_size=3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(c4, c5, kernel_size=3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2))
    m.classifier = nn.Sequential(
        nn.Dropout(p=0.5), nn.Linear(c5 * 6 * 6, hidden), nn.ReLU(inplace=True),
        nn.Dropout(p=0.5), nn.Linear(hidden, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, num_classes))
    return m


def scaled(cfg, div):
    return [v if v == 'M' else v // div for v in cfg]


VGG16 = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M']
VGG11 = [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M']

# name: (torch builder, Nerva arch + options, input shape)
MODELS = {
    # widths [64,192,384,256,256] / 8, hidden 4096 -> 64; 95x95 input ends at 2x2 before the 6x6 adaptive pool
    'alexnet_w8': (lambda: thin_alexnet([8, 24, 48, 32, 32], 64, 10),
                   {'arch': 'alexnet', 'options': {'numClasses': 10, 'widths': [8, 24, 48, 32, 32], 'hiddenFeatures': 64}}, [2, 3, 95, 95]),
    # VGG-16 widths / 16, hidden 32; 32x32 ends at 1x1, repeated onto 7x7 by the adaptive pool
    'vgg16_w16': (lambda: thin_vgg(scaled(VGG16, 16), False, 32, 10),
                  {'arch': 'vgg16', 'options': {'numClasses': 10, 'config': scaled(VGG16, 16), 'hiddenFeatures': 32}}, [2, 3, 32, 32]),
    # VGG-11 with batch norm, widths / 16; 48x48 ends at 1x1
    'vgg11bn_w16': (lambda: thin_vgg(scaled(VGG11, 16), True, 32, 10),
                    {'arch': 'vgg11_bn', 'options': {'numClasses': 10, 'config': scaled(VGG11, 16), 'batchNorm': True, 'hiddenFeatures': 32}}, [2, 3, 48, 48]),
    # ResNet-18 with width 8 (channels 8, 16, 32, 64 instead of 64 ... 512); 64x64 input
    'resnet18_w8': (lambda: ThinResNet(BasicBlock, [2, 2, 2, 2], 8, 10),
                    {'arch': 'resnet18', 'options': {'numClasses': 10, 'width': 8}}, [2, 3, 64, 64]),
    # ResNet-50 with width 4 (Bottleneck, downsample on every first block); 40x40 input
    'resnet50_w4': (lambda: ThinResNet(Bottleneck, [3, 4, 6, 3], 4, 10),
                    {'arch': 'resnet50', 'options': {'numClasses': 10, 'width': 4}}, [2, 3, 40, 40]),
}

FULL = ['alexnet', 'vgg11', 'vgg11_bn', 'vgg13', 'vgg13_bn', 'vgg16', 'vgg16_bn', 'vgg19', 'vgg19_bn',
        'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnet152']


def randomize(model, gen):
    """Random weights of a sensible scale and random BN statistics, so every eval path is exercised."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() > 1:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=gen) * (2.0 / fan_in) ** 0.5)
            elif name.endswith('weight'):  # BN gamma
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=gen))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=gen))
                m.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=gen)))


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    torch.manual_seed(0)
    keys = {}
    for arch in FULL:
        m = getattr(tvm, arch)()
        keys[arch] = {'numParameters': sum(p.numel() for p in m.parameters()),
                      'stateDict': [[k, list(v.shape), str(v.dtype).replace('torch.', '')] for k, v in m.state_dict().items()]}
        print(f'{arch}: {keys[arch]["numParameters"]:,} parameters, {len(keys[arch]["stateDict"])} keys')
        del m
    with open(os.path.join(OUT_DIR, 'keys.json'), 'w') as f:
        json.dump({'torch': torch.__version__, 'torchvision': __import__('torchvision').__version__, 'models': keys}, f, indent=0)

    manifest = {}
    for i, (name, (build, nerva, shape)) in enumerate(MODELS.items()):
        gen = torch.Generator().manual_seed(1000 + i)
        model = build()
        randomize(model, gen)
        model.eval()
        x = torch.randn(shape, generator=gen)
        with torch.no_grad():
            logits = model.double()(x.double()).float()
            model.float()
        save_safetensors(os.path.join(OUT_DIR, f'{name}.safetensors'), model.state_dict(), {'format': 'pt', 'source': 'scripts/gen_zoo_fixtures.py'})
        save_safetensors(os.path.join(OUT_DIR, f'{name}.io.safetensors'), {'input': x, 'logits': logits})
        n = sum(p.numel() for p in model.parameters())
        manifest[name] = {**nerva, 'input': shape, 'numParameters': n}
        print(f'{name}: {n:,} parameters, input {shape}, logits {list(logits.shape)}')
    with open(os.path.join(OUT_DIR, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)


if __name__ == '__main__':
    main()

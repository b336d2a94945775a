"""InceptionV3 up to its 2048-d pool features, in the parameter layout of torchvision's inception_v3, with the
block variants of the FID network (pytorch-fid's port of the TensorFlow FID graph): average pools that do not count
padding in blocks A, C and the first E, and a max pool in the last E block.

Written from the architecture (Szegedy et al. 2016, and the FID network's documented differences); parameter names
follow torchvision's so that FID weights in that layout load with a strict check. `FidInception` adds what the FID
network does to its input: bilinear resize to `size` (299 for FID) and [0, 1] -> [-1, 1].
"""
from typing import List, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F

Size2 = Union[int, Tuple[int, int]]


class BasicConv2d(nn.Module):
    """Convolution without bias, batch norm (eps 1e-3), ReLU."""

    def __init__(self, cin: int, cout: int, kernel_size: Size2, stride: int = 1, padding: Size2 = 0):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel_size, stride=stride, padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


def _avg_pool_3x3(x):
    # The FID network's average pools leave padding out of the mean (TensorFlow's behaviour).
    return F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)


class InceptionA(nn.Module):
    def __init__(self, cin: int, pool_features: int):
        super().__init__()
        self.branch1x1 = BasicConv2d(cin, 64, 1)
        self.branch5x5_1 = BasicConv2d(cin, 48, 1)
        self.branch5x5_2 = BasicConv2d(48, 64, 5, padding=2)
        self.branch3x3dbl_1 = BasicConv2d(cin, 64, 1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, 3, padding=1)
        self.branch_pool = BasicConv2d(cin, pool_features, 1)

    def forward(self, x):
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([self.branch1x1(x), b5, b3, self.branch_pool(_avg_pool_3x3(x))], 1)


class InceptionB(nn.Module):
    def __init__(self, cin: int):
        super().__init__()
        self.branch3x3 = BasicConv2d(cin, 384, 3, stride=2)
        self.branch3x3dbl_1 = BasicConv2d(cin, 64, 1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, 3, stride=2)

    def forward(self, x):
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([self.branch3x3(x), b3, F.max_pool2d(x, kernel_size=3, stride=2)], 1)


class InceptionC(nn.Module):
    def __init__(self, cin: int, c7: int):
        super().__init__()
        self.branch1x1 = BasicConv2d(cin, 192, 1)
        self.branch7x7_1 = BasicConv2d(cin, c7, 1)
        self.branch7x7_2 = BasicConv2d(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7_3 = BasicConv2d(c7, 192, (7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = BasicConv2d(cin, c7, 1)
        self.branch7x7dbl_2 = BasicConv2d(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = BasicConv2d(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = BasicConv2d(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = BasicConv2d(c7, 192, (1, 7), padding=(0, 3))
        self.branch_pool = BasicConv2d(cin, 192, 1)

    def forward(self, x):
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        d = x
        for i in range(1, 6):
            d = getattr(self, f'branch7x7dbl_{i}')(d)
        return torch.cat([self.branch1x1(x), b7, d, self.branch_pool(_avg_pool_3x3(x))], 1)


class InceptionD(nn.Module):
    def __init__(self, cin: int):
        super().__init__()
        self.branch3x3_1 = BasicConv2d(cin, 192, 1)
        self.branch3x3_2 = BasicConv2d(192, 320, 3, stride=2)
        self.branch7x7x3_1 = BasicConv2d(cin, 192, 1)
        self.branch7x7x3_2 = BasicConv2d(192, 192, (1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BasicConv2d(192, 192, (7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BasicConv2d(192, 192, 3, stride=2)

    def forward(self, x):
        b3 = self.branch3x3_2(self.branch3x3_1(x))
        b7 = x
        for i in range(1, 5):
            b7 = getattr(self, f'branch7x7x3_{i}')(b7)
        return torch.cat([b3, b7, F.max_pool2d(x, kernel_size=3, stride=2)], 1)


class InceptionE(nn.Module):
    def __init__(self, cin: int, max_pool: bool):
        super().__init__()
        self.max_pool = max_pool
        self.branch1x1 = BasicConv2d(cin, 320, 1)
        self.branch3x3_1 = BasicConv2d(cin, 384, 1)
        self.branch3x3_2a = BasicConv2d(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3_2b = BasicConv2d(384, 384, (3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BasicConv2d(cin, 448, 1)
        self.branch3x3dbl_2 = BasicConv2d(448, 384, 3, padding=1)
        self.branch3x3dbl_3a = BasicConv2d(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BasicConv2d(384, 384, (3, 1), padding=(1, 0))
        self.branch_pool = BasicConv2d(cin, 192, 1)

    def forward(self, x):
        b3 = self.branch3x3_1(x)
        b3 = torch.cat([self.branch3x3_2a(b3), self.branch3x3_2b(b3)], 1)
        d = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        d = torch.cat([self.branch3x3dbl_3a(d), self.branch3x3dbl_3b(d)], 1)
        # The FID network's last block pools by maximum, the one before by average without padding.
        pool = F.max_pool2d(x, kernel_size=3, stride=1, padding=1) if self.max_pool else _avg_pool_3x3(x)
        return torch.cat([self.branch1x1(x), b3, d, self.branch_pool(pool)], 1)


class InceptionV3Pool(nn.Module):
    """[N,3,H,W] normalised to [-1,1] (H, W >= 75) -> [N,2048] average-pooled features of the last block."""

    def __init__(self):
        super().__init__()
        self.Conv2d_1a_3x3 = BasicConv2d(3, 32, 3, stride=2)
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, 3)
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, 3, padding=1)
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, 1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, 3)
        self.Mixed_5b = InceptionA(192, 32)
        self.Mixed_5c = InceptionA(256, 64)
        self.Mixed_5d = InceptionA(288, 64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = InceptionC(768, 128)
        self.Mixed_6c = InceptionC(768, 160)
        self.Mixed_6d = InceptionC(768, 160)
        self.Mixed_6e = InceptionC(768, 192)
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = InceptionE(1280, max_pool=False)
        self.Mixed_7c = InceptionE(2048, max_pool=True)

    def forward(self, x):
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x)))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        x = self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        for name in ('5b', '5c', '5d', '6a', '6b', '6c', '6d', '6e', '7a', '7b', '7c'):
            x = getattr(self, f'Mixed_{name}')(x)
        return x.mean(dim=(2, 3))


class FidInception(nn.Module):
    """The FID feature extractor as one graph: images in [0,1] of any size -> bilinear to `size` -> [-1,1] ->
    InceptionV3 pool features [N,2048]."""

    def __init__(self, size: int = 299):
        super().__init__()
        self.size = size
        self.inception = InceptionV3Pool()

    def forward(self, image):
        x = F.interpolate(image, size=(self.size, self.size), mode='bilinear', align_corners=False)
        return self.inception(2.0 * x - 1.0)


# Keys a torchvision-layout InceptionV3 state dict holds that the pool features do not use.
UNUSED_PREFIXES: Tuple[str, ...] = ('fc.', 'AuxLogits.')


def load_strict(model: InceptionV3Pool, sd: dict) -> List[str]:
    """Loads `sd` into `model` requiring every feature tensor by name and shape; returns the unused keys it
    skipped (the classifier). Anything else missing, extra or reshaped is an error naming it."""
    skipped = sorted(k for k in sd if k.startswith(UNUSED_PREFIXES))
    kept = {k: v for k, v in sd.items() if not k.startswith(UNUSED_PREFIXES)}
    expected = model.state_dict()
    missing = sorted(set(expected) - set(kept))
    unexpected = sorted(set(kept) - set(expected))
    wrong = [k for k in expected if k in kept and tuple(kept[k].shape) != tuple(expected[k].shape)]
    if missing or unexpected or wrong:
        raise ValueError(f'not the InceptionV3 layout: missing {missing[:6]}, unexpected {unexpected[:6]}, '
                         f'shapes {wrong[:6]}')
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in kept.items()}, strict=True)
    return skipped


def random_state_dict(seed: int) -> dict:
    """Random weights in the layout, scaled so activations keep their size through the 94 convolutions."""
    torch.manual_seed(seed)
    sd = {}
    for name, t in InceptionV3Pool().state_dict().items():
        if name.endswith('num_batches_tracked'):
            v = torch.tensor(0, dtype=torch.long)
        elif name.endswith('running_var'):
            v = 0.5 + torch.rand(t.shape)
        elif name.endswith('running_mean') or name.endswith('bn.bias'):
            v = 0.1 * torch.randn(t.shape)
        elif name.endswith('bn.weight'):
            v = 0.8 + 0.4 * torch.rand(t.shape)
        else:
            v = torch.randn(t.shape) * (2.0 / t[0].numel()) ** 0.5
        sd[name] = v.to(t.dtype)
    return sd

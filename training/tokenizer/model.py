"""V2L-style local tokenizer: factor-8 CNN encoder/decoder + fixed LLaMA-2 codebook with a trainable projector."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from common import FIRST_USABLE_ID, VOCAB_SIZE


class ResBlock(nn.Module):
    def __init__(self, c, groups=8):
        super().__init__()
        self.n1 = nn.GroupNorm(groups, c)
        self.c1 = nn.Conv2d(c, c, 3, padding=1)
        self.n2 = nn.GroupNorm(groups, c)
        self.c2 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return x + self.c2(F.silu(self.n2(self.c1(F.silu(self.n1(x))))))


class Encoder(nn.Module):
    def __init__(self, ch=(32, 64, 128, 128), nres=(0, 1, 1, 2), zdim=8):
        super().__init__()
        layers = [nn.Conv2d(3, ch[0], 3, padding=1)]
        layers += [ResBlock(ch[0]) for _ in range(nres[0])]
        for i in range(1, 4):
            layers += [nn.SiLU(), nn.Conv2d(ch[i - 1], ch[i], 4, stride=2, padding=1)]
            layers += [ResBlock(ch[i]) for _ in range(nres[i])]
        layers += [nn.GroupNorm(8, ch[3]), nn.SiLU(), nn.Conv2d(ch[3], zdim, 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


class Decoder(nn.Module):
    def __init__(self, ch=(32, 64, 128, 128), nres=(0, 1, 1, 2), zdim=8):
        super().__init__()
        layers = [nn.Conv2d(zdim, ch[3], 3, padding=1)]
        layers += [ResBlock(ch[3]) for _ in range(nres[3])]
        for i in range(3, 0, -1):
            layers += [nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(ch[i], ch[i - 1], 3, padding=1)]
            layers += [ResBlock(ch[i - 1]) for _ in range(nres[i - 1])]
        layers += [nn.GroupNorm(8, ch[0]), nn.SiLU(), nn.Conv2d(ch[0], 3, 3, padding=1)]
        self.net = nn.Sequential(*layers)

    def forward(self, z):
        return self.net(z)


@torch.no_grad()
def nearest(q, cb, chunk=2048):
    """argmin_k |cb_k|^2 - 2 q.cb_k (squared Euclidean up to |q|^2), computed over codebook chunks: a single
    [queries x 31,741] distance matrix is far slower on CPU (allocation and memory traffic dominate)."""
    norms = (cb * cb).sum(1)
    best_v = best_i = None
    for s in range(0, cb.shape[0], chunk):
        d = torch.addmm(norms[None, s:s + chunk], q, cb[s:s + chunk].t(), alpha=-2.0)
        v, i = d.min(1)
        if best_v is None:
            best_v, best_i = v, i
        else:
            m = v < best_v
            best_v = torch.where(m, v, best_v)
            best_i = torch.where(m, i + s, best_i)
    return best_i


class Quantizer(nn.Module):
    """Nearest neighbour over the projected, L2-normalised LLaMA-2 codebook (ids 259..31999 only)."""

    def __init__(self, codebook, zdim=8):
        super().__init__()
        cb = torch.as_tensor(np.asarray(codebook, dtype=np.float32))
        assert cb.shape[0] == VOCAB_SIZE
        self.register_buffer('codebook', cb[FIRST_USABLE_ID:].clone(), persistent=False)
        self.proj = nn.Linear(cb.shape[1], zdim)

    def projected(self):
        return F.normalize(self.proj(self.codebook), dim=1)

    def forward(self, z):
        """z: [N, D, H, W] (unnormalised encoder output). Returns (zq_st, ids, commitment loss, z normalised)."""
        z = F.normalize(z, dim=1)
        n, d, h, w = z.shape
        flat = z.permute(0, 2, 3, 1).reshape(-1, d)
        cb = self.projected()
        idx = nearest(flat.detach(), cb.detach())
        zq = cb[idx].view(n, h, w, d).permute(0, 3, 1, 2)
        commit = F.mse_loss(z, zq.detach()) + 0.33 * F.mse_loss(zq, z.detach())
        zq_st = z + (zq - z).detach()
        ids = (idx + FIRST_USABLE_ID).view(n, h, w)
        return zq_st, ids, commit, z

    def lookup(self, ids):
        cb = self.projected()
        zq = cb[ids - FIRST_USABLE_ID]
        return zq.permute(0, 3, 1, 2)


class Tokenizer(nn.Module):
    def __init__(self, codebook, ch=(32, 64, 128, 128), nres=(0, 1, 1, 2), zdim=8):
        super().__init__()
        self.encoder = Encoder(ch, nres, zdim)
        self.decoder = Decoder(ch, nres, zdim)
        self.quant = Quantizer(codebook, zdim)

    def forward(self, x):
        zq, ids, commit, _ = self.quant(self.encoder(x))
        return self.decoder(zq), ids, commit

    @torch.no_grad()
    def encode(self, x):
        return self.quant(self.encoder(x))[1]

    @torch.no_grad()
    def decode(self, ids):
        return self.decoder(self.quant.lookup(ids))

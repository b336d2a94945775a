"""Module definitions that load the released V2L tokenizer checkpoint by its own parameter names.

The released file is the state dict of the authors' whole training module: the VQGAN-style encoder and decoder
(the decoder has one cross-attention layer to the global tokens), the 1x1 quant convs, the local codebook (CLIP text
embeddings of the 32,000 LLaMA-2 pieces) with its Linear projection, the global codebook (CLIP text embeddings of
11,908 uni/bi/trigrams), the frozen CLIP ViT-L/14 image tower, and two training-only parts (a PatchGAN
discriminator and the LPIPS network). Parameter names are dictated by that file, so the attribute names below follow
it; the code is written from the architecture description, and every layer is checked by a strict load.

Only what inference needs has a forward here, and the LPIPS network, which the converter exports for scoring; the
discriminator exists so that the whole file loads strictly.
"""
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

# The studio's pack contract: image tokens are LLaMA-2 ids 259..31999 (special and byte pieces are never drawn).
FIRST_IMAGE_ID = 259

CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)

TRAINING_ONLY_GROUPS = ('discriminator', 'perceptual_loss')


@dataclass(frozen=True)
class V2LConfig:
    """Widths of every part. OFFICIAL below is the released model; CI is a narrow copy with the same layout."""
    ch: int = 128
    ch_mult: Tuple[int, ...] = (1, 2, 2, 4)
    num_res_blocks: int = 2
    z_channels: int = 256
    # Per level (index 0 = full resolution), whether each residual block is followed by self-attention. The
    # released config (resolution 256, attn_resolutions [16]) never reaches 16 on its level loop, so none is.
    level_attention: Tuple[bool, ...] = (False, False, False, False)
    embed_dim: int = 768  # local codebook width = quant_conv output = cross-attention context width
    cross_heads: int = 8
    local_vocab: int = 32000
    global_vocab: int = 11908
    clip_width: int = 1024
    clip_layers: int = 24
    clip_patch: int = 14
    clip_resolution: int = 224
    clip_dim: int = 768
    disc_ndf: int = 64
    disc_layers: int = 2
    training_parts: bool = True

    @property
    def clip_heads(self) -> int:
        # CLIP's own rule: 64-wide heads.
        return max(1, self.clip_width // 64)

    def describe(self) -> dict:
        d = asdict(self)
        d['clip_heads'] = self.clip_heads
        return d


OFFICIAL = V2LConfig()
# Narrow enough for CI on 2 cores; vocabularies keep their real sizes (ids must mean LLaMA-2 pieces).
CI = V2LConfig(ch=32, z_channels=32, embed_dim=32, cross_heads=8, clip_width=128, clip_layers=2, clip_dim=32,
               disc_ndf=8)
CONFIGS = {'official': OFFICIAL, 'ci': CI}


def swish(x: torch.Tensor) -> torch.Tensor:
    return x * torch.sigmoid(x)


def group_norm(channels: int) -> nn.GroupNorm:
    return nn.GroupNorm(32, channels, eps=1e-6, affine=True)


class ResBlock(nn.Module):
    """GroupNorm-swish-conv twice, with a 1x1 projection on the skip path when the width changes."""

    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.norm1 = group_norm(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.norm2 = group_norm(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        if cin != cout:
            self.nin_shortcut = nn.Conv2d(cin, cout, 1)
        self.changes_width = cin != cout

    def forward(self, x):
        h = self.conv1(swish(self.norm1(x)))
        h = self.conv2(swish(self.norm2(h)))
        skip = self.nin_shortcut(x) if self.changes_width else x
        return skip + h


class SpatialSelfAttention(nn.Module):
    """Single-head self-attention over the positions of a feature map (1x1 conv projections), residual."""

    def __init__(self, channels: int):
        super().__init__()
        self.norm = group_norm(channels)
        self.q = nn.Conv2d(channels, channels, 1)
        self.k = nn.Conv2d(channels, channels, 1)
        self.v = nn.Conv2d(channels, channels, 1)
        self.proj_out = nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        b, c, hgt, wid = x.shape
        n = self.norm(x)
        q = self.q(n).reshape(b, c, hgt * wid).transpose(1, 2)  # b, hw, c
        k = self.k(n).reshape(b, c, hgt * wid)  # b, c, hw
        v = self.v(n).reshape(b, c, hgt * wid).transpose(1, 2)  # b, hw, c
        weights = torch.softmax(torch.bmm(q, k) * (c ** -0.5), dim=-1)  # b, hw(query), hw(key)
        out = torch.bmm(weights, v).transpose(1, 2).reshape(b, c, hgt, wid)
        return x + self.proj_out(out)


class GlobalCrossAttention(nn.Module):
    """Feature-map positions (queries) attend to the global token embeddings (keys/values). Multi-head, with a
    head width equal to the query width, as released; the result replaces the features (no residual)."""

    def __init__(self, query_dim: int, context_dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.head_dim = query_dim
        inner = heads * query_dim
        self.to_q = nn.Linear(query_dim, inner, bias=False)
        self.to_k = nn.Linear(context_dim, inner, bias=False)
        self.to_v = nn.Linear(context_dim, inner, bias=False)
        # Index 0 so the projection is stored as "to_out.0"; the released layer had dropout (p=0) at index 1.
        self.to_out = nn.Sequential(OrderedDict([('0', nn.Linear(inner, query_dim))]))

    def forward(self, x, context):
        b, n, _ = x.shape
        m = context.shape[1]
        h, d = self.heads, self.head_dim
        q = self.to_q(x).reshape(b, n, h, d).transpose(1, 2)
        k = self.to_k(context).reshape(b, m, h, d).transpose(1, 2)
        v = self.to_v(context).reshape(b, m, h, d).transpose(1, 2)
        weights = torch.softmax(torch.matmul(q, k.transpose(2, 3)) * (d ** -0.5), dim=-1)
        out = torch.matmul(weights, v).transpose(1, 2).reshape(b, n, h * d)
        return self.to_out(out)


class Downsample(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2)

    def forward(self, x):
        # Pad right and bottom only, so a stride-2 3x3 conv halves even sizes exactly.
        return self.conv(F.pad(x, (0, 1, 0, 1)))


class Upsample(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode='nearest'))


class Level(nn.Module):
    """One resolution of the encoder or decoder: residual blocks, optional attention, optional resampling."""

    def __init__(self, cin: int, cout: int, blocks: int, attention: bool, resample: Optional[nn.Module]):
        super().__init__()
        self.block = nn.ModuleList([ResBlock(cin if i == 0 else cout, cout) for i in range(blocks)])
        self.attn = nn.ModuleList([SpatialSelfAttention(cout) for _ in range(blocks)] if attention else [])
        # Registered once, under the name the released file uses for it.
        self.resample_name = None
        if resample is not None:
            self.resample_name = 'downsample' if isinstance(resample, Downsample) else 'upsample'
            setattr(self, self.resample_name, resample)

    def forward(self, x):
        for i, block in enumerate(self.block):
            x = block(x)
            if len(self.attn) > 0:
                x = self.attn[i](x)
        return getattr(self, self.resample_name)(x) if self.resample_name is not None else x


class Middle(nn.Module):
    def __init__(self, channels: int, cross: Optional[Tuple[int, int]] = None):
        super().__init__()
        self.block_1 = ResBlock(channels, channels)
        self.attn_1 = SpatialSelfAttention(channels)
        if cross is not None:
            self.cross_attn_1 = GlobalCrossAttention(channels, cross[0], cross[1])
        self.block_2 = ResBlock(channels, channels)
        self.has_cross = cross is not None

    def forward(self, x, context=None):
        x = self.attn_1(self.block_1(x))
        if self.has_cross:
            b, c, hgt, wid = x.shape
            seq = x.reshape(b, c, hgt * wid).transpose(1, 2)
            x = self.cross_attn_1(seq, context).transpose(1, 2).reshape(b, c, hgt, wid)
        return self.block_2(x)


class LocalEncoder(nn.Module):
    def __init__(self, cfg: V2LConfig):
        super().__init__()
        widths = [cfg.ch * m for m in cfg.ch_mult]
        self.conv_in = nn.Conv2d(3, cfg.ch, 3, padding=1)
        levels = []
        cin = cfg.ch
        for i, cout in enumerate(widths):
            last = i == len(widths) - 1
            levels.append(Level(cin, cout, cfg.num_res_blocks, cfg.level_attention[i],
                                None if last else Downsample(cout)))
            cin = cout
        self.down = nn.ModuleList(levels)
        self.mid = Middle(cin)
        self.norm_out = group_norm(cin)
        self.conv_out = nn.Conv2d(cin, cfg.z_channels, 3, padding=1)

    def forward(self, x):
        h = self.conv_in(x)
        for level in self.down:
            h = level(h)
        h = self.mid(h)
        return self.conv_out(swish(self.norm_out(h)))


class LocalDecoder(nn.Module):
    def __init__(self, cfg: V2LConfig):
        super().__init__()
        widths = [cfg.ch * m for m in cfg.ch_mult]
        cin = widths[-1]
        self.conv_in = nn.Conv2d(cfg.z_channels, cin, 3, padding=1)
        self.mid = Middle(cin, cross=(cfg.embed_dim, cfg.cross_heads))
        by_level: Dict[int, Level] = {}
        for i in reversed(range(len(widths))):
            cout = widths[i]
            by_level[i] = Level(cin, cout, cfg.num_res_blocks + 1, cfg.level_attention[i],
                                Upsample(cout) if i != 0 else None)
            cin = cout
        # Stored with index 0 = full resolution, run from the coarsest level up.
        self.up = nn.ModuleList([by_level[i] for i in range(len(widths))])
        self.norm_out = group_norm(cin)
        self.conv_out = nn.Conv2d(cin, 3, 3, padding=1)

    def forward(self, z, context):
        h = self.mid(self.conv_in(z), context)
        for i in reversed(range(len(self.up))):
            h = self.up[i](h)
        return self.conv_out(swish(self.norm_out(h)))


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ClipAttention(nn.Module):
    """Multi-head self-attention with a packed q/k/v projection, stored the way torch's MultiheadAttention is."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * width, width))
        self.in_proj_bias = nn.Parameter(torch.empty(3 * width))
        self.out_proj = nn.Linear(width, width)

    def forward(self, x):
        b, n, w = x.shape
        h = self.heads
        d = w // h
        qkv = F.linear(x, self.in_proj_weight, self.in_proj_bias).reshape(b, n, 3, h, d).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        weights = torch.softmax(torch.matmul(q * (d ** -0.5), k.transpose(2, 3)), dim=-1)
        out = torch.matmul(weights, v).transpose(1, 2).reshape(b, n, w)
        return self.out_proj(out)


class ClipBlock(nn.Module):
    def __init__(self, width: int, heads: int):
        super().__init__()
        self.attn = ClipAttention(width, heads)
        self.ln_1 = nn.LayerNorm(width)
        self.mlp = nn.Sequential(OrderedDict([
            ('c_fc', nn.Linear(width, 4 * width)),
            ('gelu', QuickGELU()),
            ('c_proj', nn.Linear(4 * width, width)),
        ]))
        self.ln_2 = nn.LayerNorm(width)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class ClipTransformer(nn.Module):
    def __init__(self, width: int, layers: int, heads: int):
        super().__init__()
        self.resblocks = nn.Sequential(*[ClipBlock(width, heads) for _ in range(layers)])

    def forward(self, x):
        return self.resblocks(x)


class ClipImageTower(nn.Module):
    """CLIP's ViT image encoder: patch embedding, class token, pre-LN transformer, class token -> projection."""

    def __init__(self, cfg: V2LConfig):
        super().__init__()
        w = cfg.clip_width
        grid = cfg.clip_resolution // cfg.clip_patch
        self.resolution = cfg.clip_resolution
        self.conv1 = nn.Conv2d(3, w, cfg.clip_patch, stride=cfg.clip_patch, bias=False)
        self.class_embedding = nn.Parameter(torch.empty(w))
        self.positional_embedding = nn.Parameter(torch.empty(grid * grid + 1, w))
        self.ln_pre = nn.LayerNorm(w)
        self.transformer = ClipTransformer(w, cfg.clip_layers, cfg.clip_heads)
        self.ln_post = nn.LayerNorm(w)
        self.proj = nn.Parameter(torch.empty(w, cfg.clip_dim))

    def forward(self, pixels):
        """pixels: [N,3,R,R], already CLIP-normalised. Returns the projected class-token embedding [N, clip_dim]."""
        x = self.conv1(pixels)
        b, w = x.shape[0], x.shape[1]
        x = x.reshape(b, w, -1).transpose(1, 2)
        cls = self.class_embedding.reshape(1, 1, w).expand(b, 1, w)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.transformer(self.ln_pre(x))
        # ln_post is per token, so normalising only the class token gives what the released code keeps.
        return self.ln_post(x[:, 0, :]) @ self.proj


class PatchDiscriminator(nn.Module):
    """Training-only: held so the released file loads strictly; never exported."""

    def __init__(self, ndf: int, layers: int):
        super().__init__()
        seq: List[nn.Module] = [nn.Conv2d(3, ndf, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
        mult = 1
        for n in range(1, layers + 1):
            prev, mult = mult, min(2 ** n, 8)
            stride = 2 if n < layers else 1
            seq += [nn.Conv2d(ndf * prev, ndf * mult, 4, stride=stride, padding=1, bias=False),
                    nn.BatchNorm2d(ndf * mult), nn.LeakyReLU(0.2)]
        seq.append(nn.Conv2d(ndf * mult, 1, 4, stride=1, padding=1))
        self.main = nn.Sequential(*seq)


class _Scaling(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer('shift', torch.zeros(1, 3, 1, 1))
        self.register_buffer('scale', torch.ones(1, 3, 1, 1))


# VGG16 convolution stack: (index inside torchvision's `features`, in, out), grouped into LPIPS's five slices.
_VGG_SLICES = [
    [(0, 3, 64), (2, 64, 64)],
    [(5, 64, 128), (7, 128, 128)],
    [(10, 128, 256), (12, 256, 256), (14, 256, 256)],
    [(17, 256, 512), (19, 512, 512), (21, 512, 512)],
    [(24, 512, 512), (26, 512, 512), (28, 512, 512)],
]


class _VggSlices(nn.Module):
    def __init__(self):
        super().__init__()
        for s, convs in enumerate(_VGG_SLICES, start=1):
            seq = nn.Sequential()
            for idx, cin, cout in convs:
                seq.add_module(str(idx), nn.Conv2d(cin, cout, 3, padding=1))
            setattr(self, f'slice{s}', seq)

    def forward(self, x) -> List[torch.Tensor]:
        """The five LPIPS taps of VGG16: relu1_2, relu2_2, relu3_3, relu4_3, relu5_3. Every slice but the first
        starts with VGG's 2x2 max pool; every convolution is followed by a ReLU (the parameter-free layers that
        torchvision numbers in between)."""
        taps = []
        for s in range(1, len(_VGG_SLICES) + 1):
            if s > 1:
                x = F.max_pool2d(x, kernel_size=2, stride=2)
            for conv in getattr(self, f'slice{s}'):
                x = F.relu(conv(x))
            taps.append(x)
        return taps


class _LinearHead(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        # Index 0 is LPIPS's dropout, which has no parameters and does nothing at inference.
        self.model = nn.Sequential(OrderedDict([('1', nn.Conv2d(channels, 1, 1, bias=False))]))


LPIPS_EPS = 1e-10


class PerceptualNet(nn.Module):
    """LPIPS(VGG16) as the authors trained with it: the released file holds its VGG16 features and linear heads.
    Training-only for the tokenizer, exported by the converter as `lpips.onnx` to score results the same way."""

    def __init__(self):
        super().__init__()
        self.scaling_layer = _Scaling()
        self.net = _VggSlices()
        for i, c in enumerate([64, 128, 256, 512, 512]):
            setattr(self, f'lin{i}', _LinearHead(c))

    def forward(self, image_a, image_b):
        """Two batches [N,3,H,W] in [-1,1] -> [N] distances: per tap, unit-normalise the features over channels,
        square their difference, weight the channels by the linear head, average over positions; sum the taps."""
        scale = self.scaling_layer
        taps_a = self.net((image_a - scale.shift) / scale.scale)
        taps_b = self.net((image_b - scale.shift) / scale.scale)
        per_tap = []
        for i, (fa, fb) in enumerate(zip(taps_a, taps_b)):
            fa = fa / (torch.sqrt((fa * fa).sum(dim=1, keepdim=True)) + LPIPS_EPS)
            fb = fb / (torch.sqrt((fb * fb).sum(dim=1, keepdim=True)) + LPIPS_EPS)
            per_tap.append(getattr(self, f'lin{i}').model((fa - fb) ** 2).mean(dim=(1, 2, 3)))
        return torch.stack(per_tap).sum(dim=0)


class V2LModel(nn.Module):
    """The released tokenizer, by its state-dict names, with the inference paths the pack needs."""

    def __init__(self, cfg: V2LConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = LocalEncoder(cfg)
        self.decoder = LocalDecoder(cfg)
        self.global_encoder = ClipImageTower(cfg)
        self.quant_conv = nn.Conv2d(cfg.z_channels, cfg.embed_dim, 1)
        self.post_quant_conv = nn.Conv2d(cfg.embed_dim, cfg.z_channels, 1)
        self.tok_embeddings = nn.Embedding(cfg.local_vocab, cfg.embed_dim)
        self.codebook_projection = nn.Linear(cfg.embed_dim, cfg.embed_dim)
        self.tok_embeddings_global = nn.Embedding(cfg.global_vocab, cfg.clip_dim)
        if cfg.training_parts:
            self.discriminator = PatchDiscriminator(cfg.disc_ndf, cfg.disc_layers)
            self.perceptual_loss = PerceptualNet()

    # --- local branch -------------------------------------------------------------------------------------

    def projected_codebook(self) -> torch.Tensor:
        """The local codebook the quantiser searches and the decoder reads: projection(CLIP text embeddings)."""
        return self.codebook_projection(self.tok_embeddings.weight)

    def local_features(self, image):
        return normalised_local_features(self.encoder, self.quant_conv, image)

    def decode(self, local_embeddings, global_embeddings):
        """local_embeddings [N,D,h,w] (codebook rows), global_embeddings [N,k,D'] -> image [N,3,H,W]."""
        return self.decoder(self.post_quant_conv(local_embeddings), global_embeddings)

    # --- global branch ------------------------------------------------------------------------------------

    def clip_pixels(self, image):
        """The pack's image ([-1,1], imageSize square) as CLIP's input: bicubic to CLIP's resolution, clamped to
        the displayable range like a resized picture would be, then CLIP's per-channel normalisation."""
        r = self.cfg.clip_resolution
        x = (image + 1.0) * 0.5
        if x.shape[-1] != r or x.shape[-2] != r:
            x = F.interpolate(x, size=(r, r), mode='bicubic', align_corners=False).clamp(0.0, 1.0)
        mean = torch.tensor(CLIP_MEAN, dtype=x.dtype).reshape(1, 3, 1, 1)
        std = torch.tensor(CLIP_STD, dtype=x.dtype).reshape(1, 3, 1, 1)
        return (x - mean) / std

    def global_features(self, image):
        f = self.global_encoder(self.clip_pixels(image))
        return f / f.norm(dim=-1, keepdim=True)


def normalised_local_features(encoder: LocalEncoder, quant_conv: nn.Conv2d, image):
    """image [N,3,H,W] in [-1,1] -> per-position features, L2-normalised over channels (the codebook is built from
    unit-length CLIP text embeddings, and the released model normalises for that reason)."""
    z = quant_conv(encoder(image))
    return z / z.norm(dim=1, keepdim=True)


class NearestLocal(nn.Module):
    """Nearest projected-codebook row for each position, over the ids a pack may produce (259..). Squared
    Euclidean distance written as the released quantiser writes it: |z|^2 + |e|^2 - 2 z.e."""

    def __init__(self, codebook: torch.Tensor, first_id: int = FIRST_IMAGE_ID):
        super().__init__()
        usable = codebook[first_id:].detach().float().contiguous()
        self.first_id = first_id
        # One stored copy, [D, M]: the distance product reads it, and the chosen rows are gathered from its columns.
        self.register_buffer('codebook_t', usable.t().contiguous())
        self.register_buffer('codebook_sq', (usable * usable).sum(1))

    def forward(self, z):
        n, d, hgt, wid = z.shape
        flat = z.permute(0, 2, 3, 1).reshape(-1, d)
        dist = (flat * flat).sum(1, keepdim=True) + self.codebook_sq - 2.0 * (flat @ self.codebook_t)
        index = torch.argmin(dist, dim=1)
        emb = self.codebook_t.index_select(1, index).t().reshape(n, hgt, wid, d).permute(0, 3, 1, 2)
        return (index + self.first_id).reshape(n, hgt, wid), emb


class TopKGlobal(nn.Module):
    """The k global codebook entries nearest to the normalised CLIP embedding, nearest first (top-k of -d)."""

    def __init__(self, codebook: torch.Tensor, k: int):
        super().__init__()
        cb = codebook.detach().float().contiguous()
        self.k = k
        self.register_buffer('codebook_t', cb.t().contiguous())
        self.register_buffer('codebook_sq', (cb * cb).sum(1))

    def forward(self, f):
        dist = (f * f).sum(1, keepdim=True) + self.codebook_sq - 2.0 * (f @ self.codebook_t)
        _, ids = torch.topk(-dist, self.k, dim=1, largest=True, sorted=True)
        return ids


# --- reading a state dict ---------------------------------------------------------------------------------


def _count(sd: Dict[str, torch.Tensor], prefix: str) -> int:
    """How many consecutive integer children `prefix.{i}.` exist."""
    n = 0
    while any(k.startswith(f'{prefix}.{n}.') for k in sd):
        n += 1
    return n


def _last_index(sd: Dict[str, torch.Tensor], prefix: str) -> int:
    """The largest integer child `prefix.{i}.` (Sequentials skip the indices of parameter-free layers)."""
    found = [int(k[len(prefix) + 1:].split('.')[0]) for k in sd if k.startswith(prefix + '.')]
    return max(found) if found else -1


def infer_config(sd: Dict[str, torch.Tensor]) -> V2LConfig:
    """Reads every width from tensor shapes; a strict load afterwards proves the reading right."""
    ch = sd['encoder.conv_in.weight'].shape[0]
    levels = _count(sd, 'encoder.down')
    ch_mult = tuple(sd[f'encoder.down.{i}.block.0.conv1.weight'].shape[0] // ch for i in range(levels))
    blocks = _count(sd, 'encoder.down.0.block')
    attention = tuple(f'encoder.down.{i}.attn.0.q.weight' in sd for i in range(levels))
    embed_dim = sd['quant_conv.weight'].shape[0]
    inner = sd['decoder.mid.cross_attn_1.to_q.weight'].shape[0]
    mid = sd['decoder.mid.cross_attn_1.to_q.weight'].shape[1]
    clip_w = sd['global_encoder.conv1.weight'].shape[0]
    patch = sd['global_encoder.conv1.weight'].shape[-1]
    tokens = sd['global_encoder.positional_embedding'].shape[0] - 1
    grid = int(round(tokens ** 0.5))
    training = any(k.startswith(g + '.') for g in TRAINING_ONLY_GROUPS for k in sd)
    return V2LConfig(
        ch=ch, ch_mult=ch_mult, num_res_blocks=blocks, z_channels=sd['encoder.conv_out.weight'].shape[0],
        level_attention=attention, embed_dim=embed_dim, cross_heads=inner // mid,
        local_vocab=sd['tok_embeddings.weight'].shape[0], global_vocab=sd['tok_embeddings_global.weight'].shape[0],
        clip_width=clip_w, clip_layers=_count(sd, 'global_encoder.transformer.resblocks'), clip_patch=patch,
        clip_resolution=grid * patch, clip_dim=sd['global_encoder.proj'].shape[1],
        disc_ndf=sd['discriminator.main.0.weight'].shape[0] if training else 64,
        disc_layers=(_last_index(sd, 'discriminator.main') - 2) // 3 if training else 2,
        training_parts=training,
    )


def load_strict(sd: Dict[str, torch.Tensor], cfg: Optional[V2LConfig] = None) -> V2LModel:
    """Builds the model for `sd` and loads it with strict key and shape matching; any mismatch is an error
    that lists the offending names."""
    cfg = cfg or infer_config(sd)
    model = V2LModel(cfg)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(sd))
    unexpected = sorted(set(sd) - set(expected))
    wrong = [f'{k}: file {tuple(sd[k].shape)} vs model {tuple(expected[k].shape)}'
             for k in expected if k in sd and tuple(sd[k].shape) != tuple(expected[k].shape)]
    if missing or unexpected or wrong:
        def head(xs):
            return ', '.join(xs[:8]) + (f' ... ({len(xs)} in all)' if len(xs) > 8 else '')
        raise ValueError('the state dict does not match the V2L tokenizer layout: '
                         f'missing [{head(missing)}], unexpected [{head(unexpected)}], shapes [{head(wrong)}]')
    # Released CLIP weights are partly float16 (CLIP is converted when loaded on a GPU); run everything in float32.
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in sd.items()}, strict=True)
    return model.eval()


def random_state_dict(cfg: V2LConfig, seed: int = 0, clip_half: bool = True) -> Dict[str, torch.Tensor]:
    """A state dict with exactly the released names and shapes, filled with random values scaled so activations
    stay in a sane range. CLIP tensors that the authors' loader converts to float16 are stored as float16."""
    torch.manual_seed(seed)
    model = V2LModel(cfg)
    norm_weights = {f'{name}.weight' for name, m in model.named_modules()
                    if isinstance(m, (nn.GroupNorm, nn.LayerNorm, nn.BatchNorm2d))}
    sd = OrderedDict()
    for name, t in model.state_dict().items():
        if name.endswith('num_batches_tracked'):
            sd[name] = torch.tensor(1000, dtype=torch.long)
            continue
        if name in norm_weights or name.endswith('running_var'):
            v = 1.0 + 0.1 * torch.randn(t.shape)
        elif name.endswith('bias') or name.endswith('running_mean'):
            v = 0.02 * torch.randn(t.shape)
        elif name.endswith('scaling_layer.shift'):
            v = torch.tensor([-0.030, -0.088, -0.188]).reshape(1, 3, 1, 1)
        elif name.endswith('scaling_layer.scale'):
            v = torch.tensor([0.458, 0.448, 0.450]).reshape(1, 3, 1, 1)
        elif name in ('tok_embeddings.weight', 'tok_embeddings_global.weight'):
            # Like the released codebooks: means of unit CLIP text embeddings, so rows of norm a little under 1.
            v = F.normalize(torch.randn(t.shape), dim=1) * (0.8 + 0.2 * torch.rand(t.shape[0], 1))
        elif name.startswith('perceptual_loss.lin'):
            # LPIPS heads weigh squared feature differences per channel; trained ones are non-negative.
            v = torch.rand(t.shape) * (2.0 / t.shape[1])
        elif name.startswith('perceptual_loss.net.') and t.dim() == 4:
            # He scaling keeps VGG's activations from fading over 13 ReLU layers, so all five taps count.
            v = torch.randn(t.shape) * (2.0 / t[0].numel()) ** 0.5
        elif t.dim() >= 2:
            fan_in = t[0].numel() if name != 'global_encoder.proj' else t.shape[0]
            v = torch.randn(t.shape) / max(1, fan_in) ** 0.5
        else:
            v = 0.1 * torch.randn(t.shape)
        if name == 'decoder.conv_out.weight':
            # Keeps most random output pixels inside [-1, 1], so the parity check compares values, not clamps.
            v = v * 0.3
        v = v.to(t.dtype)
        if clip_half and name.startswith('global_encoder.') and _clip_half_tensor(name):
            v = v.half()
        sd[name] = v.contiguous()
    return sd


def _clip_half_tensor(name: str) -> bool:
    """Which CLIP tensors CLIP's own loader turns into float16: conv/linear weights and biases, the packed
    attention projection, and the output projection (not LayerNorms, class token or positions)."""
    rel = name[len('global_encoder.'):]
    if rel == 'proj' or rel == 'conv1.weight':
        return True
    return any(p in rel for p in ('.attn.in_proj_', '.attn.out_proj.', '.mlp.c_fc.', '.mlp.c_proj.'))

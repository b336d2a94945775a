"""Small llama-architecture language model (RMSNorm, RoPE, SwiGLU) with the LLaMA-2 vocabulary.

The layout is the one llama.cpp's `llama` architecture computes, so the GGUF export needs no weight permutation:
  * RoPE rotates ADJACENT pairs (x[2i], x[2i+1]) by pos * base^(-2i/head_dim) (llama.cpp "normal" rope, which is what
    GGUF llama models hold after the usual q/k permutation of HF checkpoints);
  * pre-norm blocks: h += Wo attn(RMSNorm(h)); h += W2 (silu(W1 x) * W3 x) with x = RMSNorm(h);
  * final RMSNorm, then the output projection (tied to the embedding table unless tie=False).

Training uses a sampled softmax (`sampled_loss`); the exported model always has the full 32,000-way output layer.

Mechanism-favouring initialisation (documented, optional, `prev_heads`): every embedding row gets a shared constant
direction c added at init, and in layer 0 head h (h < len(prev_heads)) gets W_q and W_k rank-1 components that read
that direction and write fixed per-RoPE-pair vectors whose phases make q_i . k_j peak at i - j = prev_heads[h] (1 =
previous token, 2 = the token before it). The peak's shape is chosen by a small minimax fit over the RoPE frequencies.
All weights (including these) are then trained end to end; nothing is set after training.
"""
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# fused attention on CUDA where torch has it (>= 2.0); V2L_SDPA=0 forces the explicit path used on the CPU
USE_SDPA = hasattr(F, 'scaled_dot_product_attention') and os.environ.get('V2L_SDPA', '1') != '0'


class Config:
    def __init__(self, **kw):
        self.vocab = 32000
        self.d = 128
        self.layers = 4
        self.heads = 4
        self.ffn = 384
        self.rope_base = 10000.0
        self.eps = 1e-5
        self.tie = True
        self.emb_std = 0.02
        self.init_std = 0.02
        self.prev_heads = []  # e.g. [1, 2]: layer-0 heads 0 and 1 start attending to offsets 1 and 2
        self.prev_scale = 20.0  # peak score margin scale (logit units) for those heads
        self.const_dir_norm = 1.0  # norm of the shared embedding direction relative to a typical row norm
        self.induction_init = False  # also start layer 1 as a two-token-context induction (copy) layer, see below
        self.ind_qk = 1.0  # scale of the layer-1 query/key match
        self.ind_v = 0.25  # layer-0 offset heads' value scale (how strongly they write the earlier tokens)
        self.ind_ov = 0.6  # layer-1 value and output scale (each)
        self.seed = 1234
        # the last id_dims columns of the embedding table keep their random initial values (never trained): a
        # token-identity code that text training cannot wear away, so a head can still match and reproduce rare ids
        self.id_dims = 0
        # what the frozen columns hold: 'random' (normal, emb_std), or words of a binary code as +-emb_std: 'rm'
        # (id_dims 32, Reed-Muller RM(2,5)), 'bch' (id_dims 64, extended BCH [64, 16, 24]). A copying head's output
        # for token t, read back through the tied table, also scores every other token s by code(s) . code(t); over
        # 32,000 normal random 32-d codes the largest of those averages 0.75 of code(t) . code(t), in RM(2,5) no two
        # distinct words exceed 0.5, in the BCH code 0.25
        self.id_code = 'random'
        # a learned bias on the queries (llama.cpp's optional attn_q.bias): the only bias that changes attention
        # (a key bias adds the same score to every key of a query). With it a head can hold a score for a key that
        # does not depend on the query's content: in the slow RoPE pairs, a fixed share of attention for BOS (a
        # sink), so that the mass a copying head gives its matches grows with how many earlier occurrences agree
        self.q_bias = False
        self.dropout = 0.0  # training only (train.py --dropout): on the embeddings and each residual branch's output
        # training only (train.py --head-atten): in the layers listed, the heads' output at each position is scaled
        # by one s ~ U[1 - head_atten, 1] before wo. A copying head then has to win with as little as (1 - head_atten) of
        # its strength, as it must when its attention is split between earlier occurrences that disagree; inference
        # runs at s = 1, a point inside the training range, so the exported weights need no correction
        self.head_atten = 0.0
        self.head_atten_layers = []
        # training only (train.py --frozen-copy): the weights the induction initialisation sets (layer 0's offset
        # heads, layer 1's attention) are held at their initial values, meant to keep the copy heads matching on the
        # slow RoPE pairs and the frozen identity columns, every earlier match weighted alike (a vote), where trained
        # heads come to weight matches by distance (README "How the d=256 model's copy heads vote"). Run fzW: a
        # worse model on every measure, the initial matcher being too weak to copy untrained (README "idW")
        self.frozen_copy = False
        for k, v in kw.items():
            if not hasattr(self, k):
                raise KeyError(k)
            setattr(self, k, v)

    def to_dict(self):
        return dict(self.__dict__)


class RMSNorm(nn.Module):
    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(T, hd, base, device):
    """cos/sin tables of shape (T, hd), each angle repeated for the two members of its adjacent pair."""
    inv = base ** (-torch.arange(0, hd, 2, dtype=torch.float64, device=device) / hd)
    ang = torch.arange(T, dtype=torch.float64, device=device)[:, None] * inv[None, :]
    ang = ang.repeat_interleave(2, dim=1)
    sign = torch.tensor([-1.0, 1.0], dtype=torch.float64, device=device).repeat(hd // 2)
    return torch.cos(ang).float(), (torch.sin(ang) * sign).float()


def apply_rope(x, cos, sin):
    """Rotate adjacent pairs (x[2i], x[2i+1]):  r0 = x0 cos - x1 sin,  r1 = x1 cos + x0 sin  (sin holds the signs)."""
    sh = x.shape
    swapped = x.reshape(*sh[:-1], sh[-1] // 2, 2).flip(-1).reshape(sh)
    return x * cos + swapped * sin


class Block(nn.Module):
    def __init__(self, c, index=0):
        super().__init__()
        self.c = c
        self.index = index
        d = c.d
        self.attn_norm = RMSNorm(d, c.eps)
        self.wq = nn.Linear(d, d, bias=c.q_bias)
        self.wk = nn.Linear(d, d, bias=False)
        self.wv = nn.Linear(d, d, bias=False)
        self.wo = nn.Linear(d, d, bias=False)
        self.ffn_norm = RMSNorm(d, c.eps)
        self.w1 = nn.Linear(d, c.ffn, bias=False)  # gate
        self.w3 = nn.Linear(d, c.ffn, bias=False)  # up
        self.w2 = nn.Linear(c.ffn, d, bias=False)  # down

    def forward(self, h, cos, sin, mask, want_attn=False):
        B, T, d = h.shape
        H = self.c.heads
        hd = d // H
        x = self.attn_norm(h)
        q = self.wq(x).view(B, T, H, hd).transpose(1, 2)
        k = self.wk(x).view(B, T, H, hd).transpose(1, 2)
        v = self.wv(x).view(B, T, H, hd).transpose(1, 2)
        q = apply_rope(q, cos, sin).reshape(B * H, T, hd)
        k = apply_rope(k, cos, sin).reshape(B * H, T, hd)
        v = v.reshape(B * H, T, hd)
        # 3-d bmm on (B*H, T, hd): much faster on CPU than 4-d matmul with a transposed operand (torch 1.13); the
        # scale and the causal mask (additive, -inf above the diagonal) ride along in one baddbmm, which halves the
        # time of the (B*H, T, T) score step with its backward compared with bmm, multiply and masked_fill
        if q.is_cuda and not want_attn and USE_SDPA:
            # fused causal attention (torch >= 2): never materialises the (B*H, T, T) scores, which dominate GPU memory
            a = None
            o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            s = torch.baddbmm(mask, q, k.transpose(1, 2), alpha=1.0 / math.sqrt(hd))
            a = torch.softmax(s, dim=-1)
            o = torch.bmm(a, v)
        o = o.view(B, H, T, hd)
        if self.training and self.c.head_atten > 0 and self.index in self.c.head_atten_layers:
            # one factor for all heads of the layer at a position: independent factors would average out over
            # heads that copy redundantly
            o = o * (1.0 - self.c.head_atten * torch.rand(B, 1, T, 1, device=o.device))
        o = o.transpose(1, 2).reshape(B, T, d)
        if want_attn:
            a = a.view(B, H, T, T)
        p = self.c.dropout
        h = h + F.dropout(self.wo(o), p, self.training)
        x = self.ffn_norm(h)
        h = h + F.dropout(self.w2(F.silu(self.w1(x)) * self.w3(x)), p, self.training)
        return (h, a) if want_attn else (h, None)


def _peak_weights(hd, base, offset, iters=4000):
    """Non-negative weights over RoPE pairs (sum 1) maximising min_{D != offset} f(offset) - f(D), D in [0, 512)."""
    th = base ** (-np.arange(hd // 2) * 2.0 / hd)
    D = np.array([x for x in range(512) if x != offset])
    A = 1.0 - np.cos(np.outer(D - offset, th))
    w = np.ones(len(th)) / len(th)
    for _ in range(iters):
        i = np.argmin(A @ w)
        w = w * np.exp(0.5 * A[i])
        w /= w.sum()
    return th, w, float((A @ w).min())


def _rm_2_5_generator():
    """Reed-Muller RM(2,5): length 32, 16 information bits, minimum distance 8 (rows: monomials of degree <= 2)."""
    pts = torch.tensor([[(i >> b) & 1 for b in range(5)] for i in range(32)])  # the 32 points of F_2^5
    rows = [torch.ones(32, dtype=torch.long)] + [pts[:, i] for i in range(5)]
    rows += [pts[:, i] * pts[:, j] for i in range(5) for j in range(i + 1, 5)]
    return torch.stack(rows)


def _bch_63_16_extended_generator():
    """Extended BCH [64, 16, 24]: the narrow-sense BCH code of length 63 and designed distance 23 (roots alpha^1..22
    in GF(64) with x^6 + x + 1, generator degree 47) plus an overall parity bit."""
    exp, log, v = [0] * 126, [0] * 64, 1
    for i in range(63):
        exp[i], log[v] = v, i
        v <<= 1
        if v & 64:
            v ^= 0b1000011
    exp[63:] = exp[:63]
    roots = sorted({(i << k) % 63 for i in range(1, 23) for k in range(6)})
    poly = [1]  # product of (x - alpha^r), lowest degree first; its coefficients come out in GF(2)
    for r in roots:
        nxt = [0] * (len(poly) + 1)
        for k, c in enumerate(poly):
            nxt[k + 1] ^= c
            if c:
                nxt[k] ^= exp[log[c] + r]
        poly = nxt
    assert len(poly) == 48 and set(poly) <= {0, 1}
    gen = torch.zeros(16, 64, dtype=torch.long)
    for i in range(16):
        gen[i, i:i + 48] = torch.tensor(poly)
    gen[:, 63] = gen[:, :63].sum(1) % 2
    return gen


def code_words(kind, n, length, seed):
    """n distinct words of a binary linear code with 2^16 words as +-1 rows, in a seeded order: 'rm' = RM(2,5)
    (length 32, distinct words overlap by at most 0.5), 'bch' = extended BCH [64, 16, 24] (at most 0.25)."""
    gen = {'rm': (32, _rm_2_5_generator), 'bch': (64, _bch_63_16_extended_generator)}.get(kind)
    if gen is None or gen[0] != length:
        raise ValueError(f'id_code {kind!r} needs id_dims {gen[0] if gen else "?"}, not {length}')
    g = gen[1]()
    order = torch.Generator().manual_seed(seed + 11)
    msgs = torch.randperm(1 << 16, generator=order)[:n]
    bits = torch.stack([(msgs >> b) & 1 for b in range(16)], 1)
    return 1.0 - 2.0 * ((bits @ g) % 2).float()


class LM(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.tok = nn.Embedding(c.vocab, c.d)
        self.blocks = nn.ModuleList([Block(c, i) for i in range(c.layers)])
        self.norm = RMSNorm(c.d, c.eps)
        self.out = None if c.tie else nn.Linear(c.d, c.vocab, bias=False)
        self._init()
        if c.id_dims:
            keep = torch.ones(c.d)
            keep[c.d - c.id_dims:] = 0.0
            self.register_buffer('_id_grad_mask', keep, persistent=False)
            self.tok.weight.register_hook(lambda g: g * self._id_grad_mask)

    def out_weight(self):
        return self.tok.weight if self.out is None else self.out.weight

    @torch.no_grad()
    def _init(self):
        c = self.c
        nn.init.normal_(self.tok.weight, 0.0, c.emb_std)
        if c.id_dims and c.id_code != 'random':
            self.tok.weight[:, c.d - c.id_dims:] = c.emb_std * code_words(c.id_code, c.vocab, c.id_dims, c.seed)
        for b in self.blocks:
            for lin in (b.wq, b.wk, b.wv, b.w1, b.w3):
                nn.init.normal_(lin.weight, 0.0, c.init_std)
            if b.wq.bias is not None:
                nn.init.zeros_(b.wq.bias)
            for lin in (b.wo, b.w2):
                nn.init.normal_(lin.weight, 0.0, c.init_std / math.sqrt(2 * c.layers))
        if c.prev_heads:
            self._init_prev_heads()
        if c.induction_init:
            self._init_induction()
        if self.out is not None:  # untied: the output matrix starts as a copy of the (initialised) embedding table
            self.out.weight.copy_(self.tok.weight)

    @torch.no_grad()
    def _init_prev_heads(self):
        c = self.c
        d, H = c.d, c.heads
        hd = d // H
        gen = torch.Generator().manual_seed(4321)
        u = torch.randn(d, generator=gen)
        if c.id_dims:
            u[d - c.id_dims:] = 0.0  # the frozen identity columns stay a pure token code
        u = u / u.norm()
        self._const_dir = u
        row_norm = c.emb_std * math.sqrt(d)
        self.tok.weight += (c.const_dir_norm * row_norm) * u  # shared constant direction in every embedding row
        # After RMSNorm a row is about sqrt(d) * (cn / sqrt(1 + cn^2)) along u (cn = const_dir_norm).
        cn = c.const_dir_norm
        along = math.sqrt(d) * cn / math.sqrt(1 + cn * cn)
        b0 = self.blocks[0]
        for h, off in enumerate(c.prev_heads):
            th, w, margin = _peak_weights(hd, c.rope_base, off)
            # score(i, j) = sum_m |q_m||k_m| cos((i - j) th_m + phi_q - phi_k) / sqrt(hd); want peak at i - j = off:
            # k_m = sqrt(w_m) (1, 0), q_m = sqrt(w_m) (cos(-off th_m), sin(-off th_m)), times amplitudes.
            amp = math.sqrt(c.prev_scale / max(margin, 1e-3) * math.sqrt(hd))  # |q||k|/sqrt(hd) * margin = prev_scale
            qv = torch.zeros(hd)
            kv = torch.zeros(hd)
            for m in range(hd // 2):
                s = math.sqrt(w[m])
                qv[2 * m] = s * math.cos(-off * th[m])
                qv[2 * m + 1] = s * math.sin(-off * th[m])
                kv[2 * m] = s
            rows = slice(h * hd, (h + 1) * hd)
            # q = W x ~ (amp / along) * qv * (u . x)  ->  |q| ~ amp
            b0.wq.weight[rows] += torch.outer(qv, u) * (amp / along)
            b0.wk.weight[rows] += torch.outer(kv, u) * (amp / along)

    @torch.no_grad()
    def _init_induction(self):
        """Induction-favouring initialisation (documented; all weights are trained afterwards).

        The embedding rows are initialised without components in two reserved 16-d subspaces S1, S2. Needs prev_heads = [1, 2] (layer-0 heads 0/1 attend to offsets 1/2) and head_dim 32. Token identity is read
        through a random 16-row orthonormal projection P = [Pa; Pb] of the normalised residual.
          layer 0 head 0 (offset 1): value dims 16..31 = ind_v * P x, output writes them into a random 16-d residual
                                     subspace S1  ->  position j holds S1 P e(j-1)
          layer 0 head 1 (offset 2): the same into S2  ->  position j holds S2 P e(j-2)
          layer 1 heads 0..3: query dims 16..31 (the lowest RoPE frequencies, nearly position-independent) =
                                     [Pa e(i) ; Pb e(i-1)], key dims 16..31 = [Pa e(j-1) ; Pb e(j-2)], so position j
                                     scores high when its two preceding tokens equal the current and the previous
                                     token (two-token-context induction); values/outputs: the four heads together
                                     copy the attended token's residual (an orthonormal split of the identity).
        """
        c = self.c
        d, H = c.d, c.heads
        hd = d // H
        assert c.prev_heads[:2] == [1, 2] and hd == 32 and c.layers >= 2
        g = torch.Generator().manual_seed(c.seed + 7)

        u = self._const_dir

        # orthonormal basis whose first column is u (the shared embedding direction): S1, S2 = two 16-d residual
        # subspaces for the offset heads' outputs, P = 16 token-reading directions; all orthogonal to u and to each
        # other. The embedding rows start with no component in S1 + S2 (projected out), so those 32 dimensions begin
        # empty and only the offset heads write there.
        m = torch.randn(d, d, generator=g)
        m[:, 0] = u
        k = c.id_dims
        if k >= 16:
            m[d - k:, 1:33] = 0.0  # S1, S2 (and u) in the trained columns, so P below is orthogonal to them
        Q, _ = torch.linalg.qr(m)
        if float(Q[:, 0] @ u) < 0:
            Q = -Q
        S1, S2 = Q[:, 1:17], Q[:, 17:33]
        P = Q[:, 33:49].t().contiguous()  # 16 x d
        if k >= 16:
            # with frozen identity columns, the induction heads read token identity from them alone: a code that
            # text training cannot blur, where reading trained columns loses rare ids as their rows drift together
            P = torch.zeros(16, d)
            P[:, d - k:] = torch.linalg.qr(torch.randn(k, 16, generator=g))[0].t()
        S = Q[:, 1:33]
        E = self.tok.weight
        E -= (E @ S) @ S.t()
        R3 = torch.linalg.qr(torch.randn(d, d, generator=g))[0]
        b0, b1 = self.blocks[0], self.blocks[1]
        for h, S in ((0, S1), (1, S2)):
            r = slice(h * hd + 16, h * hd + 32)
            b0.wv.weight[r] = c.ind_v * P
            b0.wo.weight[:, r] = S
        s = c.ind_qk
        for h in range(H):
            r = slice(h * hd + 16, h * hd + 32)
            q = torch.cat([P[:8], S1[:, 8:16].t()], 0)  # [Pa x ; Pb (prev at i)]
            k = torch.cat([S1[:, 0:8].t(), S2[:, 8:16].t()], 0)  # [Pa (prev at j) ; Pb (prev-prev at j)]
            b1.wq.weight[r] = s * q
            b1.wk.weight[r] = s * k
            rv = slice(h * hd, (h + 1) * hd)
            B = R3[h * hd:(h + 1) * hd]  # hd x d
            b1.wv.weight[rv] = c.ind_ov * B
            b1.wo.weight[:, rv] = c.ind_ov * B.t()

    def frozen_copy_masks(self):
        """(parameter, boolean mask of the entries held fixed) for Config.frozen_copy: layer 0's offset heads
        (their query and key rows, and the value rows and output columns that write S1 and S2) and all of layer 1's
        attention weights."""
        c = self.c
        hd = c.d // c.heads
        b0, b1 = self.blocks[0], self.blocks[1]
        mq, mk, mv, mo = (torch.zeros_like(lin.weight, dtype=torch.bool) for lin in (b0.wq, b0.wk, b0.wv, b0.wo))
        for h in range(len(c.prev_heads)):
            head, written = slice(h * hd, (h + 1) * hd), slice(h * hd + 16, (h + 1) * hd)
            mq[head] = mk[head] = mv[written] = True
            mo[:, written] = True
        return [(b0.wq.weight, mq), (b0.wk.weight, mk), (b0.wv.weight, mv), (b0.wo.weight, mo)] + [
            (lin.weight, torch.ones_like(lin.weight, dtype=torch.bool)) for lin in (b1.wq, b1.wk, b1.wv, b1.wo)]

    def hidden(self, idx, want_attn=False):
        B, T = idx.shape
        cos, sin = rope_tables(T, self.c.d // self.c.heads, self.c.rope_base, idx.device)
        mask = torch.full((T, T), float('-inf'), device=idx.device).triu(1)  # additive causal mask
        h = F.dropout(self.tok(idx), self.c.dropout, self.training)
        attns = []
        for b in self.blocks:
            h, a = b(h, cos, sin, mask, want_attn)
            attns.append(a)
        h = self.norm(h)
        return (h, attns) if want_attn else h

    def forward(self, idx):
        """Full-softmax logits (B, T, V)."""
        return self.hidden(idx) @ self.out_weight().t()

    def full_loss(self, idx, tgt, wmask):
        logits = self.forward(idx)
        l = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt.reshape(-1), reduction='none')
        wm = wmask.reshape(-1).float()
        return (l * wm).sum() / wm.sum().clamp(min=1)

    def sampled_loss(self, idx, tgt, wmask, n_neg=2048, generator=None):
        """Sampled softmax: classes = every distinct target in the batch (always kept) + n_neg uniform negatives
        (log-importance-weighted by (V - U) / n_neg so their sum estimates the rest of the partition function)."""
        h = self.hidden(idx)
        sel = wmask.reshape(-1)
        hs = h.reshape(-1, h.shape[-1])[sel]
        ts = tgt.reshape(-1)[sel]
        uniq, inv = torch.unique(ts, return_inverse=True)
        V = self.c.vocab
        neg = torch.randint(0, V, (n_neg,), device=idx.device, generator=generator)
        keep = torch.ones(V, dtype=torch.bool, device=idx.device)
        keep[uniq] = False
        neg = neg[keep[neg]]
        cand = torch.cat([uniq, neg])
        W = self.out_weight()[cand]
        logits = hs @ W.t()
        if neg.numel() > 0:
            corr = torch.zeros(cand.numel(), device=idx.device, dtype=logits.dtype)
            corr[uniq.numel():] = math.log(max(V - uniq.numel(), 1) / neg.numel())
            logits = logits + corr
        return F.cross_entropy(logits, inv)


def n_params(m):
    return sum(p.numel() for p in m.parameters())

"""Fixed text-derived embedding for every LLaMA-2 piece (the local codebook).

Procedure (deterministic; float64 where it matters; seed 0):
 1. Corpus: every *.txt under /work/shared/text (56 MB English), tokenised with llama-tokenizer-js 1.2.2
    (`node dump_vocab.mjs corpus ...`, one paragraph per line, no BOS, lines kept separate).
 2. Symmetric co-occurrence counts, window +-5 pieces, weight 1/distance, not crossing line boundaries.
    Rows: all 32,000 pieces. Columns (contexts): the 10,000 most frequent pieces.
 3. PPMI with context-distribution smoothing (alpha = 0.75, Levy, Goldberg & Dagan 2015).
 4. Truncated SVD (randomised range finder, seed 0, 8 power iterations, then exact SVD of the reduced matrix), 96 dims,
    eigenvalue weighting p = 0 (rows of U), so the block is isotropic; rows L2-normalised -> "distributional" block.
 5. Sub-word model (fastText-style): each piece is a bag of hashed character n-grams (n = 1..5 of
    "<" + piece + ">"; FNV-1a hash into 2^18 buckets). An n-gram embedding table is
    fitted (mean-pooled bag -> cosine regression, sparse Adam, 150 full-batch steps,
    10 % of those pieces held out to report the prediction quality) to the distributional vectors of frequent pieces (count >= 100).
    Every piece's distributional block becomes a count-weighted blend
        d = normalize(c/(c+100) * svd + 100/(c+100) * ngram_prediction)
    so rare and unseen pieces still get a vector predicted from their spelling.
 6. "Form" block: mean of fixed random Gaussian vectors (32 dims, seed 0) of the same hashed n-grams, L2-normalised
    (pieces that look alike are close).
 7. Embedding = [sqrt(0.75) * d, sqrt(0.25) * form], unit length, 128 dims. Ids 0-258 (special and byte pieces)
    are zero rows and are masked out of the lookup anyway.
Output: $V2L_RUNS/codebook/codebook-llama2-128d.npy (float16, [32000, 128]) + codebook.json (SHA-256, stats).
"""
import json
import sys
import time

import numpy as np
import torch

from common import FIRST_USABLE_ID, RUNS, VOCAB_SIZE, load_vocab, sha256_file

WINDOW = 5
N_CONTEXT = 10000
DIST_DIM = 96
FORM_DIM = 32
ALPHA = 0.75
BUCKETS = 1 << 18
BLEND = 100.0
SUBWORD_STEPS = 150


def log(*a):
    print(f'[{time.strftime("%H:%M:%S")}]', *a, file=sys.stderr, flush=True)


def fnv1a(s):
    h = 0xcbf29ce484222325
    for b in s.encode('utf-8'):
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def ngrams(piece):
    s = '<' + piece + '>'
    grams = set()
    for n in range(1, 6):
        for i in range(len(s) - n + 1):
            grams.add(s[i:i + n])
    return sorted(fnv1a(g) % BUCKETS for g in grams)


def distributional(ids, colmap):
    line = np.cumsum(ids == 0)
    keys, vals = [], []
    for d in range(1, WINDOW + 1):
        a, b = ids[:-d], ids[d:]
        ok = (line[:-d] == line[d:]) & (a != 0) & (b != 0)
        a, b = a[ok], b[ok]
        for w, c in ((a, b), (b, a)):
            col = colmap[c]
            keep = col >= 0
            k, n = np.unique(w[keep] * N_CONTEXT + col[keep], return_counts=True)
            keys.append(k)
            vals.append(n / d)
        log(f'window {d} done')
    keys = np.concatenate(keys)
    vals = np.concatenate(vals)
    keys, inv = np.unique(keys, return_inverse=True)
    vals = np.bincount(inv, weights=vals)
    rows, cols = keys // N_CONTEXT, keys % N_CONTEXT
    total = vals.sum()
    rsum = np.bincount(rows, weights=vals, minlength=VOCAB_SIZE)
    csum = np.bincount(cols, weights=vals, minlength=N_CONTEXT) ** ALPHA
    pmi = np.log(vals * (csum.sum() / total) / (rsum[rows] / total * csum[cols] ))
    pos = pmi > 0
    log(f'co-occurrence cells {keys.size}, positive PMI {pos.sum()}')
    P = torch.sparse_coo_tensor(torch.from_numpy(np.stack([rows[pos], cols[pos]])),
                                torch.from_numpy(pmi[pos]), (VOCAB_SIZE, N_CONTEXT)).coalesce()
    # truncated SVD: randomized range finder (seed 0, 8 power iterations, 64 extra columns), then exact SVD
    # of the small projected matrix; top DIST_DIM components; p = 0 weighting (rows of U)
    torch.manual_seed(0)
    U, S, V = torch.svd_lowrank(P, q=DIST_DIM + 64, niter=8)
    U, S = U[:, :DIST_DIM], S[:DIST_DIM]
    del P
    svd = torch.nn.functional.normalize(U, dim=1).float()
    log('SVD done; top singular values', [round(x, 1) for x in S[:5].tolist()])

    return svd


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    pieces, vocab_sha = load_vocab()
    ids = np.fromfile(RUNS / 'corpus_ids.u16', dtype=np.uint16).astype(np.int64)
    log(f'corpus: {ids.size} ids')
    counts = np.bincount(ids, minlength=VOCAB_SIZE).astype(np.float64)
    counts[0] = 0  # line separator
    order = np.argsort(-counts, kind='stable')
    ctx = [i for i in order if i >= 3 and counts[i] > 0][:N_CONTEXT]
    colmap = np.full(VOCAB_SIZE, -1, dtype=np.int64)
    colmap[ctx] = np.arange(len(ctx))
    cache = RUNS / 'codebook' / f'svd-w{WINDOW}-c{N_CONTEXT}-a{ALPHA}-d{DIST_DIM}.npy'
    if cache.exists():
        svd = torch.from_numpy(np.load(cache))
        log(f'distributional block from {cache.name}')
    else:
        svd = distributional(ids, colmap)
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.save(cache, svd.numpy())

    bags = [ngrams(p) for p in pieces]
    flat = torch.tensor([g for bag in bags for g in bag], dtype=torch.long)
    offsets = torch.tensor(np.cumsum([0] + [len(b) for b in bags[:-1]]), dtype=torch.long)
    # form block: fixed random vectors per bucket
    gen = torch.Generator().manual_seed(0)
    R = torch.randn(BUCKETS, FORM_DIM, generator=gen)
    form = torch.nn.functional.embedding_bag(flat, R, offsets, mode='mean')
    form = torch.nn.functional.normalize(form, dim=1)
    # sub-word regression to the distributional vectors
    c = torch.from_numpy(counts).float()
    train = torch.nonzero((c >= BLEND) & (torch.arange(VOCAB_SIZE) >= FIRST_USABLE_ID)).squeeze(1)
    log(f'pieces seen: {(c > 0).sum().item()}, with count >= {BLEND:.0f}: {train.numel()}')
    emb = torch.nn.EmbeddingBag(BUCKETS, DIST_DIM, mode='mean', sparse=True)
    torch.manual_seed(0)
    torch.nn.init.normal_(emb.weight, std=0.1)
    opt = torch.optim.SparseAdam(list(emb.parameters()), lr=0.02)
    perm = torch.randperm(train.numel(), generator=torch.Generator().manual_seed(0))
    val = train[perm[: train.numel() // 10]]
    train = train[perm[train.numel() // 10:]]
    vbags = [bags[i] for i in val.tolist()]
    vflat = torch.tensor([g for b in vbags for g in b], dtype=torch.long)
    voff = torch.tensor(np.cumsum([0] + [len(b) for b in vbags[:-1]]), dtype=torch.long)
    tbags = [bags[i] for i in train.tolist()]
    tflat = torch.tensor([g for b in tbags for g in b], dtype=torch.long)
    toff = torch.tensor(np.cumsum([0] + [len(b) for b in tbags[:-1]]), dtype=torch.long)
    target = svd[train]
    for step in range(SUBWORD_STEPS):
        pred = torch.nn.functional.normalize(emb(tflat, toff), dim=1)
        loss = 1 - (pred * target).sum(1).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0 or step == SUBWORD_STEPS - 1:
            with torch.no_grad():
                vpred = torch.nn.functional.normalize(emb(vflat, voff), dim=1)
                vcos = (vpred * svd[val]).sum(1).mean().item()
            log(f'subword fit step {step}: train 1-cos {loss.item():.4f}, held-out cos {vcos:.4f}')
    with torch.no_grad():
        pred = torch.nn.functional.normalize(emb(flat, offsets), dim=1)
        w = (c / (c + BLEND))[:, None]
        dist = torch.nn.functional.normalize(w * svd + (1 - w) * pred, dim=1)
        E = torch.cat([dist * 0.75 ** 0.5, form * 0.25 ** 0.5], dim=1)
        E = torch.nn.functional.normalize(E, dim=1)
        E[:FIRST_USABLE_ID] = 0
    out = RUNS / 'codebook'
    out.mkdir(parents=True, exist_ok=True)
    path = out / 'codebook-llama2-128d.npy'
    np.save(path, E.numpy().astype(np.float16))
    sha = sha256_file(path)
    # nearest-neighbour sanity examples
    probe = ['▁dog', '▁red', '▁water', '▁seven', 'ing', '▁Paris']
    En = E.float()
    nn_examples = {}
    for p in probe:
        if p in pieces:
            i = pieces.index(p)
            sims = En @ En[i]
            sims[i] = -2
            nn_examples[p] = [pieces[j] for j in torch.topk(sims, 8).indices.tolist()]
    meta = {
        'file': path.name, 'sha256': sha, 'shape': list(E.shape), 'dtype': 'float16',
        'vocabulary': 'llama2-32000', 'vocabulary_sha256': vocab_sha,
        'corpus_tokens': int(ids.size), 'pieces_seen': int((c > 0).sum().item()),
        'params': {'window': WINDOW, 'contexts': N_CONTEXT, 'alpha': ALPHA, 'dist_dim': DIST_DIM,
                   'form_dim': FORM_DIM, 'buckets': BUCKETS, 'blend_count': BLEND, 'subword_fit_train_cos': 1 - loss.item(),
                   'subword_fit_heldout_cos': vcos},
        'neighbours': nn_examples,
    }
    with open(out / 'codebook.json', 'w') as f:
        json.dump(meta, f, indent=1, ensure_ascii=False)
    log(json.dumps(meta, ensure_ascii=False))


if __name__ == '__main__':
    main()

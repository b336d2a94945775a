"""Write a random stand-in for the released V2L files, with exactly the released tensor names and shapes.

  /usr/bin/python3 training/convert/make_random_checkpoint.py OUT_DIR [--config ci|official] [--split] [--seed S]

OUT_DIR receives:
  v2l-decode.pth            {"state_dict": ...} like the released checkpoint: every tensor of the training module
                            (encoder, decoder, CLIP image tower in the float16 CLIP's loader leaves it in, quant convs,
                            codebooks, codebook projection, discriminator, LPIPS)
  global_vocabulary.npy     11,908 made-up uni/bi/trigram strings (a numpy array of str, like the released file)
With --split the codebooks and the CLIP tower are left out of the checkpoint and written where the converter's
--local-codebook / --global-codebook / --clip options read them (local_codebook_embedding.pth,
global_codebook_embedding.pth, clip-visual.pt with "visual.*" names), to test that path.

--config official is the released size (about 400 M parameters, 1.7 GB); ci is a narrow copy for tests.
Nothing here is trained: outputs are noise, but every layer and every shape is the released one.
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from v2l_modules import CONFIGS, random_state_dict

SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pha', 'dri', 'quo', 'stel', 'mar', 'bin']


def made_up_vocabulary(size: int, seed: int) -> list:
    """Distinct strings shaped like the released entries: a word, two words or three words."""
    rng = np.random.default_rng(seed)
    seen, out = set(), []
    while len(out) < size:
        words = [''.join(rng.choice(SYLLABLES, size=rng.integers(1, 4))) for _ in range(rng.integers(1, 4))]
        text = ' '.join(words)
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('out')
    ap.add_argument('--config', choices=sorted(CONFIGS), default='ci')
    ap.add_argument('--split', action='store_true', help='write codebooks and CLIP as separate files')
    ap.add_argument('--seed', type=int, default=0)
    args = ap.parse_args()
    started = time.time()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cfg = CONFIGS[args.config]
    sd = random_state_dict(cfg, seed=args.seed)
    n = sum(v.numel() for v in sd.values())
    if args.split:
        torch.save(sd.pop('tok_embeddings.weight'), out / 'local_codebook_embedding.pth')
        torch.save(sd.pop('tok_embeddings_global.weight'), out / 'global_codebook_embedding.pth')
        visual = {'visual.' + k[len('global_encoder.'):]: sd.pop(k) for k in list(sd) if k.startswith('global_encoder.')}
        torch.save(visual, out / 'clip-visual.pt')
    torch.save({'state_dict': sd}, out / 'v2l-decode.pth')
    np.save(out / 'global_vocabulary.npy', np.array(made_up_vocabulary(cfg.global_vocab, args.seed)))
    print(json.dumps({'config': args.config, 'tensors': len(sd), 'parameters': n,
                      'seconds': round(time.time() - started, 1), 'out': str(out)}))


if __name__ == '__main__':
    main()

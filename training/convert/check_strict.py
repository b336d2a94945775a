"""Strict-load checks on random weights in the released layout (ci widths): the released names load, and any
extra, missing or reshaped tensor is refused with its name. Run by test_convert.mjs; prints one line per case."""
import sys

import torch

from v2l_modules import CI, load_strict, random_state_dict


def refused(sd, needle):
    try:
        load_strict(sd)
    except ValueError as error:
        if needle not in str(error):
            raise AssertionError(f'the error does not name {needle}: {error}')
        return True
    return False


def main():
    base = random_state_dict(CI, seed=5)
    model = load_strict(dict(base), CI)
    loaded = model.state_dict()
    assert all(torch.equal(loaded[k], base[k].float() if base[k].is_floating_point() else base[k]) for k in base)
    print('strict: the released names load, values intact')

    extra = dict(base)
    extra['decoder.mid.cross_attn_2.to_q.weight'] = torch.zeros(4, 4)
    assert refused(extra, 'decoder.mid.cross_attn_2.to_q.weight'), 'an unexpected tensor was accepted'
    print('strict: an unexpected tensor is refused, by name')

    missing = dict(base)
    del missing['decoder.mid.cross_attn_1.to_out.0.bias']
    assert refused(missing, 'decoder.mid.cross_attn_1.to_out.0.bias'), 'a missing tensor was accepted'
    print('strict: a missing tensor is refused, by name')

    reshaped = dict(base)
    w = reshaped['codebook_projection.weight']
    reshaped['codebook_projection.weight'] = torch.zeros(w.shape[0], w.shape[1] + 1)
    assert refused(reshaped, 'codebook_projection.weight'), 'a reshaped tensor was accepted'
    print('strict: a tensor of another shape is refused, by name')

    no_training = {k: v for k, v in base.items() if not k.startswith(('discriminator.', 'perceptual_loss.'))}
    load_strict(no_training)
    print('strict: a checkpoint without the training-only parts loads as a whole')
    return 0


if __name__ == '__main__':
    sys.exit(main())

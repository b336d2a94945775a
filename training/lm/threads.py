"""CPU threads for the training and evaluation scripts.

Debian's torch does its matrix products in OpenBLAS (openblas-pthread), whose own thread pool starts with one thread
per core whatever torch.set_num_threads says; torch's intra-op threads on top of it oversubscribe the cores. On two
cores, d=256 at B=8 x T=384 (one training step with the sampled softmax): 3.2 s with both pools at two threads (what
`set_num_threads(2)` alone gives), 2.1 s with OpenBLAS at two and torch at one, 2.5 s with both at one, and two such
one-thread processes side by side 2.6 s each. So the products get the threads and torch's own pool one.
"""
import ctypes

import torch


def _openblas():
    with open('/proc/self/maps') as f:
        paths = {line.split()[-1] for line in f if 'libopenblas' in line}
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        if hasattr(lib, 'openblas_set_num_threads'):
            return lib
    return None


def use_threads(n):
    """n threads for matrix products (OpenBLAS's pool), one for torch's own ops; torch's pool gets n where torch
    does its products itself (another BLAS)."""
    lib = _openblas()
    if lib is None:
        torch.set_num_threads(n)
        return
    lib.openblas_set_num_threads(n)
    torch.set_num_threads(1)

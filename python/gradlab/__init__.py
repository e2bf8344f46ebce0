"""gradlab: a teaching autograd engine (C++20) from Python.

Tensors, ops, autograd, layers, optimizers and the course's ResNets are the
C++ engine's own (the compiled module gradlab._core); this package adds the
pure-Python parts on top. Names and semantics follow PyTorch's.
"""
from gradlab import _core
from gradlab._core import *  # noqa: F401,F403  (tensors, ops, autograd, devices)
from gradlab._core import __version__, models, nn, optim  # noqa: F401

from gradlab import _lab, autograd, data  # noqa: E402,F401  (indexing, Function, DataLoader)

__all__ = [name for name in dir(_core) if not name.startswith("_")]

# Signatures for inspect.signature, help() and editors (gradlab/_signatures.py).
from gradlab import _signatures  # noqa: E402

_signatures.attach(globals(), _core)

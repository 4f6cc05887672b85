"""Optimizers written from their papers, one file each, with ``torch.optim``'s interface.

Every class here is a :class:`torch.optim.Optimizer` with the constructor arguments, defaults,
validation messages and state keys of its ``torch.optim`` namesake, so ``state_dict``s move
between the two and ``tests/`` can prove the updates equal.
"""

from optlib.optim.sgd import SGD

__all__ = ["SGD"]

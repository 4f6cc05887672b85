"""Optimizers written from their papers, one file each, with ``torch.optim``'s interface.

Every class here is a :class:`torch.optim.Optimizer` with the constructor arguments, defaults,
validation messages and state keys of its ``torch.optim`` namesake, so ``state_dict``s move
between the two and ``tests/`` can prove the updates equal.

Each module also holds the optimizer's update as a pure function named after it (``sgd_``,
``adagrad_``, ``rmsprop_``, ``adadelta_``, ``adam_``, ``adamax_``, ``nadam_``, ``radam_``;
AdamW is ``adam_`` with ``decoupled_weight_decay``): one parameter, its gradient and its
state tensors in, updated in place, the paper's equations one per line. The classes only
validate, lay out the state and call it; the loop they share is in ``_common``.
"""

from optlib.optim.adadelta import Adadelta
from optlib.optim.adagrad import Adagrad
from optlib.optim.adam import Adam
from optlib.optim.adamax import Adamax
from optlib.optim.adamw import AdamW
from optlib.optim.nadam import NAdam
from optlib.optim.radam import RAdam
from optlib.optim.rmsprop import RMSprop
from optlib.optim.sgd import SGD

__all__ = ["SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "Adamax", "NAdam", "RAdam"]

"""Every optimizer in optlib.optim reaches the minimum of every landscape it should.

Parity with torch.optim (test_optim_parity.py) proves the updates are torch's; this file checks
the other half of the claim a course makes about them: run from the landscape's conventional
start with a reasonable learning rate, each one actually reaches the minimum (a step whose
loss is below 1e-8, at a point within 1e-3 of a known minimizer). A sign error, a wrong bias
correction or a state that is never updated would fail here even if torch had the same bug.

"Reaches", not "stays": with a constant learning rate the adaptive methods do not settle.
Near the minimum their step is about lr times g / rms(g), which does not shrink with g, so
RMSprop, Adadelta, Adam on Rosenbrock or NAdam on Beale hover around the minimizer at a
distance set by lr after getting there; that is what learning-rate schedules (chapter 3) are for.

The learning rates are inputs, one per optimizer and landscape (the outputs are checked
against the landscapes' known minimizers, not against anything the optimizers produced).
Rosenbrock's curved valley and Beale's flat plateaus are checked only for the methods that
reach the minimum well within the step budget (on Rosenbrock not AdaGrad, RMSprop, Adadelta,
NAdam, RAdam or plain SGD; on Beale not RMSprop, Adadelta or RAdam): they need far more steps
there, which is a property of the methods (chapter 10 shows it), not a bug.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from optlib import landscapes as L
from optlib import optim
from optlib.trajectory import run_many

METHODS = {
    "SGD": (optim.SGD, {}),
    "momentum": (optim.SGD, {"momentum": 0.9}),
    "Nesterov": (optim.SGD, {"momentum": 0.9, "nesterov": True}),
    "Adagrad": (optim.Adagrad, {}),
    "RMSprop": (optim.RMSprop, {}),
    "Adadelta": (optim.Adadelta, {}),
    "Adam": (optim.Adam, {}),
    "AMSGrad": (optim.Adam, {"amsgrad": True}),
    "AdamW": (optim.AdamW, {}),  # default weight_decay=0.01: only where the minimizer is 0
    "Adamax": (optim.Adamax, {}),
    "NAdam": (optim.NAdam, {}),
    "RAdam": (optim.RAdam, {}),
}

# landscape -> (steps, {method: lr})
CASES = {
    "bowl": (3000, {
        "SGD": 0.1, "momentum": 0.01, "Nesterov": 0.03, "Adagrad": 1.0, "RMSprop": 0.03,
        "Adadelta": 3.0, "Adam": 0.1, "AMSGrad": 0.03, "AdamW": 0.1, "Adamax": 0.03,
        "NAdam": 0.1, "RAdam": 0.1,
    }),
    "valley": (4000, {
        "SGD": 0.3, "momentum": 0.03, "Nesterov": 0.03, "Adagrad": 3.0, "RMSprop": 0.1,
        "Adadelta": 0.3, "Adam": 0.3, "AMSGrad": 0.1, "AdamW": 0.3, "Adamax": 0.1,
        "NAdam": 0.3, "RAdam": 0.3,
    }),
    "himmelblau": (3000, {
        "SGD": 0.01, "momentum": 0.003, "Nesterov": 0.01, "Adagrad": 1.0, "RMSprop": 0.1,
        "Adadelta": 10.0, "Adam": 0.1, "AMSGrad": 0.1, "Adamax": 0.1, "NAdam": 0.1,
        "RAdam": 0.03,
    }),
    "rosenbrock": (3000, {
        "momentum": 0.001, "Nesterov": 0.001, "Adam": 1.0, "AMSGrad": 1.0, "Adamax": 1.0,
    }),
    "beale": (3000, {
        "SGD": 0.03, "momentum": 0.003, "Nesterov": 0.003, "Adagrad": 1.0, "Adam": 0.3,
        "AMSGrad": 0.3, "Adamax": 1.0, "NAdam": 0.3,
    }),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_every_optimizer_converges(name: str) -> None:
    landscape = getattr(L, name)
    steps, lrs = CASES[name]
    specs = {m: (METHODS[m][0], {**METHODS[m][1], "lr": lr}) for m, lr in lrs.items()}
    runs = run_many(landscape, specs, landscape.start, steps)

    minimizers = np.array(landscape.minimizers)
    failures = []
    for method, traj in runs.items():
        t = traj.steps_to(landscape.minimum + 1e-8)
        if t is None:
            failures.append(f"{traj.status}, never below 1e-8 (best {traj.losses.min():.3g})")
            continue
        distance = np.linalg.norm(minimizers - traj.points[t], axis=1).min()
        if distance > 1e-3:
            failures.append(f"{method}: loss < 1e-8 at step {t} but {distance:.2g} from a minimizer")
    assert not failures, f"{name}: " + "; ".join(failures)
    assert math.isclose(landscape.minimum, 0.0)  # the 1e-8 tolerance above is absolute

"""What a run's first `fit` costs with Keras's step traced once, and at each call site.

The fused step calls the minibatch update (Keras's forward pass, loss,
gradient and optimizer) in its loop and, for the epoch's last, partial
minibatch, once more after it. `Classifier._traced_update` makes that update
one function of any minibatch size, traced once and called at both sites;
before, each site traced the whole update again. This measures, side by side
in one process, one epoch of `fit` on a freshly built model both ways, for
runs whose data is not a multiple of the batch:

- the `spiral` MLP (three hidden layers of 16) with Adam at batch 32, whose
  small step `fit` unrolls 4 minibatches an iteration
  (`kerasclf.engine.unrolling`): 6 call sites, 4 in the unrolled loop, 1 in
  the loop after it, 1 for the last minibatch (`kerasclf.train` unrolls only
  runs of millions of steps: 2 sites there);
- a GRU of 8 units on 300 windows of the `grammar` text, at batch 32: 2 sites.

Each measurement includes the tracing, the XLA compilation (the programs are
new to the process each time: their names carry TensorFlow's counter) and
the epoch. It prints each one's median seconds over `--repeats` and their
ratio.

Run it:

    python -m benchmarks.step_trace [--repeats 5]
"""

from __future__ import annotations

import contextlib
from unittest import mock

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)

from benchmarks.arguments import parse_repeats
from benchmarks.train_trace import SETTINGS as TRAIN_TRACE_SETTINGS
from benchmarks.train_trace import compare_first_fits
from kerasclf.engine.classifier import Classifier

SETTINGS = {
    "spiral MLP, batch 32": TRAIN_TRACE_SETTINGS["spiral MLP, batch 32"],
    "grammar GRU, batch 32": (
        {
            "dataset": "grammar",
            "num_samples": 300,
            "sequence_length": 10,
            "model": "gru",
            "units": 8,
        },
        32,
    ),
}


def _update_at_each_site(model, x, y, weights):
    """The step before: each call site traces `_minibatch_update` anew."""

    def update(x, y, sample_weight=None):
        return model._minibatch_update(x, y, sample_weight)

    return update


def main(argv=None) -> dict[str, float]:
    repeats = parse_repeats("benchmarks.step_trace", __doc__, 5, argv)
    variants = {
        "traced once": contextlib.nullcontext,
        "traced at each site": lambda: mock.patch.object(
            Classifier, "_traced_update", _update_at_each_site
        ),
    }
    return compare_first_fits(SETTINGS, variants, repeats)


if __name__ == "__main__":
    main()

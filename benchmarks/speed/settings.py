"""Sizes, repeats and the shared update rule of the training-speed benchmark."""

from __future__ import annotations

import dataclasses
import functools

import kerasclf

BATCH_SIZES = (1, 32, 1024)
# The same update rule on every path: v <- 0.9 v - 1e-4 g, w <- w + v, with g
# the gradient of the cross-entropy summed over the minibatch. The hand_line
# data is separable, so the weights grow but never diverge at this rate.
LEARNING_RATE = 1e-4
MOMENTUM = 0.9
SEED = 0
MLP_HIDDEN = (16, 16)
# fit runs for at most this many epochs; an `EpochTimer` stops it much sooner.
MAX_EPOCHS = 1000
DEFAULT_OUTPUT = "BENCHMARKS.md"


@dataclasses.dataclass(frozen=True)
class Settings:
    """Sizes and repeats of one benchmark run.

    Sample counts are powers of two, so every batch size divides them and no
    path has to handle a partial last minibatch. A count is one number, or a
    dict by batch size.

    Attributes:
        fast_samples: Points per epoch for the fast paths (fused, hand-written,
            sklearn); one block of the fused engine holds them all.
        callback_samples: Points per epoch for kerasclf with its default
            callbacks. Their per-epoch cost grows with the points (the error
            surface evaluates the cost at 48 x 48 weights over all of them), so
            at `fast_samples` one run would take minutes.
        slow_samples: Points per epoch for the per-step Keras paths (stock fit,
            its steps_per_execution variant, plain engine), which run about
            1.2k steps/s.
        numpy_samples: Points per epoch for numpy.
        mlp_samples: Points per epoch for the fast MLP paths.
        min_seconds: Each figure times whole epochs until this much has passed.
        repeats: Repeats of every figure; tables give the median.
        process_repeats: Repeats of every whole-process run.
        quick: Whether this is the smoke run.

    Example:
        >>> QUICK_SETTINGS.samples("slow", 32)
        4096
    """

    fast_samples: int
    callback_samples: int
    slow_samples: dict[int, int]
    numpy_samples: dict[int, int]
    mlp_samples: dict[int, int]
    min_seconds: float
    repeats: int
    process_repeats: int
    quick: bool

    def samples(self, size: str, batch_size: int) -> int:
        """Points per epoch of a size class ("fast", "slow", ...) at a batch size."""
        count = getattr(self, f"{size}_samples")
        return count[batch_size] if isinstance(count, dict) else count


FULL_SETTINGS = Settings(
    fast_samples=2**20,
    callback_samples=2**20,
    slow_samples={1: 2**10, 32: 2**15, 1024: 2**19},
    numpy_samples={1: 2**15, 32: 2**20, 1024: 2**20},
    mlp_samples={1: 2**17, 32: 2**19, 1024: 2**20},
    min_seconds=1.0,
    repeats=3,
    process_repeats=3,
    quick=False,
)
QUICK_SETTINGS = Settings(
    fast_samples=2**14,
    callback_samples=2**12,
    slow_samples={1: 2**8, 32: 2**12, 1024: 2**14},
    numpy_samples={1: 2**10, 32: 2**14, 1024: 2**14},
    mlp_samples={1: 2**12, 32: 2**14, 1024: 2**14},
    min_seconds=0.1,
    repeats=1,
    process_repeats=1,
    quick=True,
)


@functools.cache
def hand_line(num_samples: int) -> kerasclf.Data:
    """The `hand_line` points that `kerasclf.train(dataset="hand_line")` trains on."""
    return kerasclf.make_dataset("hand_line", num_samples=num_samples, seed=SEED)

"""How many minibatches one iteration of the fused step's loop runs.

XLA's CPU runtime runs the body of a compiled loop as a sequence of kernels
("thunks"). A body of at most 8 runs them one after the other; a longer one
goes through XLA's concurrent executor, which costs some hundreds of
nanoseconds every iteration (`execute_sequential_num_thunks_threshold` in
XLA's `thunk_executor.h`). Keras's train step for logistic regression with
momentum is just over that: at batch 32 the executor's cost was about two
thirds of the step. Running several minibatches per iteration pays it once
for all of them: the same updates, in the same order.

`BENCHMARKS.md` has the measurements (`python -m benchmarks.loop_unroll` in a
bare loop, `python -m benchmarks.training_speed` in kerasclf). They decide the
rules below: the unrolled body is `UNROLLED_MINIBATCHES` copies of the step,
so it is worth its longer compile only where a step's own work is small
(`minibatches_per_iteration`) and the run takes many steps
(`minibatches_per_iteration_for_run`).
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import sys

import keras

from kerasclf.models.inspection import all_layers, trainable_parameter_count
from kerasclf.validation import check_integer

# Minibatches per iteration where unrolling pays (at 8, batch 1 was 4.8x slower
# in the bare loop: its body crossed the threshold the other way).
UNROLLED_MINIBATCHES = 4
# A step does at most this much work (batch size x trainable parameters) to be unrolled.
# An MLP (64, 64) at batch 32 (141,000) gained nothing unrolled (0.97-1.1x the epoch
# in five runs, once 1.85x); logistic regression at batch 1024 (3,072) took 0.84-0.9x.
MAX_UNROLLED_WORK = 2**16
# A run takes at least this many minibatch steps to be unrolled. The unrolled
# program compiles about 0.45 s longer for logistic regression and 1 s longer for
# an MLP, which 0.3 us saved a step repays after 1.4 to 3 million steps
# (`python -m benchmarks.unroll_cost`).
MIN_UNROLLED_RUN_STEPS = 2**21


def minibatches_per_iteration(
    model: keras.Model, batch_size: int | None, num_slots: int | None
) -> int:
    """How many minibatches each iteration of `model`'s fused loop runs: 1 or 4.

    `UNROLLED_MINIBATCHES` when all of these hold, else 1:
    - the step is XLA-compiled (`model.jit_compile`; convolutions on a CPU
      are not, and TensorFlow's graph executor was not measured);
    - the model has no recurrent layer, whose own loop would be compiled
      four times over;
    - a block holds at least that many minibatches (`num_slots`);
    - batch_size x trainable parameters is at most `MAX_UNROLLED_WORK`;
    - both sizes are known when the step is traced (not None).

    Example:
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, "sigmoid")])
        >>> model.compile(loss="binary_crossentropy", jit_compile=True)
        >>> minibatches_per_iteration(model, batch_size=32, num_slots=1024)
        4
        >>> minibatches_per_iteration(model, batch_size=200, num_slots=1)  # Full batch.
        1
    """
    if batch_size is None or num_slots is None:  # Shapes unknown when traced: no unrolling.
        return 1
    if not getattr(model, "jit_compile", False) or num_slots < UNROLLED_MINIBATCHES:
        return 1
    if any(isinstance(layer, keras.layers.RNN) for layer in all_layers(model)):
        return 1
    work = batch_size * trainable_parameter_count(model)
    return UNROLLED_MINIBATCHES if work <= MAX_UNROLLED_WORK else 1


def minibatches_per_iteration_for_run(num_steps: int) -> int | None:
    """The `StepSettings.minibatches_per_iteration` of a run of `num_steps` minibatch steps.

    A short run saves less than the unrolled program's longer compile, so it
    runs 1 minibatch an iteration; a run of at least `MIN_UNROLLED_RUN_STEPS`
    leaves the choice to `minibatches_per_iteration` (None).

    Example:
        >>> minibatches_per_iteration_for_run(100 * 25)  # The seminar's 200 points at batch 8.
        1
        >>> minibatches_per_iteration_for_run(100 * 32768) is None  # 2**20 points at batch 32.
        True
    """
    num_steps = check_integer("num_steps", num_steps, maximum=sys.maxsize)
    return None if num_steps >= MIN_UNROLLED_RUN_STEPS else 1

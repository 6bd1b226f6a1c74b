"""The Keras optimizers of the presets, and the slides' decaying step size.

`kerasclf.engine.presets` holds the table of presets with their update rules (and
needs no TensorFlow); `make_optimizer` builds the Keras optimizer of one, and
`InverseSqrtDecay` is the `decay` preset's alpha / (n * sqrt(i)).
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
from keras import ops

from kerasclf.engine.presets import resolve_hyperparameters
from kerasclf.validation import check_integer, check_number, suggests_keywords


@keras.saving.register_keras_serializable(package="kerasclf")
class InverseSqrtDecay(keras.optimizers.schedules.LearningRateSchedule):
    """The slides' decaying step size alpha_i = alpha / (n * sqrt(i)).

    Keras calls a schedule with `optimizer.iterations`, which is 0 before the
    first update, so the i-th update (i = 1, 2, ...) uses `step = i - 1`.

    Args:
        alpha: The step size scale, alpha > 0.
        num_samples: n, the number of training points.

    Example:
        >>> schedule = InverseSqrtDecay(alpha=1.0, num_samples=4)
        >>> [round(float(schedule(step)), 4) for step in range(2)]
        [0.25, 0.1768]
    """

    @suggests_keywords  # from_config({"alpha": 1.0, "n": 4}) names `num_samples`.
    def __init__(self, alpha: float, num_samples: int):
        self.alpha = check_number("alpha", alpha, low=0.0)
        self.num_samples = check_integer("num_samples", num_samples)

    def __call__(self, step):
        iteration = ops.cast(step, "float32") + 1.0
        return self.alpha / (self.num_samples * ops.sqrt(iteration))

    def get_config(self) -> dict:
        return {"alpha": self.alpha, "num_samples": self.num_samples}


@suggests_keywords
def make_optimizer(
    name: str,
    num_samples: int,
    learning_rate: float | None = None,
    momentum: float | None = None,
) -> keras.optimizers.Optimizer:
    """Builds the Keras optimizer of a preset.

    Args:
        name: A preset name, one of `PRESETS`.
        num_samples: The number of training points (n of the `decay` preset).
        learning_rate: The step size eta (alpha for `decay`); None for the
            preset's default.
        momentum: beta in [0, 1); None for the preset's default. `rmsprop`
            and `adam` take no momentum.

    Returns:
        A fresh `keras.optimizers.Optimizer`.

    Example:
        >>> optimizer = make_optimizer("momentum", num_samples=200)
        >>> float(optimizer.momentum)
        0.9
    """
    learning_rate, momentum = resolve_hyperparameters(name, learning_rate, momentum)
    num_samples = check_integer("num_samples", num_samples)
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=learning_rate)
    if name == "rmsprop":  # Keras's defaults: rho = 0.9, epsilon = 1e-7, no momentum.
        return keras.optimizers.RMSprop(learning_rate=learning_rate, rho=0.9)
    if name == "decay":
        learning_rate = InverseSqrtDecay(learning_rate, num_samples)
    return keras.optimizers.SGD(
        learning_rate=learning_rate, momentum=momentum, nesterov=name == "nesterov"
    )


def current_learning_rate(optimizer: keras.optimizers.Optimizer) -> float:
    """The step size the optimizer applied at its most recent update.

    `optimizer.learning_rate` is the rate of the *next* update, so a schedule is
    evaluated one iteration back.
    """
    rate = optimizer._learning_rate  # The schedule itself, or a variable.
    if isinstance(rate, keras.optimizers.schedules.LearningRateSchedule):
        step = max(int(optimizer.iterations.numpy()) - 1, 0)
        return float(rate(step))
    return float(ops.convert_to_numpy(optimizer.learning_rate))

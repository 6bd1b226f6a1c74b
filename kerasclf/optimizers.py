"""Optimizer presets, looked up by name.

Each preset is a Keras optimizer with the seminar's update rule. With weights w,
gradient g_i of the cost at iteration i (counting from 1) and step size eta:

    gd        w <- w - eta * g_i
              Full-batch GD, SGD or minibatch, depending only on the batch size.
    momentum  v <- beta * v - eta * g_i;  w <- w + v              (beta = 0.9)
    nesterov  v <- beta * v - eta * g_i;  w <- w + beta * v - eta * g_i
    decay     w <- w - alpha_i * g_i,  alpha_i = alpha / (n * sqrt(i))
              The slides' decaying step; n is the number of training points.
    adam      Adam (Kingma & Ba, 2015), for the later days.

`kerasclf presets` prints this table.
"""

from __future__ import annotations

import dataclasses

import keras
from keras import ops

from kerasclf.validation import check_choice, check_integer, check_number


@dataclasses.dataclass(frozen=True)
class Preset:
    """One optimizer preset: its formula and default hyperparameters."""

    formula: str
    default_learning_rate: float
    # None: the preset takes no momentum; 0.0: it is plain SGD (momentum 0 only).
    default_momentum: float | None


PRESETS = {
    "gd": Preset("w <- w - eta * g", 0.001, 0.0),
    "momentum": Preset("v <- beta*v - eta*g; w <- w + v", 0.001, 0.9),
    "nesterov": Preset("v <- beta*v - eta*g; w <- w + beta*v - eta*g", 0.001, 0.9),
    "decay": Preset("w <- w - alpha/(n*sqrt(i)) * g, i = 1, 2, ...", 0.1, 0.0),
    "adam": Preset("Adam(eta), beta_1 = 0.9, beta_2 = 0.999", 0.01, None),
}


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

    def __init__(self, alpha: float, num_samples: int):
        self.alpha = check_number("alpha", alpha, low=0.0)
        self.num_samples = check_integer("num_samples", num_samples)

    def __call__(self, step):
        iteration = ops.cast(step, "float32") + 1.0
        return self.alpha / (self.num_samples * ops.sqrt(iteration))

    def get_config(self) -> dict:
        return {"alpha": self.alpha, "num_samples": self.num_samples}


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
        momentum: beta in [0, 1); None for the preset's default. `adam` takes
            no momentum.

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
    if name == "decay":
        learning_rate = InverseSqrtDecay(learning_rate, num_samples)
    return keras.optimizers.SGD(
        learning_rate=learning_rate, momentum=momentum, nesterov=name == "nesterov"
    )


def resolve_hyperparameters(
    name: str, learning_rate: float | None, momentum: float | None
) -> tuple[float, float | None]:
    """Validates a preset's learning rate and momentum, filling in defaults.

    Returns:
        `(learning_rate, momentum)`; momentum is None for `adam`.
    """
    preset = PRESETS[check_choice("optimizer", name, PRESETS)]
    if learning_rate is None:
        learning_rate = preset.default_learning_rate
    learning_rate = check_number("learning_rate", learning_rate, low=0.0)
    if preset.default_momentum is None:
        if momentum not in (None, 0, 0.0):
            raise ValueError(
                f"`momentum` does not apply to the {name!r} optimizer. "
                f"Received: momentum={momentum!r}. Remove it, or use 'momentum' "
                "or 'nesterov'."
            )
        return learning_rate, None
    if momentum is None:
        momentum = preset.default_momentum
    momentum = check_number("momentum", momentum, 0.0, 1.0, low_inclusive=True)
    if preset.default_momentum == 0.0 and momentum != 0.0:
        raise ValueError(
            f"`momentum` does not apply to the {name!r} optimizer ({preset.formula}). "
            f"Received: momentum={momentum!r}. Use --optimizer momentum or nesterov, "
            "or remove it."
        )
    return learning_rate, momentum


def describe_presets() -> str:
    """One line per preset: name, default step size and momentum, formula."""
    lines = []
    for name, preset in PRESETS.items():
        beta = "-" if preset.default_momentum is None else f"{preset.default_momentum:g}"
        lines.append(
            f"{name:<9} lr={preset.default_learning_rate:<6g} momentum={beta:<4} {preset.formula}"
        )
    return "\n".join(lines)


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

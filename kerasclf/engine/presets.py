"""Optimizer presets, looked up by name: the table behind `--optimizer`.

Each preset is a Keras optimizer with the seminar's update rule. With weights w,
gradient g_i of the cost at iteration i (counting from 1) and step size eta:

    gd        w <- w - eta * g_i
              Full-batch GD, SGD or minibatch, depending only on the batch size.
    momentum  v <- beta * v - eta * g_i;  w <- w + v              (beta = 0.9)
    nesterov  v <- beta * v - eta * g_i;  w <- w + beta * v - eta * g_i
    decay     w <- w - alpha_i * g_i,  alpha_i = alpha / (n * sqrt(i))
              The slides' decaying step; n is the number of training points.
    rmsprop   s <- rho * s + (1 - rho) * g_i^2;  w <- w - eta * g_i / sqrt(s + eps)
              (rho = 0.9, eps = 1e-7, s starts at 0; Keras's RMSprop): each
              weight's step is scaled by its recent gradient size. The
              seminar's TensorBoard notebook uses it with eta = 0.001.
    adam      Adam (Kingma & Ba, 2015), for the later days.

`kerasclf presets` prints this table. The module needs no TensorFlow, so the
CLI checks a config and lists the presets without importing it;
`kerasclf.engine.optimizers` builds the Keras optimizers.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from kerasclf.validation import FLOAT32_LIMIT, check_choice, check_number


@dataclasses.dataclass(frozen=True)
class Preset:
    """One optimizer preset: its formula and default hyperparameters."""

    formula: str
    default_learning_rate: float
    # None: the preset takes no momentum; 0.0: it is plain SGD (momentum 0 only).
    default_momentum: float | None
    # Whether the step is eta times the gradient, so that with a summed cost it grows with
    # the points summed over. decay divides by n, rmsprop and adam by the gradient's size.
    proportional_step: bool = False


PRESETS = {
    "gd": Preset("w <- w - eta * g", 0.001, 0.0, proportional_step=True),
    "momentum": Preset("v <- beta*v - eta*g; w <- w + v", 0.001, 0.9, proportional_step=True),
    "nesterov": Preset(
        "v <- beta*v - eta*g; w <- w + beta*v - eta*g", 0.001, 0.9, proportional_step=True
    ),
    "decay": Preset("w <- w - alpha/(n*sqrt(i)) * g, i = 1, 2, ...", 0.1, 0.0),
    "rmsprop": Preset(
        "s <- rho*s + (1-rho)*g^2; w <- w - eta*g/sqrt(s+eps), rho = 0.9", 0.001, None
    ),
    "adam": Preset("Adam(eta), beta_1 = 0.9, beta_2 = 0.999", 0.01, None),
}


# The largest momentum below 1 in float32, the precision training runs in.
MAX_MOMENTUM = 0.99999994


def resolve_hyperparameters(
    name: str, learning_rate: float | None, momentum: float | None
) -> tuple[float, float | None]:
    """Validates a preset's learning rate and momentum, filling in defaults.

    Returns:
        `(learning_rate, momentum)`; momentum is None for `rmsprop` and `adam`.
    """
    preset = PRESETS[check_choice("optimizer", name, PRESETS)]
    if learning_rate is None:
        learning_rate = preset.default_learning_rate
    learning_rate = check_number("learning_rate", learning_rate, low=0.0, high=FLOAT32_LIMIT)
    if float(np.float32(learning_rate)) == 0.0:  # Training runs in float32.
        raise ValueError(
            f"`learning_rate` rounds to 0 in float32, the precision training runs in, so "
            f"nothing would move. Received: learning_rate={learning_rate!r}. Use a step of at "
            "least 1e-38."
        )
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
    if float(np.float32(momentum)) >= 1.0:
        raise ValueError(
            f"`momentum` rounds to 1 in float32, the precision training runs in, where the "
            f"velocity never decays. Received: momentum={momentum!r}. Use at most {MAX_MOMENTUM}."
        )
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

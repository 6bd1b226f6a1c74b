"""Hand-made feature maps phi(x): "a linear model of transformed inputs".

`FeatureMap` expands the two inputs (x1, x2) into a chosen list of
TensorFlow Playground's features, or into every polynomial term up to a
degree:

    x1, x2, x1^2, x2^2, x1*x2, sin(x1), sin(x2)    (by name, comma-separated)
    polyD   every x1^i x2^j with 1 <= i + j <= D   (e.g. poly3: 9 terms)

A logistic model on `x1^2,x2^2` separates the `circle` dataset, which no line
can.
"""

from __future__ import annotations

import keras
from keras import ops

from kerasclf.validation import did_you_mean

FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: ops.sin(x1),
    "sin(x2)": lambda x1, x2: ops.sin(x2),
}
MAX_DEGREE = 10


def parse_features(spec: str) -> list[str]:
    """The feature names of a spec: a comma-separated list, or `polyD`.

    Example:
        >>> parse_features("poly2")
        ['x1', 'x2', 'x1^2', 'x1*x2', 'x2^2']
    """
    spec = spec.strip() if isinstance(spec, str) else spec
    if not isinstance(spec, str) or not spec:
        raise ValueError(
            "`features` must be feature names such as 'x1,x2,x1^2,x2^2' or 'polyD'. "
            f"Received: features={spec!r}."
        )
    if spec.startswith("poly"):
        degree = spec[4:]
        if not degree.isdigit() or not 1 <= int(degree) <= MAX_DEGREE:
            raise ValueError(
                f"`features` 'polyD' needs a degree D in 1..{MAX_DEGREE}. "
                f"Received: features={spec!r}."
            )
        return polynomial_names(int(degree))
    names = [name.strip() for name in spec.split(",")]
    for name in names:
        if name not in FEATURES and not _is_monomial(name):
            raise ValueError(
                f"Unknown feature {name!r} in features={spec!r}.{did_you_mean(name, FEATURES)} "
                f"Valid names: {', '.join(FEATURES)}, or polyD."
            )
        powers = _monomial_powers(name)
        if powers is not None and sum(powers) > MAX_DEGREE:
            raise ValueError(
                f"Feature {name!r} has degree {sum(powers)}; monomials go up to degree "
                f"{MAX_DEGREE}, as polyD does. Received: features={spec!r}."
            )
    if len(set(names)) != len(names):
        raise ValueError(f"`features` lists a feature twice. Received: features={spec!r}.")
    return names


def check_feature_names(spec: str) -> str:
    """Returns `spec` if `parse_features` accepts it."""
    parse_features(spec)
    return spec


def polynomial_names(degree: int) -> list[str]:
    """Names of the monomials x1^i x2^j with 1 <= i + j <= degree."""
    names = []
    for total in range(1, degree + 1):
        for power_x2 in range(total + 1):
            names.append(_monomial_name(total - power_x2, power_x2))
    return names


def _monomial_name(power_x1: int, power_x2: int) -> str:
    parts = [
        f"{variable}^{power}" if power > 1 else variable
        for variable, power in (("x1", power_x1), ("x2", power_x2))
        if power > 0
    ]
    return "*".join(parts)


def _monomial_powers(name: str) -> tuple[int, int] | None:
    powers = {"x1": 0, "x2": 0}
    for part in name.split("*"):
        variable, _, power = part.partition("^")
        if variable not in powers or (power and not power.isdigit()):
            return None
        powers[variable] += int(power or 1)
    return powers["x1"], powers["x2"]


def _is_monomial(name: str) -> bool:
    return _monomial_powers(name) is not None


@keras.saving.register_keras_serializable(package="kerasclf")
class FeatureMap(keras.layers.Layer):
    """Expands (x1, x2) into named features phi(x). It has no weights.

    Args:
        features: A spec for `parse_features`, e.g. `"x1^2,x2^2"` or `"poly3"`.

    Example:
        >>> layer = FeatureMap("x1,x2,x1*x2")
        >>> layer(keras.ops.convert_to_tensor([[2.0, 3.0]])).numpy().tolist()
        [[2.0, 3.0, 6.0]]
    """

    def __init__(self, features: str, **kwargs):
        super().__init__(**kwargs)
        self.features = features
        self.names = parse_features(features)

    def build(self, input_shape):
        if input_shape[-1] != 2:
            raise ValueError(
                f"`features` maps two inputs (x1, x2). Received data with "
                f"{input_shape[-1]} features. Drop --features or use 2-D data."
            )

    def call(self, inputs):
        x1, x2 = inputs[:, 0], inputs[:, 1]
        columns = []
        for name in self.names:
            if name in FEATURES:
                columns.append(FEATURES[name](x1, x2))
            else:
                power_x1, power_x2 = _monomial_powers(name)
                columns.append(ops.power(x1, power_x1) * ops.power(x2, power_x2))
        return ops.stack(columns, axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.names))

    def get_config(self) -> dict:
        return {**super().get_config(), "features": self.features}

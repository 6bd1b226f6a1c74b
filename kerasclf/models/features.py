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

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
from keras import ops

from kerasclf.models.feature_names import monomial_powers, parse_features
from kerasclf.validation import closest_name

FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin(x1)": lambda x1, x2: ops.sin(x1),
    "sin(x2)": lambda x1, x2: ops.sin(x2),
}


@keras.saving.register_keras_serializable(package="kerasclf")
class FeatureMap(keras.layers.Layer):
    """Expands (x1, x2) into named features phi(x). It has no weights.

    Args:
        features: A spec for `parse_features`, e.g. `"x1^2,x2^2"` or `"poly3"`,
            or a list of feature names, e.g. `["x1^2", "x2^2"]`.

    Example:
        >>> layer = FeatureMap("x1,x2,x1*x2")
        >>> layer(keras.ops.convert_to_tensor([[2.0, 3.0]])).numpy().tolist()
        [[2.0, 3.0, 6.0]]
        >>> FeatureMap(["x1^2", "x2^2"]).features
        'x1^2,x2^2'
    """

    def __init__(self, features: str | list[str] | tuple[str, ...] | None = None, **kwargs):
        if features is None:  # Missing, or misspelt: Keras would call it an unknown keyword.
            meant = [key for key in kwargs if closest_name(key, ["features"])]
            hint = f" Received: {meant[0]}=... Did you mean 'features'?" if meant else ""
            raise TypeError(
                "`FeatureMap` needs `features`, the features to compute, e.g. 'x1,x2,x1*x2' "
                f"or ['x1^2', 'x2^2'].{hint}"
            )
        super().__init__(**kwargs)
        if (
            isinstance(features, (list, tuple))
            and features
            and all(isinstance(name, str) for name in features)
        ):
            features = ",".join(features)  # Its config keeps the spec, a string.
        self.names = parse_features(features)
        self.features = features

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] != 2:
            raise ValueError(
                "`features` maps two inputs (x1, x2): a batch of shape (samples, 2). Received "
                f"data of shape {tuple(input_shape)}. Drop --features or use 2-D data."
            )

    def call(self, inputs):
        x1, x2 = inputs[:, 0], inputs[:, 1]
        columns = []
        for name in self.names:
            if name in FEATURES:
                columns.append(FEATURES[name](x1, x2))
            else:
                power_x1, power_x2 = monomial_powers(name)
                columns.append(ops.power(x1, power_x1) * ops.power(x2, power_x2))
        return ops.stack(columns, axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.names))

    def get_config(self) -> dict:
        return {**super().get_config(), "features": self.features}

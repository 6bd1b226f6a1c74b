"""Where XLA pays: every model's steps, except convolutions on a CPU.

XLA fuses the small dense steps of Days 1 and 3 into one program, which is
what makes the fused engine fast. Its CPU convolutions are slower than
TensorFlow's own kernels, though: the seminar's CNN on `fonts` took 2.3-4.8x
longer per epoch with XLA than stock `fit`, and ran 1.1-2.2x faster than
stock without it (`python -m benchmarks.day2_speed`). So a model with a
convolution on a machine without a GPU trains and is evaluated without XLA.

Example:
    >>> import keras
    >>> inputs = keras.Input((4,))
    >>> xla_is_faster(keras.Model(inputs, keras.layers.Dense(1)(inputs)))
    True
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import tensorflow as tf

# Layers whose XLA CPU kernels are slower than TensorFlow's.
SLOW_ON_XLA_CPU = (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D)


def xla_is_faster(model: keras.Model) -> bool:
    """Whether compiling `model`'s steps with XLA speeds them up on this machine."""
    if tf.config.list_physical_devices("GPU"):
        return True
    return not any(isinstance(layer, SLOW_ON_XLA_CPU) for layer in model._flatten_layers())

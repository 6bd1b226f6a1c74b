"""Training on several devices with TensorFlow's own `tf.distribute`.

    none      one device (the default).
    mirrored  `tf.distribute.MirroredStrategy`: every local GPU holds a copy of
              the model and takes a slice of each minibatch; gradients are
              summed across the copies, so the updates are those of one device
              on the same global minibatch. On a machine without GPUs,
              `cpu_devices=N` splits the CPU into N logical devices (for trying
              it out and for tests).
    multiworker  `tf.distribute.MultiWorkerMirroredStrategy` across processes
              and machines named by the `TF_CONFIG` environment variable, with
              kerasclf's own training loop (see `kerasclf.engine.multiworker`).

Logical CPU devices can only be set before TensorFlow runs its first op, so
`make_strategy` must be called before anything else touches TensorFlow (the
CLI does so).
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import tensorflow as tf

from kerasclf.engine.cluster import STRATEGIES
from kerasclf.engine.multiworker import make_multiworker_strategy
from kerasclf.validation import check_choice, check_integer


def configure_cpu_devices(count: int) -> None:
    """Splits the CPU into `count` logical devices, before TensorFlow starts."""
    count = check_integer("cpu_devices", count)
    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is not None and len(current) == count:
        return
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * count
        )
    except RuntimeError:
        raise ValueError(
            f"`cpu_devices` must be set before TensorFlow has started. Received: "
            f"cpu_devices={count} in a process where TensorFlow already ran. Use the "
            "`kerasclf train` command, or set it first thing in a fresh process."
        ) from None


def make_strategy(name: str, cpu_devices: int | None = None) -> tf.distribute.Strategy | None:
    """The `tf.distribute` strategy of a name, or None for one device.

    Example:
        >>> strategy = make_strategy("mirrored", cpu_devices=2)  # doctest: +SKIP
        >>> strategy.num_replicas_in_sync  # doctest: +SKIP
        2
    """
    check_choice("strategy", name, STRATEGIES)
    if cpu_devices is not None:
        configure_cpu_devices(cpu_devices)
    if name == "none":
        return None
    if name == "multiworker":
        return make_multiworker_strategy()
    if tf.config.list_logical_devices("GPU"):
        return tf.distribute.MirroredStrategy()
    devices = [device.name for device in tf.config.list_logical_devices("CPU")]
    return tf.distribute.MirroredStrategy(devices)

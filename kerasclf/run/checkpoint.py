"""Checkpoints at epoch boundaries, so an interrupted run resumes exactly.

`EpochSnapshot` copies the model's variables (weights and random-seed state)
and the optimizer's (iteration count, momentum, Adam moments) into memory at
the end of every epoch; for the seminar's models that is a few microseconds.
When a run is interrupted mid-epoch, `write_checkpoint` saves the last
completed epoch's snapshot as `checkpoint.npz`. `kerasclf train --resume RUN_DIR`
rebuilds the model from `config.json`, restores the snapshot with
`restore_checkpoint` and continues from the next epoch. Because every epoch's
visiting order comes from `(seed, epoch)`, the resumed run ends with the same
weights as an uninterrupted one.
"""

from __future__ import annotations

import os

import keras
import numpy as np

from kerasclf.atomic_files import write_npz
from kerasclf.run.directory import CHECKPOINT_FILE


class EpochSnapshot(keras.callbacks.Callback):
    """Keeps the model and optimizer state of the last completed epoch.

    Example:
        >>> snapshot = EpochSnapshot()
        >>> model.fit(..., callbacks=[snapshot])  # doctest: +SKIP
        >>> snapshot.epochs_completed  # doctest: +SKIP
        100
    """

    def __init__(self):
        super().__init__()
        self.epochs_completed = 0  # A resumed run sets the checkpoint's.
        self.model_values: list[np.ndarray] | None = None
        self.optimizer_values: list[np.ndarray] | None = None

    def take(self) -> None:
        """Copies the current model and optimizer state."""
        self.model_values = [np.array(v) for v in self.model.variables]
        self.optimizer_values = [np.array(v) for v in self.model.optimizer.variables]

    def restore(self) -> None:
        """Puts the copied state back into the model and optimizer."""
        if self.model_values is None:
            return
        for variable, value in zip(self.model.variables, self.model_values):
            variable.assign(value)
        for variable, value in zip(self.model.optimizer.variables, self.optimizer_values):
            variable.assign(value)

    def on_train_begin(self, logs=None):
        if not self.model.optimizer.built:
            self.model.optimizer.build(self.model.trainable_variables)
        self.take()

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_completed = epoch + 1
        self.take()


def write_checkpoint(snapshot: EpochSnapshot, run_dir: str) -> str:
    """Saves a snapshot as `<run_dir>/checkpoint.npz`; returns the path."""
    arrays = {f"model_{i}": value for i, value in enumerate(snapshot.model_values)}
    arrays.update({f"optimizer_{i}": value for i, value in enumerate(snapshot.optimizer_values)})
    arrays["epochs_completed"] = np.array(snapshot.epochs_completed)
    path = os.path.join(run_dir, CHECKPOINT_FILE)
    write_npz(path, **arrays)
    return path


def restore_checkpoint(model: keras.Model, run_dir: str) -> int:
    """Restores a compiled model's variables from a checkpoint.

    Returns:
        The number of epochs the checkpoint had completed.

    Raises:
        ValueError: if there is no checkpoint or it does not fit the model.
    """
    path = os.path.join(run_dir, CHECKPOINT_FILE)
    if not os.path.isfile(path):
        raise ValueError(
            f"`resume` needs a checkpoint: {path!r} does not exist. Received: resume={run_dir!r}. "
            "Only interrupted runs can be resumed."
        )
    model.optimizer.build(model.trainable_variables)
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise ValueError(
            f"{path}: not a readable checkpoint ({error}). It is written only when a run is "
            "interrupted; start the run again instead of resuming it."
        ) from None
    with archive:
        completed = (
            _array(archive, "epochs_completed", path)
            if "epochs_completed" in archive.files
            else None
        )
        if completed is None or completed.ndim != 0 or completed.dtype.kind not in "iu":
            raise ValueError(
                f"{path}: not a checkpoint of this run (it needs an integer epochs_completed). "
                "Start the run again instead of resuming it."
            )
        pairs = [(model.variables, "model"), (model.optimizer.variables, "optimizer")]
        for variables, prefix in pairs:
            stored = sorted(
                (key for key in archive.files if key.startswith(prefix + "_")),
                key=lambda key: int(key.rsplit("_", 1)[1]),
            )
            if len(stored) != len(variables):
                raise ValueError(
                    f"{path}: the checkpoint holds {len(stored)} {prefix} variables, the "
                    f"model has {len(variables)}. Was config.json edited?"
                )
            for variable, key in zip(variables, stored):
                value = _array(archive, key, path)
                if value.shape != tuple(variable.shape) or value.dtype.kind not in "biuf":
                    raise ValueError(
                        f"{path}: {key} holds {value.dtype} of shape {value.shape}, the model's "
                        f"variable is {tuple(variable.shape)}. Was config.json edited?"
                    )
                variable.assign(value)
        return int(completed)


def _array(archive, key: str, path: str) -> np.ndarray:
    """One array of a checkpoint; an object array (it would need pickle) is refused."""
    try:
        return archive[key]
    except ValueError as error:
        raise ValueError(f"{path}: {key} is not a plain numeric array ({error}).") from None

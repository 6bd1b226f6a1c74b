"""Checkpoints at epoch boundaries, so an interrupted or killed run resumes exactly.

`EpochSnapshot` copies the model's variables (weights and random-seed state)
and the optimizer's (iteration count, momentum, Adam moments) into memory at
the end of every epoch, all read by one traced function (read one by one,
eagerly, they took longer than a small model's epoch of training).
`write_checkpoint` saves a snapshot as `checkpoint.npz`: when a run is
interrupted (SIGINT, SIGTERM, an error), and every `checkpoint_every` seconds
while it trains (`kerasclf.run.periodic_checkpoint`), with the run's other
state beside it (the error surface's path, the training time so far). It is
written to a temporary file and renamed into place, so a run killed while
writing keeps its previous checkpoint. `kerasclf train --resume RUN_DIR`
rebuilds the model from `config.json`, restores the snapshot with
`restore_checkpoint` (which refuses a model whose layers differ from the
checkpoint's: `kerasclf.models.layer_signature`) and continues from the next
epoch. Because every epoch's visiting order comes from `(seed, epoch)`, the
resumed run ends with the same weights as an uninterrupted one.
"""

from __future__ import annotations

import os
import tempfile

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf

from kerasclf.models.layer_signature import layer_signature, signature_difference
from kerasclf.npz_files import UNREADABLE_NPZ_ERRORS
from kerasclf.run.directory import CHECKPOINT_FILE, TEMPORARY_PREFIX
from kerasclf.run.fault_injection import kill_if_due

# Arrays a checkpoint may hold besides the model's and optimizer's variables.
EXTRA_KEYS = ("wall_seconds", "surface_path", "surface_path_steps", "surface_frame_steps")


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
        self.layers: list[str] | None = None  # `layer_signature`, at the first `take`.
        self._read = None
        self._read_key: tuple = ()

    def take(self) -> None:
        """Copies the current model and optimizer state."""
        if self.layers is None:
            self.layers = layer_signature(self.model)
        variables = (list(self.model.variables), list(self.model.optimizer.variables))
        # The traced function holds its variables, so their ids stay theirs.
        key = tuple(tuple(map(id, group)) for group in variables)
        if key != self._read_key:
            self._read = tf.function(
                lambda: tuple([v.value for v in group] for group in variables), autograph=False
            )
            self._read_key = key
        # Each array is a tensor's own buffer: a later update writes a new one.
        model_values, optimizer_values = self._read()
        self.model_values = [value.numpy() for value in model_values]
        self.optimizer_values = [value.numpy() for value in optimizer_values]

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


def write_checkpoint(
    snapshot: EpochSnapshot, run_dir: str, extras: dict[str, np.ndarray] | None = None
) -> str:
    """Saves a snapshot as `<run_dir>/checkpoint.npz`, atomically; returns the path.

    Args:
        snapshot: The last completed epoch's state.
        run_dir: The run directory.
        extras: More of the run's state, by a name of `EXTRA_KEYS`.

    Example:
        >>> extras = {"wall_seconds": np.array(3.5)}
        >>> write_checkpoint(snapshot, "logs/run", extras)  # doctest: +SKIP
        'logs/run/checkpoint.npz'
    """
    unknown = sorted(set(extras or {}) - set(EXTRA_KEYS))
    if unknown:
        raise ValueError(f"`extras` takes {', '.join(EXTRA_KEYS)}. Received: {unknown}.")
    arrays = {f"model_{i}": value for i, value in enumerate(snapshot.model_values)}
    arrays.update({f"optimizer_{i}": value for i, value in enumerate(snapshot.optimizer_values)})
    arrays["epochs_completed"] = np.array(snapshot.epochs_completed)
    if snapshot.layers is not None:
        arrays["layers"] = np.array(snapshot.layers)
    arrays.update(extras or {})
    path = os.path.join(run_dir, CHECKPOINT_FILE)
    handle, temporary = tempfile.mkstemp(dir=run_dir, prefix=TEMPORARY_PREFIX, suffix=".npz")
    try:
        os.chmod(handle, 0o666 & ~_UMASK)  # mkstemp's 0600, as the run's other files.
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
        kill_if_due("kill-before-rename", snapshot.epochs_completed)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    return path


def read_extras(run_dir: str) -> dict[str, np.ndarray]:
    """The `EXTRA_KEYS` arrays a run's checkpoint holds (none for one an interrupt wrote early).

    Example:
        >>> read_extras("logs/run")["wall_seconds"]  # doctest: +SKIP
        array(31.2)
    """
    path = os.path.join(run_dir, CHECKPOINT_FILE)
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: _array(archive, key, path) for key in EXTRA_KEYS if key in archive.files}
    except UNREADABLE_NPZ_ERRORS:
        return {}


def _process_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


# Read once, at import, as kerasclf.atomic_files does.
_UMASK = _process_umask()


def restore_checkpoint(
    model: keras.Model, run_dir: str, mismatch: str = "Was config.json edited?"
) -> int:
    """Restores a compiled model's variables from a checkpoint.

    Args:
        model: The compiled model.
        run_dir: The run directory, holding `checkpoint.npz`.
        mismatch: What the message says when the checkpoint's variables do
            not fit the model's.

    Returns:
        The number of epochs the checkpoint had completed.

    Raises:
        ValueError: if there is no checkpoint or it does not fit the model.
    """
    path = os.path.join(run_dir, CHECKPOINT_FILE)
    if not os.path.isfile(path):
        raise ValueError(
            f"`resume` needs a checkpoint: {path!r} does not exist. Received: resume={run_dir!r}. "
            "Only interrupted or killed runs that saved one can be resumed."
        )
    model.optimizer.build(model.trainable_variables)
    try:
        archive = np.load(path, allow_pickle=False)
    except UNREADABLE_NPZ_ERRORS as error:
        raise ValueError(
            f"{path}: not a readable checkpoint ({error}). Start the run again instead of "
            "resuming it."
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
        restored = []  # (variable, value): assigned once every check has passed.
        pairs = [(model.variables, "model"), (model.optimizer.variables, "optimizer")]
        for variables, prefix in pairs:
            stored = sorted(
                (key for key in archive.files if key.startswith(prefix + "_")),
                key=lambda key: int(key.rsplit("_", 1)[1]),
            )
            if len(stored) != len(variables):
                raise ValueError(
                    f"{path}: the checkpoint holds {len(stored)} {prefix} variables, the "
                    f"model has {len(variables)}. {mismatch}"
                )
            for variable, key in zip(variables, stored):
                value = _array(archive, key, path)
                if value.shape != tuple(variable.shape) or value.dtype.kind not in "biuf":
                    raise ValueError(
                        f"{path}: {key} holds {value.dtype} of shape {value.shape}, the model's "
                        f"variable is {tuple(variable.shape)}. {mismatch}"
                    )
                if value.dtype.kind == "f" and not np.isfinite(value).all():
                    raise ValueError(
                        f"{path}: {key} holds inf or NaN, weights no run can continue from. "
                        "Start the run again instead of resuming it."
                    )
                restored.append((variable, value))
        _check_layers(archive, model, path, mismatch)
        for variable, value in restored:
            variable.assign(value)
        return int(completed)


def _check_layers(archive, model: keras.Model, path: str, mismatch: str) -> None:
    """Refuses a model whose layers differ from the checkpoint's.

    A checkpoint written before checkpoints recorded their layers is not checked.
    """
    if "layers" not in archive.files:
        return
    stored = _array(archive, "layers", path)
    if stored.ndim != 1 or stored.dtype.kind != "U":
        raise ValueError(
            f"{path}: its layers are not a list of text (dtype {stored.dtype}). Start the run "
            "again instead of resuming it."
        )
    current = layer_signature(model)
    try:
        difference = signature_difference([str(line) for line in stored], current)
    except (ValueError, KeyError, TypeError) as error:  # Not the JSON lines a run writes.
        raise ValueError(
            f"{path}: its layers are not readable ({error!r}). Start the run again instead of "
            "resuming it."
        ) from None
    if difference is not None:
        raise ValueError(f"{path}: {difference}. {mismatch}")


def _array(archive, key: str, path: str) -> np.ndarray:
    """One array of a checkpoint; an object array (it would need pickle) is refused."""
    try:
        return archive[key]
    except ValueError as error:
        raise ValueError(
            f"{path}: {key} is not a plain numeric array ({error}). Start the run again "
            "instead of resuming it."
        ) from None
    except UNREADABLE_NPZ_ERRORS as error:
        raise ValueError(
            f"{path}: not a readable checkpoint ({key}: {error}). Start the run again instead "
            "of resuming it."
        ) from None

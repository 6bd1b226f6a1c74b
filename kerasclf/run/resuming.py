"""`resume(run_dir)`: continues an interrupted, failed or killed run from its checkpoint.

The Python side of `kerasclf train --resume RUN_DIR`: the same checks, the
same bitwise continuation (`run.preparation.prepare_resume`, then
`run.training.run_prepared`). A run of a model given as a Python object
records it as `python:NAME`, which its config.json cannot rebuild; it
resumes here only, with that model given again.

Example:
    >>> import kerasclf
    >>> result = kerasclf.resume("logs/sgd-bs1")  # doctest: +SKIP
    >>> result = kerasclf.resume("logs/mine", model=build_my_model)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras

from kerasclf.run.preparation import prepare_resume
from kerasclf.run.training import TrainResult, check_callbacks, run_prepared
from kerasclf.validation import check_path, check_text_stream, shown, suggests_keywords


@suggests_keywords
def resume(
    run_dir: str,
    *,
    model: keras.Model | Callable[..., keras.Model] | None = None,
    callbacks: list | Callable[[str], list] | None = None,
    stream: TextIO | None = None,
) -> TrainResult:
    """Continues a stopped run to its last epoch, as an uninterrupted run would have gone.

    The run keeps its own settings (its `config.json`) and folder; training
    goes on from the last completed epoch its checkpoint holds, and ends
    bitwise where the uninterrupted run ends.

    Args:
        run_dir: The run directory (a string or a `pathlib.Path`) of an
            interrupted, failed or killed run with a checkpoint (`kerasclf
            runs` lists which resume).
        model: Only for a run of a model given to `kerasclf.train` as a
            Python object (config.json records `python:NAME`): that model
            again, a `keras.Model` of the same layers (built anew, or the
            same object) or the function that builds it. Its weights and
            the optimizer's state come from the checkpoint. None for every
            other run, whose config.json rebuilds its model.
        callbacks: Extra Keras callbacks, as `kerasclf.train` takes them.
        stream: Where the per-epoch lines go; default stdout.

    Returns:
        A `TrainResult`: its `summary` is of the whole run, its `history` of
        the epochs trained after the resume.

    Raises:
        ValueError, TypeError: one line, before anything is written, for a
            run that cannot resume or a model that does not fit its
            checkpoint.

    Example:
        >>> result = resume("logs/sgd-bs1")  # doctest: +SKIP
        >>> result.summary["status"]  # doctest: +SKIP
        'completed'
    """
    run_dir = check_path("run_dir", run_dir)
    if model is not None and not isinstance(model, keras.Model) and not callable(model):
        raise TypeError(
            "`model` must be a keras.Model, a function that builds one, or None. "
            f"Received: model={shown(model)} of type {type(model).__name__}."
        )
    check_callbacks(callbacks)
    check_text_stream("stream", stream)
    prepared = prepare_resume(run_dir, model_object=model, key="run_dir")
    return run_prepared(prepared, callbacks=callbacks, stream=stream)

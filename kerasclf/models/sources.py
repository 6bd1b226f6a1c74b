"""Where a run's model comes from, parsed without TensorFlow.

The `model` setting names one of three sources:

    logistic, mlp, ...   a built-in model (`kerasclf.models.architecture.MODELS`).
    FILE.py:FUNCTION     a function in the user's file. It is called as
                         FUNCTION(input_shape=(...), num_classes=k) and
                         returns an uncompiled `keras.Model` whose output is
                         probabilities (sigmoid with one unit for 2 classes,
                         or softmax with k units).
    a Python object      (`kerasclf.train(model=...)` only) a built
                         `keras.Model`, or a function as above.

This module parses and checks the text forms; `kerasclf.models.user`
imports the file and checks what the function returns.

Example:
    >>> parse_model_source("logistic")
    'logistic'
    >>> parse_model_source("docs/my_models.py:build")  # doctest: +SKIP
    ModelFile(path='docs/my_models.py', function='build')
"""

from __future__ import annotations

import dataclasses
import os

from kerasclf.models.architecture import MODELS
from kerasclf.validation import closest_path, did_you_mean, relative_to_where

# The form of a model file in messages.
FILE_FORM = "FILE.py:FUNCTION (e.g. my_models.py:build)"


@dataclasses.dataclass(frozen=True)
class ModelFile:
    """A model-building function in a Python file.

    Attributes:
        path: The `.py` file.
        function: The name of the function in it.
    """

    path: str
    function: str

    def __str__(self) -> str:
        return f"{self.path}:{self.function}"


def is_model_file(value: str) -> bool:
    """Whether a `model` setting names a file rather than a built-in model.

    Example:
        >>> is_model_file("my_models.py:build"), is_model_file("mlp")
        (True, False)
    """
    return isinstance(value, str) and (":" in value or value.endswith(".py"))


def parse_model_source(value: str) -> str | ModelFile:
    """A built-in model's name, or the `ModelFile` of `FILE.py:FUNCTION`.

    Checks that the file exists and that the function name is an
    identifier; importing the file is `kerasclf.models.user`'s job.

    Raises:
        ValueError: one line naming what is wrong and the expected form.
    """
    if not isinstance(value, str):
        raise TypeError(
            f"`model` must be a built-in name ({', '.join(MODELS)}) or {FILE_FORM}. "
            f"Received: model={value!r}."
        )
    if not is_model_file(value):
        if value not in MODELS:
            raise ValueError(
                f"`model` must be a built-in name ({', '.join(MODELS)}) or {FILE_FORM}. "
                f"Received: model={value!r}.{did_you_mean(value, MODELS)}"
            )
        return value
    path, _, function = value.rpartition(":") if ":" in value else (value, "", "")
    if not path.endswith(".py") or not function.isidentifier():
        raise ValueError(
            f"`model` in a file must be {FILE_FORM}: a .py file, a colon, then the name of the "
            f"function that builds the model. Received: model={value!r}."
        )
    if not os.path.isfile(path):
        raise ValueError(
            f"`model` file does not exist. Received: model={value!r} ({path!r} not found)."
            f"{relative_to_where(path)}{closest_path(path, _is_python_file)}"
        )
    return ModelFile(path, function)


def _is_python_file(path: str) -> bool:
    """Whether `path` is a Python file, which a model file must be (for typo hints)."""
    return os.path.isfile(path) and path.endswith(".py")

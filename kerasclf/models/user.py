"""A user's own Keras model: from a file, a function or a built model, checked.

The contract (see docs/my_models.py): a function called with keyword
arguments `input_shape` (the shape of one sample, e.g. (36, 36, 1)) and
`num_classes` returns an uncompiled `keras.Model` that maps that input to
probabilities: one sigmoid unit for two classes, or k softmax units.
kerasclf compiles it with its cost, optimizer and accuracy, and trains it on
its fused engine (`Classifier.from_model`), layers and weights unchanged.
For a regression (`task="regression"`) the function is called with
`input_shape` and `num_targets` instead, and its model ends in a linear
Dense(num_targets): output shape (None, num_targets). On token ids, a
function that takes a `vocabulary_size` keyword also gets the number of ids,
and an Embedding reading the input must have a row for each
(`kerasclf.models.token_embedding`).

Every way this can go wrong is one line, before anything is written: a file
that cannot be imported, a missing function, a function that raises or
returns something else, an output that is not probabilities or has the
wrong number of units, an input shape that does not fit the data.

Example:
    >>> model = user_model("my_models.py:build", (36, 36, 1), 5)  # doctest: +SKIP
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import importlib.util
import os
import sys
import traceback
from collections.abc import Callable, Sequence

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras

# Keras's counters of automatic layer names ("dense", "dense_1", ...). Only
# `keras.backend.clear_session` resets them publicly, and it also resets the
# user's dtype policy and every other global setting.
try:
    from keras.src.backend.common import global_state as keras_global_state
except ImportError:  # A Keras that moved them: a model built again numbers its layers.
    keras_global_state = None

from kerasclf.models.sources import ModelFile, parse_model_source
from kerasclf.models.token_embedding import (
    VOCABULARY_KEYWORD,
    check_embedding_rows,
    takes_vocabulary_size,
)
from kerasclf.data.labelled import TASKS
from kerasclf.models.inspection import (
    check_probability_output,
    check_regression_output,
    input_shape_fits,
    output_activation,
)
from kerasclf.validation import check_choice, check_integer, did_you_mean, shown


def module_name(source: ModelFile) -> str:
    """The module the user's file is imported as: one per file, a name no package has.

    Example:
        >>> name = module_name(parse_model_source("docs/my_models.py:cnn"))
        >>> name.startswith("kerasclf_user_model_")
        True
    """
    path = os.path.abspath(source.path)
    return "kerasclf_user_model_" + hashlib.sha1(path.encode()).hexdigest()[:12]


def load_model_function(source: ModelFile) -> Callable:
    """Imports the user's file and returns its model function, or raises one line."""
    path = os.path.abspath(source.path)
    name = module_name(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        del sys.modules[name]
        raise ValueError(
            f"`model` file {source.path} has a syntax error at line {error.lineno}: "
            f"{error.msg}. Fix the file."
        ) from None
    except (Exception, SystemExit) as error:  # The user's code: anything can fail, or exit.
        del sys.modules[name]
        raise ValueError(
            f"`model` file {source.path} failed on import with {_one_line(error)}"
            f"{_where(error, path)}. Fix the file."
        ) from None
    function = getattr(module, source.function, None)
    if not callable(function):
        functions = [key for key, value in vars(module).items() if callable(value)]
        found = (
            f"defines {source.function!r} as a value of type {type(function).__name__}, not a "
            "function"
            if hasattr(module, source.function)
            else f"has no function {source.function!r}"
        )
        raise ValueError(
            f"`model` file {source.path} {found}. Received: "
            f"model={str(source)!r}.{did_you_mean(source.function, functions)} Functions "
            f"there: {', '.join(sorted(functions)[:10]) or 'none'}."
        )
    return function


def call_model_function(
    function: Callable, input_shape, num_classes: int, what: str, vocabulary_size=None, **head
):
    """Calls a model function with the contract's keyword arguments, or raises one line.

    `head` is empty for a classification (the function gets `num_classes`),
    or `num_targets=k` for a regression (it gets that instead). The number of
    token ids, `vocabulary_size`, goes to a function that takes it.
    """
    arguments = {"input_shape": tuple(input_shape), **(head or {"num_classes": num_classes})}
    if vocabulary_size is not None and takes_vocabulary_size(function):
        arguments[VOCABULARY_KEYWORD] = vocabulary_size
    try:
        with first_layer_names():
            return function(**arguments)
    except (Exception, SystemExit) as error:  # The user's code: sys.exit() included.
        shown = ", ".join(f"{key}={value}" for key, value in arguments.items())
        raise ValueError(
            f"`model` function {what} raised {_one_line(error)}{_where(error)} when called "
            f"with {shown}. It must accept these keyword arguments and return an uncompiled "
            "keras.Model."
        ) from None


@contextlib.contextmanager
def first_layer_names():
    """Inside the block, Keras names new layers as in a fresh process.

    A model function called again in the same process (a second run in a
    notebook, a resume after a run) would otherwise name its layers
    `conv2d_1`, `dense_3`, ...: its weight charts in TensorBoard would not
    line up with the first run's, nor with the same run made from the CLI.
    The counters are restored after the block, so names the user's own code
    makes later are unchanged.

    Example:
        >>> _ = keras.layers.Dense(1)  # Keras has counted one "dense" already.
        >>> with first_layer_names():
        ...     keras.layers.Dense(1).name
        'dense'
    """
    if keras_global_state is None:
        yield
        return
    saved = keras_global_state.get_global_attribute("object_name_uids")
    keras_global_state.set_global_attribute("object_name_uids", collections.defaultdict(int))
    try:
        yield
    finally:
        keras_global_state.set_global_attribute("object_name_uids", saved)


def user_model(
    model,
    input_shape: Sequence[int],
    num_classes: int | None,
    task: str = "classification",
    num_targets: int = 1,
    vocabulary_size: int | None = None,
) -> keras.Model:
    """The user's model for data of this shape and class count (or targets), checked.

    Args:
        model: `"FILE.py:FUNCTION"`, a function as in the module docstring,
            or a built `keras.Model`.
        input_shape: The shape of one sample of the data.
        num_classes: The number of classes k (ignored for a regression).
        task: "classification" or "regression".
        num_targets: The numbers a regression predicts per sample.
        vocabulary_size: The number of token ids of data of ids, else None.

    Returns:
        The `keras.Model` (not yet compiled by kerasclf).

    Raises:
        ValueError, TypeError: one line, for anything the contract rules out.
    """
    task = check_choice("task", task, TASKS)
    head = (
        {"num_targets": check_integer("num_targets", num_targets)} if task == "regression" else {}
    )
    what = repr(model) if isinstance(model, str) else getattr(model, "__name__", "model")
    vocabulary = (
        None if vocabulary_size is None else check_integer("vocabulary_size", vocabulary_size)
    )
    if isinstance(model, str):
        function = load_model_function(parse_model_source(model))
        model = call_model_function(function, input_shape, num_classes, what, vocabulary, **head)
    elif not isinstance(model, keras.Model) and callable(model):
        model = call_model_function(model, input_shape, num_classes, what, vocabulary, **head)
    elif not isinstance(model, keras.Model):
        raise TypeError(
            "`model` must be a built-in name, 'FILE.py:FUNCTION', a keras.Model or a function "
            f"that builds one. Received: model={shown(model)} of type {type(model).__name__}."
        )
    else:
        what = repr(model.name)
    check_user_model(model, input_shape, num_classes, what, **head)
    if vocabulary is not None:
        check_embedding_rows(model, vocabulary, what)
    return model


def check_user_model(
    model, input_shape: Sequence[int], num_classes: int | None, what: str, num_targets=None
) -> None:
    """Refuses, in one line, a model that does not fit the data or its task's output.

    A classification model (`num_targets` None) must give probabilities, one
    sigmoid unit or k softmax units; a regression model (`num_targets` k) a
    linear output of shape (None, k).
    """
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"`model` function {what} must return a keras.Model. Received {model!r} of type "
            f"{type(model).__name__}."
        )
    if not model.built:
        if getattr(model, "inputs", None) is None:  # Subclassed: its call builds its layers.
            model(keras.Input(tuple(input_shape)))
        else:
            model.build((None, *input_shape))
    _check_one_input_and_output(model, what)
    if not model.trainable_weights:
        raise ValueError(
            f"`model` {what} has no trainable weights (its layers are frozen, trainable=False, "
            "or hold none), so training cannot change it. Leave the layers to train trainable."
        )
    _check_rebuildable(model, what)
    expected = tuple(model.inputs[0].shape[1:]) if getattr(model, "inputs", None) else None
    if expected is not None and not input_shape_fits(expected, input_shape):
        raise ValueError(
            f"`model` {what} takes inputs of shape {expected}, but the data's samples "
            f"have shape {tuple(input_shape)}. Build the model with "
            f"keras.Input({tuple(input_shape)}) (a model function receives it as input_shape)."
        )
    if num_targets is not None:
        return _check_regression_model(model, input_shape, num_targets, what)
    _check_classifier_output(model, input_shape, num_classes, what)


def _check_classifier_output(model, input_shape, num_classes: int, what: str) -> None:
    """Refuses a classifier's output that is not one probability per class and sample."""
    try:
        check_probability_output(model)
    except ValueError as error:
        raise ValueError(f"`model` {what}: {error}") from None
    shape = output_shape(model, input_shape)
    if len(shape) != 2:
        raise ValueError(
            f"`model` {what} outputs shape {shape}, but a classifier gives one row of "
            f"probabilities per sample, shape (None, k). Flatten before the output layer, or "
            "give its recurrent layer return_sequences=False."
        )
    units = shape[-1]
    if units > 1 and output_activation(model) == "sigmoid":
        raise ValueError(
            f"`model` {what} ends in {units} sigmoid units: {units} separate yes/no "
            "probabilities, which need not sum to 1, not one probability per class. End it "
            f"in Dense({num_classes if num_classes > 2 else 1}, "
            f"activation={'softmax' if num_classes > 2 else 'sigmoid'!r})."
        )
    allowed = (1, 2) if num_classes == 2 else (num_classes,)
    if units not in allowed:
        raise ValueError(
            f"`model` {what} outputs {units} unit(s), but the data has {num_classes} classes. "
            f"End it in Dense({num_classes if num_classes > 2 else 1}, "
            f"activation={'softmax' if num_classes > 2 else 'sigmoid'!r})."
        )
    if units == 1 and output_activation(model) == "softmax":
        raise ValueError(
            f"`model` {what} ends in one softmax unit, whose output is always 1 whatever "
            "the input, so it cannot learn. End it in Dense(1, activation='sigmoid') "
            "(or Dense(2, activation='softmax'))."
        )


def _check_regression_model(model, input_shape, num_targets: int, what: str) -> None:
    """Refuses a regression model whose output is squashed or not (None, num_targets)."""
    try:
        check_regression_output(model)
    except ValueError as error:
        raise ValueError(f"`model` {what}: {error}") from None
    shape = output_shape(model, input_shape)
    if shape[1:] != (num_targets,):
        raise ValueError(
            f"`model` {what} outputs shape {shape}, but a regression on {num_targets} "
            f"target(s) needs (None, {num_targets}). End it in Dense({num_targets}) "
            "(linear)."
        )


def output_shape(model: keras.Model, input_shape: Sequence[int]) -> tuple:
    """The shape of the model's output for a minibatch of samples of `input_shape`.

    A subclassed model without `compute_output_shape` is called on a symbolic input.

    Example:
        >>> output_shape(keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]), (4,))
        (None, 3)
    """
    if getattr(model, "outputs", None):
        return tuple(model.compute_output_shape((None, *input_shape)))
    return tuple(model(keras.Input(tuple(input_shape))).shape)


def _check_rebuildable(model, what: str) -> None:
    """Refuses a custom layer or model class that cannot be made again from its config.

    `model.keras` (`kerasclf.run.export.plain_model`) copies each layer with
    `from_config(get_config())`; a class whose `__init__` takes no `**kwargs`
    fails there, after training, so it is tried before.
    """
    layers = [model] if getattr(model, "inputs", None) is None else model.layers
    for layer in layers:
        if getattr(layer, "inputs", None) is not None and isinstance(layer, keras.Model):
            _check_rebuildable(layer, what)  # A nested functional model: its layers.
            continue
        if isinstance(layer, keras.layers.Lambda):
            raise ValueError(
                f"`model` {what}: layer {layer.name!r} is a Lambda layer, whose Python function "
                "model.keras cannot hold safely (Keras refuses to load it back), and kerasclf "
                "saves the trained model there. Write the function as a layer "
                "(a keras.layers.Layer subclass with call()), or use Keras's own layers "
                "(Reshape, Rescaling, Activation, ...)."
            )
        if type(layer).__module__.split(".")[0] in ("keras", "kerasclf"):
            continue
        try:
            type(layer).from_config(layer.get_config())
        except Exception as error:  # The user's class: anything can fail.
            name = type(layer).__name__
            raise ValueError(
                f"`model` {what}: kerasclf saves the trained model to model.keras, which "
                f"makes each layer again from its config, and {name} cannot be made again "
                f"({_one_line(error)}). Give {name}.__init__ **kwargs and pass them to "
                "super().__init__(**kwargs), with a get_config() that returns its own "
                "arguments."
            ) from None


def _check_one_input_and_output(model, what: str) -> None:
    """kerasclf feeds a model one array of samples and trains one output."""
    for kind in ("inputs", "outputs"):
        tensors = getattr(model, kind, None) or []
        if len(tensors) > 1:
            raise ValueError(
                f"`model` {what} has {len(tensors)} {kind}; kerasclf trains models of one "
                f"input and one output. Received {kind} "
                f"{[tuple(tensor.shape) for tensor in tensors]}. Return "
                "keras.Model(inputs, outputs) with a single tensor for each."
            )


def _one_line(error: BaseException) -> str:
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0]}" if message else type(error).__name__


def _where(error: BaseException, path: str | None = None) -> str:
    """` (file line N)` of the user's frame that raised, if found."""
    frames = traceback.extract_tb(error.__traceback__)
    user_frames = [
        frame
        for frame in frames
        if (path is None or os.path.abspath(frame.filename) == path)
        and "site-packages" not in frame.filename
        and os.path.abspath(frame.filename) != os.path.abspath(__file__)
    ]
    if not user_frames:
        return ""
    frame = user_frames[-1]
    return f" ({os.path.basename(frame.filename)} line {frame.lineno})"

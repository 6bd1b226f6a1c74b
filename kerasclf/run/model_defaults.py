"""Settings whose default depends on the model: its layers' options and its training.

A key left unset (None) takes the model's own default when the config is
made (`fill_model_defaults`), so `config.json` records the value used:

    model      hidden  activation  dropout  optimizer  batch_size  epochs  cost
    logistic   -       -           -        gd         full        100     sum
    mlp        8,8     tanh        0        gd         full        100     sum
    cnn        32      relu        0.25     adam       32          20      mean
    rnn        -       tanh        0        adam       32          20      mean
    lstm, gru  -       -           0        adam       32          20      mean
    FILE.py    -       -           -        gd         full        100     sum

    model          units  layers  embedding_dim
    rnn/lstm/gru   32     1       16 for token ids (recorded as None), none otherwise

Logistic regression and the mlp train as on the Day-1 slides (full-batch
gradient descent on the summed cost); the CNN and the recurrent models as the
seminar's Keras notebooks (minibatches of 32, the mean cost, Adam). On a named
dataset of images or sequences, and on a `--data` file of them (an .npz of
images, sequences or token ids, or a .txt; `kerasclf.data.data_file_kind`
reads the array's header), every model trains as the notebooks do: the
slides' step, made for 200 points in the plane, sends logistic regression on
the 2,790 `fonts` images up from a cost of 4,041 to 22,964 in 30 epochs, at
chance accuracy, where the notebooks' training reaches 0.90. A model's
layer options that do not apply to it (`MODEL_OPTIONS`) stay None, and giving
one is an error (`check_options_apply`), so that no flag is silently ignored.

Example:
    >>> model_defaults("cnn")["optimizer"], model_defaults("logistic")["epochs"]
    ('adam', 100)
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from kerasclf.data import DATASETS, data_file_kind
from kerasclf.models.architecture import MODEL_DEFAULTS, MODEL_OPTIONS, models_taking
from kerasclf.models.sources import is_model_file

if TYPE_CHECKING:
    from kerasclf.run.config import TrainConfig

# The Day-1 slides' training: full-batch gradient descent on the summed cross-entropy.
SLIDE_TRAINING = {"optimizer": "gd", "batch_size": "full", "epochs": 100, "cost": "sum"}
# Models trained as the seminar's Keras notebooks train them instead.
NOTEBOOK_TRAINING = {"optimizer": "adam", "batch_size": 32, "epochs": 20, "cost": "mean"}
MODEL_TRAINING = {model: NOTEBOOK_TRAINING for model in ("cnn", "rnn", "lstm", "gru")}
LAYER_KEYS = tuple(sorted({key for keys in MODEL_OPTIONS.values() for key in keys}))


def model_options(model: str) -> tuple[str, ...]:
    """The layer options that shape `model` (none for a user's model file).

    Example:
        >>> model_options("mlp")
        ('hidden', 'activation', 'dropout')
    """
    return MODEL_OPTIONS.get(model, ())


def model_defaults(model: str, dataset_kind: str = "points") -> dict[str, Any]:
    """The default of every model-dependent key that applies to `model`.

    Args:
        model: A built-in model's name or `"FILE.py:FUNCTION"`.
        dataset_kind: The kind of the named dataset (`kerasclf.data.DATASETS`)
            or data file (`kerasclf.data.data_file_kind`): every model trains
            as the notebooks do on "images", "sequences" and "text".

    Example:
        >>> model_defaults("mlp")["hidden"]
        (8, 8)
        >>> model_defaults("lstm")["units"], model_defaults("gru")["optimizer"]
        (32, 'adam')
        >>> model_defaults("logistic", "images")["optimizer"]
        'adam'
    """
    slides = dataset_kind == "points"
    return {
        **(SLIDE_TRAINING if slides else NOTEBOOK_TRAINING),
        **MODEL_TRAINING.get(model, {}),
        **MODEL_DEFAULTS.get(model, {}),
    }


def check_options_apply(config: TrainConfig) -> None:
    """Refuses a layer option given for a model it does not shape.

    Example:
        >>> from kerasclf.run.config import TrainConfig
        >>> check_options_apply(TrainConfig(model="logistic", hidden=[4]))
        Traceback (most recent call last):
        ...
        ValueError: `hidden` does not shape the 'logistic' model, so it would be ignored. Received: hidden=[4]. It applies to: mlp, cnn. Remove it, or choose one of those models.
        >>> check_options_apply(TrainConfig(model="mlp", units=8))
        Traceback (most recent call last):
        ...
        ValueError: `units` does not shape the 'mlp' model, so it would be ignored. Received: units=8. It applies to: rnn, lstm, gru. Remove it, or choose one of those models.
    """  # noqa: E501
    applies = model_options(config.model)
    for key in LAYER_KEYS:
        value = getattr(config, key)
        if value is None or key in applies:
            continue
        if is_model_file(config.model):
            raise ValueError(
                f"`{key}` shapes the built-in models, not yours (model={config.model!r}), so "
                f"it would be ignored. Received: {key}={value!r}. Remove it, and build that "
                "choice into your model's function."
            )
        raise ValueError(
            f"`{key}` does not shape the {config.model!r} model, so it would be ignored. "
            f"Received: {key}={value!r}. It applies to: {models_taking(key)}. Remove it, or "
            "choose one of those models."
        )


def fill_model_defaults(config: TrainConfig) -> TrainConfig:
    """`config` with each unset model-dependent key at the model's default.

    Example:
        >>> from kerasclf.run.config import TrainConfig
        >>> filled = fill_model_defaults(TrainConfig(model="cnn"))
        >>> filled.batch_size, filled.filters, filled.hidden
        (32, [4], [32])
        >>> fill_model_defaults(TrainConfig(model="mlp", dataset="fonts")).optimizer
        'adam'
    """
    if config.data is None:
        kind = DATASETS[config.dataset].kind if config.dataset in DATASETS else "points"
    else:
        kind = data_file_kind(config.data)
    filled = {}
    for key, default in model_defaults(config.model, kind).items():
        unpooled = key == "pool_size" and config.pooling == "none"  # No window to size.
        if getattr(config, key) is None and not unpooled:
            filled[key] = list(default) if isinstance(default, tuple) else default
    return dataclasses.replace(config, **filled)

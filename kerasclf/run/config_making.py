"""A checked `TrainConfig` from values: `make_config`, and the checks behind it.

Each value is read once by its key's parser (`kerasclf.run.config.parse_values`);
`checked_config` then fills the defaults that depend on the model, the data
and the epochs, and checks the ranges and combinations of the typed values.
A config file's values under flags (or a dict under keywords) are checked
too, where an override replaces them (`checked_config_over`). `validate` checks a
`TrainConfig` built directly in Python.

Example:
    >>> make_config(model="cnn", dataset="fonts").batch_size  # The cnn's own.
    32
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kerasclf.run.config import FIELDS, TrainConfig, parse_value, parse_values
from kerasclf.run.config_ranges import check_ranges
from kerasclf.run.data_defaults import fill_data_defaults
from kerasclf.run.frame_cadence import fill_cadence_defaults
from kerasclf.run.model_defaults import check_options_apply, fill_model_defaults
from kerasclf.validation import shown


def make_config(values: dict[str, Any] | None = None, **overrides: Any) -> TrainConfig:
    """A validated `TrainConfig` from a dict of keys and keyword overrides.

    Each value is type-checked once by its key's parser, then ranges are checked.

    Example:
        >>> make_config({"epochs": 5}, optimizer="adam").optimizer
        'adam'
    """
    if values is not None and not isinstance(values, Mapping):
        raise TypeError(
            "`values` must be a dict of config keys, e.g. {'epochs': 5}, or None. Received: "
            f"values={values!r} of type {type(values).__name__}."
        )
    return checked_config_over(
        parse_values(values or {}), parse_values(overrides), "the config given"
    )


def checked_config(parsed: dict[str, Any]) -> TrainConfig:
    """A `TrainConfig` of values that `parse_values` read, range-checked, not converted again.

    Example:
        >>> checked_config(parse_values({"batch_size": "8"}, from_text=True)).batch_size
        8
    """
    config = fill_defaults(TrainConfig(**parsed))
    check_ranges(config)
    check_options_apply(config)
    return config


def fill_defaults(config: TrainConfig) -> TrainConfig:
    """`config` with the defaults that depend on the model, the data and the epochs filled in.

    Example:
        >>> filled = fill_defaults(TrainConfig(model="cnn", epochs=1000))
        >>> filled.batch_size, filled.boundary_every
        (32, 10)
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(
            f"`config` must be a TrainConfig. Received: config={shown(config)} of type "
            f"{type(config).__name__}."
        )
    return fill_cadence_defaults(fill_data_defaults(fill_model_defaults(config)))


def checked_config_over(
    base: dict[str, Any], overrides: dict[str, Any], source: str
) -> TrainConfig:
    """`checked_config` of `base` overridden by `overrides`; a wrong value overridden is refused too.

    A file's `optimizer = "adm"` is a mistake even where `--optimizer gd`
    replaces it: each value of `base` that an override replaces is checked in
    the config it would have made, so that a wrong file is refused whole.

    Example:
        >>> checked_config_over({"optimizer": "adm"}, {"optimizer": "gd"}, "run.toml")
        Traceback (most recent call last):
        ...
        ValueError: `optimizer` must be one of 'adam', 'decay', 'gd', 'momentum', 'nesterov', 'rmsprop'. Received: optimizer='adm'. Did you mean 'adam'? (from run.toml: a value overridden is checked all the same)
    """  # noqa: E501
    merged = {**base, **overrides}
    config = checked_config(merged)
    for key in (key for key in overrides if key in base):
        try:
            checked_config({**merged, key: base[key]})
        except (ValueError, TypeError) as error:
            raise type(error)(
                f"{error} (from {source}: a value overridden is checked all the same)"
            ) from None
    return config


def validate(config: TrainConfig) -> None:
    """Checks a `TrainConfig` built in Python: each value's type, then `check_ranges`.

    Raises one clear ValueError or TypeError. Nothing is read from disk except
    the existence of `data` and the writability of `logdir`; nothing is written.

    Example:
        >>> validate(TrainConfig(epochs="5"))
        Traceback (most recent call last):
        ...
        TypeError: `epochs` must be an integer. Received: epochs='5' of type str.
    """
    for key in FIELDS:
        parse_value(key, getattr(config, key))
    check_ranges(fill_defaults(config))
    check_options_apply(config)

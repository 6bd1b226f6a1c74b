"""Checks of a typed config's values that a single key's parser cannot make.

`kerasclf.run.config_fields` gives each value its type; these checks then read
the typed `TrainConfig`: settings that other settings would silently ignore,
what streamed data allows, and class weights' signs. Each raises one line
that names the keys, the values received and the fix.

Example:
    >>> check_class_weight("balanced")
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING

from kerasclf.data import DATASETS
from kerasclf.models.sources import is_model_file

if TYPE_CHECKING:
    from kerasclf.run.config import TrainConfig


def check_streamable(config: TrainConfig) -> None:
    """Streamed data trains on one device with the fused engine, without a split."""
    what = (
        f"data={config.data!r}"
        if config.data
        else f"dataset={config.dataset!r} generated in chunks"
        + (f", num_samples={config.num_samples}" if config.num_samples is not None else "")
    )
    if config.data is not None and not config.data.lower().endswith(".csv"):
        raise ValueError(
            f"`streaming` reads CSV files only. Received: data={config.data!r}. "
            "Save the points as CSV, or drop --streaming to load the file into memory."
        )
    kind = DATASETS[config.dataset].kind if config.data is None else "points"
    if kind != "points":
        raise ValueError(
            f"`streaming` generates the 2-D point datasets only. Received: dataset="
            f"{config.dataset!r}, a set of {kind} that fits in memory. Drop --streaming."
        )
    chosen = config.fits_in_memory  # It streams only because --streaming says so.
    if config.validation_split:
        fix = (
            "Drop --streaming to hold the data in memory."
            if chosen
            else "Hold out a file of its own and evaluate the run on it after training "
            "(kerasclf evaluate --run RUN --data FILE), or train on fewer points."
        )
        raise ValueError(
            f"`validation_split` needs the data in memory; streamed data ({what}) has no split. "
            f"Received: validation_split={config.validation_split}. {fix}"
        )
    if config.engine != "fused":
        raise ValueError(
            f"Streamed data ({what}) trains on the fused engine only. "
            f"Received: engine={config.engine!r}. Drop --engine plain."
        )
    if config.strategy != "none":
        raise ValueError(
            f"Streamed data ({what}) trains on one device. Received: strategy="
            f"{config.strategy!r}. Drop --strategy"
            + (", or drop --streaming to hold the data in memory." if chosen else ".")
        )


def check_class_weight(class_weight: str | list[float] | None) -> None:
    """Class weights must be positive, finite numbers (their count is checked with the data).

    Example:
        >>> check_class_weight([1, 0])
        Traceback (most recent call last):
        ...
        ValueError: `class_weight` must hold positive, finite numbers. Received 0 for class 1. Give every class a weight above 0, or use 'balanced'.
    """  # noqa: E501
    if class_weight is None or class_weight == "balanced":
        return
    for label, weight in enumerate(class_weight):
        if not (math.isfinite(weight) and weight > 0):
            raise ValueError(
                f"`class_weight` must hold positive, finite numbers. Received {weight:g} for "
                f"class {label}. Give every class a weight above 0, or use 'balanced'."
            )


def check_combinations(config: TrainConfig) -> None:
    """Refuses settings that the rest of the config would silently ignore."""
    rules = []  # (keys, why the named ones would be ignored, the fix)
    if config.data is not None:
        rules.append(
            (
                ("dataset", "num_samples", "noise"),
                lambda named: (
                    f"`data` replaces the named dataset (data={config.data!r}), so "
                    f"{named} would be ignored"
                ),
                "Remove them, or drop --data.",
            )
        )
    if config.data is not None and config.validation_split == 0:
        rules.append(
            (
                ("data_seed",),
                lambda named: (
                    "a data file is read as it is, and with validation_split=0 not split, so "
                    f"{named} would be ignored"
                ),
                "Remove it, or hold out a validation set with --validation-split.",
            )
        )
    if is_model_file(config.model):
        rules.append(
            (
                ("init", "features", "l1", "l2"),
                lambda named: (
                    f"{named} would be ignored: only the built-in models take them, "
                    f"not yours (model={config.model!r})"
                ),
                "Remove them, and build those choices into your model's function.",
            )
        )
    if config.pooling == "none":
        rules.append(
            (
                ("pool_size",),
                lambda named: f"pooling='none' pools nothing, so {named} would be ignored",
                "Remove it, or choose --pooling max or average.",
            )
        )
    defaults = {field.name: field.default for field in dataclasses.fields(config)}
    for keys, reason, fix in rules:
        ignored = [key for key in keys if _differs(getattr(config, key), defaults[key])]
        if ignored:
            received = ", ".join(f"{key}={getattr(config, key)!r}" for key in ignored)
            raise ValueError(f"{reason(', '.join(ignored))}. Received: {received}. {fix}")


def _differs(value, default) -> bool:
    """Whether a key's value differs from its default (a tuple default equals its list)."""
    if isinstance(default, tuple):
        return list(value) != list(default)
    return value != default

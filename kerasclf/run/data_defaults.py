"""Settings whose default depends on the data: its task and its sequence length.

A key left unset (None) takes the data's own when the config is made, so
that `config.json` records the value used:

    data                task            sequence_length
    series              regression      30
    long_dependency     classification  50
    grammar             classification  40 (characters per window)
    FILE.txt            classification  100 (`TEXT_SEQUENCE_LENGTH`)
    other               classification  -

Example:
    >>> from kerasclf.run.config import TrainConfig
    >>> fill_data_defaults(TrainConfig(data="book.txt")).sequence_length
    100
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from kerasclf.data import DATASETS
from kerasclf.data.loading import is_text_file

if TYPE_CHECKING:
    from kerasclf.run.config import TrainConfig

# A text file's window, in characters, unless `sequence_length` says otherwise.
TEXT_SEQUENCE_LENGTH = 100


def fill_data_defaults(config: TrainConfig) -> TrainConfig:
    """`config` with the data's own task and sequence length where they are unset.

    A named dataset brings its task (series: regression) and its sequence
    length (long_dependency 50, series 30, grammar 40); a `.txt` file is cut
    into windows of `TEXT_SEQUENCE_LENGTH` characters; anything else is a
    classification without sequence length.

    Example:
        >>> from kerasclf.run.config import TrainConfig
        >>> filled = fill_data_defaults(TrainConfig(dataset="series"))
        >>> filled.task, filled.sequence_length
        ('regression', 30)
    """
    spec = DATASETS.get(config.dataset) if config.data is None else None
    filled = {}
    if config.task is None:
        filled["task"] = spec.task if spec is not None else "classification"
    if config.sequence_length is None:
        if spec is not None:
            filled["sequence_length"] = spec.sequence_length
        elif is_text_file(config.data):
            filled["sequence_length"] = TEXT_SEQUENCE_LENGTH
    return dataclasses.replace(config, **filled)

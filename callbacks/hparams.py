"""`RunConfigLogger`: the run's settings in TensorBoard's Text and HParams tabs.

At the start of training it writes the config as a Markdown table (Text tab,
tag `config`) and as an HParams session whose metrics are the `cost` and
`accuracy` scalars of `CostLogger`, so runs compare side by side in the
HParams dashboard. It writes them once per run directory: a resumed run (or
a second `fit`) finds them there already.
"""

from __future__ import annotations

import glob
import os

import keras
import tensorflow as tf
from tensorboard.plugins.hparams import api as hparams_api

from callbacks.writers import SummaryWriters

METRICS = [
    hparams_api.Metric("cost", group="train", display_name="final cost (summed)"),
    hparams_api.Metric("mean_cost", group="train", display_name="final mean cost"),
    hparams_api.Metric("accuracy", group="train", display_name="final accuracy"),
    hparams_api.Metric("cost", group="validation", display_name="validation cost"),
    hparams_api.Metric("accuracy", group="validation", display_name="validation accuracy"),
]


def hparam_value(value):
    """A value HParams accepts: bool, int, float or str (lists and None as text)."""
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return str(value)


def markdown_table(config: dict) -> str:
    """The config as a two-column Markdown table.

    Example:
        >>> print(markdown_table({"epochs": 100}))
        | key | value |
        |---|---|
        | epochs | 100 |
    """
    rows = [f"| {key} | {hparam_value(value)} |" for key, value in config.items()]
    return "\n".join(["| key | value |", "|---|---|", *rows])


class RunConfigLogger(keras.callbacks.Callback):
    """Logs a run's config as a Markdown table and as HParams.

    Args:
        logdir: The run directory.
        config: The run's settings, a flat dict.

    Example:
        >>> callback = RunConfigLogger("logs/run", {"optimizer": "gd", "epochs": 100})
    """

    def __init__(self, logdir: str, config: dict):
        super().__init__()
        self.logdir = logdir
        self.config = dict(config)
        self._writers = SummaryWriters(logdir)

    def on_train_begin(self, logs=None):
        if glob.glob(os.path.join(self.logdir, "events.out.tfevents.*")):
            return  # Written when the run began; a resumed run keeps it.
        values = {key: hparam_value(value) for key, value in self.config.items()}
        with self._writers[""].as_default():
            hparams_api.hparams_config(
                hparams=[hparams_api.HParam(key) for key in values], metrics=METRICS
            )
            hparams_api.hparams(values, trial_id=self.logdir)
            tf.summary.text("config", markdown_table(self.config), step=0)
        self._writers.close()

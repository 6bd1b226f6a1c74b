"""The keys of a run's `config.json` beyond today's settings: recorded facts and later keys.

`config.json` holds every setting of `run.config.TrainConfig` and, beside
them, what the run found out (`RECORDED_KEYS`, written by
`run.outputs.resolved_settings`). `--resume` reads it back
(`run.preparation.prepare_resume`): it refuses any other key, and gives a
run written before a key existed (`KEYS_ADDED_LATER`) that key's default.
"""

# How config.json names a model given as a Python object, which it cannot rebuild.
PYTHON_MODEL_PREFIX = "python:"
# What a run's config.json records beside the settings (`outputs.resolved_settings`):
# `--resume` takes these as they are, and refuses any other key that is not a setting.
RECORDED_KEYS = (
    "batch_size_used",
    "class_weight_used",
    "engine_used",
    "feature_scale",
    "feature_shape",
    "num_classes",
    "num_training_samples",
    "run_dir",
)
# Keys added after runs were first written: a run's config.json without one
# (an older run, resumed) takes the key's default.
KEYS_ADDED_LATER = (
    "callbacks_off",
    "checkpoint_every",
    "class_weight",
    "filters",
    "kernel_size",
    "pool_size",
    "pooling",
    "task",
    "sequence_length",
    "stride",
    "units",
    "layers",
    "embedding_dim",
    "prompt",
)

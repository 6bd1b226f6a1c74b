"""Other libraries' words for the run configuration's keys, for "Did you mean".

A student who types `--lr 0.1` means `--learning-rate`, though by spelling
`--l2` is closer; `kerasclf.validation.closest_name` looks here first. The
words are those of Keras, scikit-learn and PyTorch scripts.

Example:
    >>> KEY_SYNONYMS["lr"]
    'learning_rate'
"""

KEY_SYNONYMS = {
    "lr": "learning_rate",
    "eta": "learning_rate",
    "alpha": "learning_rate",
    "step_size": "learning_rate",
    "bs": "batch_size",
    "batch": "batch_size",
    "minibatch_size": "batch_size",
    "n_epochs": "epochs",
    "num_epochs": "epochs",
    "max_epochs": "epochs",
    "max_iter": "epochs",
    "nb_epoch": "epochs",
    "optimiser": "optimizer",
    "opt": "optimizer",
    "solver": "optimizer",
    "loss": "cost",
    "random_state": "seed",
    "random_seed": "seed",
    "weight_decay": "l2",
    "log_dir": "logdir",
    "output_dir": "logdir",
    "name": "run_name",
    "hidden_layer_sizes": "hidden",
    "hidden_units": "hidden",
    "kernel_initializer": "init",
}

"""`EpochPrinter`: one clean line per epoch, as the slide prints it.

    Epoch   0/100  cost 138.6294  accuracy 0.5000  W [0.0000, 0.0000]  b 0.0000
    Epoch  10/100  cost 56.5968  accuracy 0.8750  W [0.3897, 0.3390]  b 0.0113

Epoch 0 is the initial weights, as step 0 in TensorBoard: its line is printed
when a `CostLogger` before it has put the initial cost into the logs of
`on_train_begin` (a resumed run starts later and has none).

Keras's progress bar writes `\\b`, `\\r` and ANSI codes even into files; this
line is plain text, one `print` per epoch, flushed.
"""

from __future__ import annotations

import sys

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

from kerasclf.models.inspection import linear_parameters
from kerasclf.validation import check_text_stream, suggests_keywords


# The names an accuracy has in the logs: CostLogger's, then those of Keras's metrics
# as a model compiled with them logs them.
ACCURACY_NAMES = (
    "accuracy",
    "binary_accuracy",
    "sparse_categorical_accuracy",
    "categorical_accuracy",
)


def shown_cost(cost: float) -> str:
    """A cost with 4 decimals, so the columns of successive lines line up; huge ones in e-notation.

    Example:
        >>> shown_cost(56.643), shown_cost(138.62943611), shown_cost(3.2e12)
        ('56.6430', '138.6294', '3.2000e+12')
    """
    return f"{cost:.4f}" if not abs(cost) >= 1e6 else f"{cost:.4e}"


class EpochPrinter(keras.callbacks.Callback):
    """Prints the epoch, the cost, the accuracy, W and b after every epoch.

    It prints `cost` and `accuracy` from the logs when a `CostLogger` ran
    before it (the cost at the epoch's final weights), else Keras's `loss`.
    Before the first epoch it prints epoch 0, the initial weights, when the
    training-begin logs hold their `cost` (`CostLogger` puts it there).
    Models other than one Dense unit print the norm of all weights instead of
    W and b.

    Args:
        stream: A text stream; default `sys.stdout`.

    Example:
        >>> model.fit(x, y, epochs=3, verbose=0, callbacks=[EpochPrinter()])  # doctest: +SKIP
        Epoch 0/3  cost 138.6294  accuracy 0.5000  W [0.0000, 0.0000]  b 0.0000
        Epoch 1/3  cost 56.7117  accuracy 0.8750  W [0.3878, 0.3658]  b 0.0000
    """

    @suggests_keywords
    def __init__(self, stream=None):
        super().__init__()
        self.stream = check_text_stream("stream", stream)

    def on_train_begin(self, logs=None):
        logs = logs or {}
        if "cost" in logs:
            self._print(0, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._print(epoch + 1, logs or {})

    def _print(self, epoch: int, logs: dict) -> None:
        """Prints the line of `epoch` (0 for the initial weights)."""
        cost = logs.get("cost", logs.get("loss", float("nan")))
        width = len(str(self.params.get("epochs", epoch)))
        line = f"Epoch {epoch:>{width}}/{self.params.get('epochs', '?')}"
        for prefix in ("", "val_", "test_"):  # The held-out sets' cost and accuracy.
            if prefix and prefix + "cost" not in logs:
                continue
            line += f"  {prefix}cost {shown_cost(logs[prefix + 'cost'] if prefix else cost)}"
            line += self._second_value(prefix, logs)
        parameters = linear_parameters(self.model)
        if parameters is not None:
            weights, bias = parameters
            line += f"  W [{', '.join(f'{w:.4f}' for w in weights)}]  b {bias:.4f}"
        else:
            norm = np.sqrt(sum(float(np.sum(np.square(w))) for w in self.model.get_weights()))
            line += f"  |W| {norm:.4f}"
        print(line, file=self.stream or sys.stdout, flush=True)

    @staticmethod
    def _second_value(prefix: str, logs: dict) -> str:
        """A classifier's accuracy; a regression's mean cost (its mean squared error)."""
        names = ACCURACY_NAMES if not prefix else ("accuracy",)
        accuracy = next((logs[prefix + name] for name in names if prefix + name in logs), None)
        if accuracy is not None:
            return f"  {prefix}accuracy {accuracy:.4f}"
        if prefix + "mean_cost" in logs:
            return f"  {prefix}mean_cost {shown_cost(logs[prefix + 'mean_cost'])}"
        return f"  {prefix}accuracy nan" if not prefix else ""

"""`DecisionBoundaryLogger`: the model's decision boundary as an image, every few epochs.

The image (tag `decision_boundary` under `<logdir>/train`) shows, over the
plane of the two input features:

- p(class 1) of the model at every pixel, on a colour scale fixed at 0 to 1,
  with a colourbar. With k > 2 classes each pixel takes the colour of its
  predicted class, paler where the model is less sure.
- The training points, filled and coloured by class, and the validation
  points as hollow squares.
- The decision boundary p = 0.5 (between predicted classes for k > 2), black.
- An optional reference line a x1 + b x2 + c = 0, dashed (the slide's line).
- For a linear model, the weight vector w = [w1, w2] as a green arrow. It
  starts at the point of the boundary closest to the origin, -b w / |w|^2,
  so it stands on the boundary and points towards class 1. It is drawn on top
  of the points at its true length in data units, but never shorter than 28
  pixels, so that its direction stays visible while |w| is small, and never
  past the axes, so that its head stays in the picture.

Above the axes, a title gives the epoch and the cost J of the points at that
step (in the model's reduction, "sum" or "mean"), and a legend lists only the
marks that the frame draws: at step 0, with zero weights, there is neither a
boundary nor an arrow, so neither is listed. The point colours are explained
by the colourbar. The image is 330 pixels wide with text of 14-17 pixels, so
that it stays readable at TensorBoard's default size (about 250 pixels wide).

Axes, limits (the data's, padded, one data unit as long on both axes) and
colours are the same at every step, so TensorBoard's step slider animates the
boundary. Images are logged at step 0 (the initial weights), every `every`
epochs, and at the final epoch; the final image is also saved as
`<logdir>/decision_boundary.png`.

The fixed parts are drawn once with matplotlib (`callbacks.raster`); each
image is then p at every pixel of the axes box, a colour lookup and a few
numpy operations. For logistic regression p comes from numpy directly (the
logits over the pixel grid are an outer sum); any other model gets one
XLA-compiled forward pass over the pixel grid. An image costs about 3 ms, and
its PNG encoding (about 2.5 ms) runs on a background thread (`ImageLog`), so an
image every epoch is affordable.

This module is the callback. The picture is `callbacks.boundary_picture`, its
parts `callbacks.probability_field`, `callbacks.field_colours`,
`callbacks.training_cost`, `callbacks.reference_line` and
`callbacks.weight_arrow`.
"""

from __future__ import annotations


import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras

# The picture's names, imported back so that `from kerasclf.callbacks.boundary import ...`
# keeps working as before the picture had its own module.
from kerasclf.callbacks.boundary_picture import (
    BOUNDARY_COLOUR,
    LAYOUT,
    MAX_POINTS_DRAWN,
    BoundaryPicture,
    boundary_layout,
)
from kerasclf.callbacks.epoch_schedule import ScheduledLogger
from kerasclf.callbacks.image_log import ImageLog
from kerasclf.callbacks.reference_line import check_reference_line, line_equation
from kerasclf.callbacks.weight_arrow import ARROW_COLOUR, MIN_ARROW_PIXELS
from kerasclf.data import Data
from kerasclf.models.inspection import check_probability_output
from kerasclf.callbacks.requirements import (
    first_reason,
    noted_skip_reason,
    probability_output,
    two_feature_points,
)
from kerasclf.validation import check_directory_path, check_text_stream, suggests_keywords

__all__ = [
    "ARROW_COLOUR",
    "BOUNDARY_COLOUR",
    "DESCRIPTION",
    "FILE_NAME",
    "LAYOUT",
    "MAX_POINTS_DRAWN",
    "MIN_ARROW_PIXELS",
    "TAG",
    "BoundaryPicture",
    "DecisionBoundaryLogger",
    "boundary_layout",
    "check_reference_line",
    "line_equation",
]

TAG = "decision_boundary"
FILE_NAME = "decision_boundary.png"
DESCRIPTION = (
    "p(class 1) of the model over the input plane (colours fixed at 0-1; one colour per "
    "predicted class for k > 2, paler where less sure), the decision boundary (black), "
    "training points (filled, coloured by class as in the colourbar), "
    "validation points (hollow squares), the reference line (dashed) and, for a linear "
    "model, the weight vector w (green arrow, from the boundary point closest to the origin)."
)


class DecisionBoundaryLogger(ScheduledLogger):
    """Logs an image of the decision boundary every `every` epochs.

    Works for any model with exactly two inputs and a sigmoid (1 unit) or
    softmax (k units) output. With any other number of inputs it prints one
    note and logs nothing. A step whose weights are not finite (training
    diverged) is skipped.

    Args:
        logdir: The run directory; images go to `<logdir>/train`.
        x: Training features, shape (num_samples, num_features).
        y: Training labels 0..k-1.
        validation_data: Optional `(x, y)` of the validation set.
        every: Log an image every this many epochs (an integer >= 1).
        reference_line: Optional `(a, b, c)`, the line a*x1 + b*x2 + c = 0 to
            draw for comparison, e.g. the slide's `(1.23, 1.0, -0.55)`.
        stream: Where the one-line skip note goes; default `sys.stdout`.

    Example:
        >>> callback = DecisionBoundaryLogger("logs/run", x, y, every=1)  # doctest: +SKIP
        >>> model.fit(x, y, epochs=100, verbose=0, callbacks=[callback])  # doctest: +SKIP
    """

    @classmethod
    def skip_reason(cls, model: keras.Model) -> str | None:
        """Why it cannot draw for `model` (`callbacks.requirements`), or None: 2-D points."""
        return first_reason(model, two_feature_points, probability_output)

    @suggests_keywords
    def __init__(
        self,
        logdir: str,
        x,
        y,
        validation_data=None,
        every: int = 5,
        reference_line=None,
        stream=None,
    ):
        super().__init__(every)
        self.logdir = check_directory_path("logdir", logdir)
        self.training = Data(x, y, source="DecisionBoundaryLogger training data")
        self.validation = None
        if validation_data is not None:
            self.validation = Data(
                *validation_data,
                source="DecisionBoundaryLogger validation data",
                num_classes=self.training.num_classes,
            )
        self.reference_line = check_reference_line(reference_line)
        self.stream = check_text_stream("stream", stream)
        self._images = ImageLog(logdir, TAG, FILE_NAME, DESCRIPTION)
        self._picture = None
        self._skip_reason = None

    def on_train_begin(self, logs=None):
        logs = logs or {}
        if self._picture is None and self._skip_reason is None:
            check_probability_output(self.model)  # Painted on a 0-1 colour scale.
            self._skip_reason = noted_skip_reason(self, self.model, self.stream)
            if self._skip_reason is not None:
                return
            self._picture = BoundaryPicture(
                self.model, self.training, self.validation, self.reference_line
            )
        if self._skip_reason is None and int(self.model.optimizer.iterations.numpy()) == 0:
            self._log(step=0)

    def is_drawing(self) -> bool:
        return self._skip_reason is None

    def on_train_end(self, logs=None):
        self.log_final_step()
        self._images.close()

    def _log(self, step: int) -> None:
        # The model's probabilities now; the painting on the image thread,
        # while the next epoch trains.
        drawing = self._picture.drawing(step)
        if drawing is not None:
            self._images.add(drawing, step)
            self._schedule.logged(step)

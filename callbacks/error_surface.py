"""`ErrorSurfaceLogger`: the cost over a plane of weights, with the optimizer's path.

For the seminar's model, p = sigmoid(w1 x1 + w2 x2 + b), the image (tag
`error_surface` under `<logdir>/train`) shows the cost

    J(w1, w2) = -sum_i [l_i log p_i + (1 - l_i) log(1 - p_i)]     (cost="sum")
    J(w1, w2) / num_samples                                         (cost="mean")

over a grid of (w1, w2), with the bias b held at its value at that step, as
filled contours: colour bands with a line between neighbouring bands. On it
are the path of (w1, w2) so far (red), the current point (a red ring) and the
minimum of J on this slice (a cross, drawn over the ring), found by Newton's
method in float64; when the slice has no finite minimum (separable data) the grid's
lowest point is marked instead, unless it lies on the grid's edge (the cost
falls on beyond the view).

The images are drawn when training ends, when the whole path is known, one
frame for every step an image is due, each showing the path up to that step.
The frames share their axes and colour bands, so they animate with
TensorBoard's step slider. Each frame's title gives its epoch, the cost at
its weights and, on the (w1, w2) plane, the bias b of the plane shown; its
legend lists only the marks it draws. A few Newton steps in float64 find the
optimum (w1*, w2*, b*) of J over all three parameters (stopping early, at a
mean cost of 0.02, on separable data where it lies at infinity); the grid is
centred on (w1*, w2*) and reaches 1.5 times as far as the initial point, or
1.1 times as far as the path's farthest point (momentum overshoots). A path
whose box, padded by a fifth of its side, is less than half that wide (one
that walks straight to the optimum, or only part of the way) gets axes zoomed
to that box instead, so that its steps show. The colour bands are spaced
geometrically from the lowest cost in view (J(w1*, w2*, b*) when (w1*, w2*)
is in view) up to the largest cost on the grid at the initial bias, so that
they crowd around the minimum.

Any other model (more parameters, or not a single Dense unit) gets the
loss-landscape view of Li et al. (2018), "Visualizing the Loss Landscape of
Neural Nets": a 2-D slice J(theta + u d1 + v d2) through the final weights
theta along the two principal directions d1, d2 of the whole weight
trajectory, with the path projected onto them. (Where the path has fewer than
two directions of movement, seeded random unit directions fill in.) Its
frames are drawn the same way, on that one slice.

The path is recorded at the start and after every epoch (`path`, one row of
flattened trainable weights per step in `path_steps`). Images are logged at
step 0, every `every` epochs and at the final epoch; the final image is also
saved as `<logdir>/error_surface.png`. A run that stops early (interrupted)
leaves its path in `<logdir>/error_surface_path.npz`; a resumed run (one that
starts with optimizer iterations > 0) reads it back, so its grid, colour
bands and path are those of the uninterrupted run. A killed run drew none of
its frames; its path file (restored from its checkpoint) lists them as
`frame_steps`, and the resumed run draws them with its own.

Each image needs the cost at every point of a 48 x 48 grid, then interpolates
between them to the pixels. For logistic regression that is the closed form
above, one matrix product (about 5 ms); for other models one vectorized pass
of the model over all grid points (`ParameterCost`). A large model (a CNN)
would pay that many times over its training, so its slice is evaluated on a
fixed, seeded sample of the training points, and on a coarser grid where
that is not enough, to do at most about a sixth of its training's work
(`callbacks.landscape_surface.landscape_resolution`); the image's description
then says so, e.g. "J on ... 39 of the 2,000 training samples ... on a
16 x 16 grid". The frames are drawn on the image log's background thread
(`ImageLog`), where a landscape's cost is also compiled while training runs.

This module is the callback; the surfaces (the cost over weights, Newton's
minimum, the trajectory's directions) are in `callbacks.surfaces`, and their
picture in `callbacks.surface_plot`.
"""

from __future__ import annotations

import functools
import os

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np

from kerasclf.callbacks.image_log import ImageLog
from kerasclf.callbacks.landscape_surface import LandscapeSurface, TrajectorySlice
from kerasclf.callbacks.parameter_cost import surface_sample
from kerasclf.callbacks.surfaces import make_surface
from kerasclf.data import Data
from kerasclf.engine.losses import REDUCTIONS, model_reduction
from kerasclf.atomic_files import write_npz
from kerasclf.npz_files import UNREADABLE_NPZ_ERRORS
from kerasclf.validation import (
    check_choice,
    check_directory_path,
    check_integer,
    check_text_stream,
    suggests_keywords,
)
from kerasclf.models.inspection import (
    check_probability_output,
    check_sample_shape,
    trainable_parameter_count,
)
from kerasclf.callbacks.requirements import (
    first_reason,
    one_input,
    noted_skip_reason,
    probability_output,
    two_parameters,
)

TAG = "error_surface"
FILE_NAME = "error_surface.png"
# The path so far, left in the run directory by a run that stopped early, so
# that a resumed run draws the same surface with the whole path.
PATH_FILE = "error_surface_path.npz"
DESCRIPTION = (
    "The cost J over a plane of weights: (w1, w2) with the bias at this step's value for "
    "logistic regression, else a slice through the final weights along the principal "
    "directions of the whole path (Li et al. 2018), drawn when training ends. Red: the path "
    "so far; red ring: now; cross: the minimum on this plane. The colour bands widen "
    "geometrically from the lowest cost, so the colourbar is not linear: its ticks are the "
    "lowest cost, the middle band's and the highest. Title: epoch, the cost at "
    "this step's weights and (w1, w2 plane) the bias b of the plane shown."
)


class ErrorSurfaceLogger(keras.callbacks.Callback):
    """Logs the cost surface around the weights, with the optimizer's path.

    Args:
        logdir: The run directory; images go to `<logdir>/train`.
        x: Training features, shape (num_samples, num_features).
        y: Training labels 0..k-1.
        cost: `"sum"` (the seminar's) or `"mean"`, the reduction of the
            cross-entropy over the training set; None for the one the model
            is compiled with (`kerasclf.engine.losses.model_reduction`).
        every: Log an image every this many epochs (an integer >= 1).
        stream: Where the one-line skip note goes; default `sys.stdout`.
        num_samples: The size of the whole training set when `x, y` are a
            sample of it (streamed data), so the summed cost is scaled to it.
        num_classes: The number of classes, when the labels may lack one (a
            text's next characters); None to count them.

    Attributes:
        path: The weights at each recorded step, `(num_steps, num_parameters)`.
        path_steps: The step (epochs completed) of each row of `path`.

    Example:
        >>> callback = ErrorSurfaceLogger("logs/run", x, y, every=10)  # doctest: +SKIP
        >>> model.fit(x, y, epochs=100, verbose=0, callbacks=[callback])  # doctest: +SKIP
        >>> callback.path.shape  # doctest: +SKIP
        (101, 3)
    """

    @classmethod
    def skip_reason(cls, model: keras.Model) -> str | None:
        """Why it cannot draw for `model` (`callbacks.requirements`), or None."""
        return first_reason(model, one_input, two_parameters, probability_output)

    @suggests_keywords
    def __init__(
        self,
        logdir: str,
        x,
        y,
        cost: str | None = None,
        every: int = 10,
        stream=None,
        num_samples: int | None = None,
        num_classes: int | None = None,
    ):
        super().__init__()
        self.logdir = check_directory_path("logdir", logdir)
        training = Data(x, y, source="ErrorSurfaceLogger training data", num_classes=num_classes)
        self.represented_samples = training.num_samples
        if num_samples is not None:
            self.represented_samples = check_integer("num_samples", num_samples)
        self.training = surface_sample(training)
        self.cost = None if cost is None else check_choice("cost", cost, REDUCTIONS)
        self.every = check_integer("every", every)
        self.stream = check_text_stream("stream", stream)
        self.path_steps: list[int] = []
        self._path: list[np.ndarray] = []
        self._images = ImageLog(logdir, TAG, FILE_NAME, DESCRIPTION)
        self._surface = None
        self._skip_reason = None
        self._last_logged_step = None
        self._frame_steps: list[int] = []  # Steps a LandscapeSurface draws at the end.

    @property
    def path(self) -> np.ndarray:
        """The weights at each recorded step, `(num_steps, num_parameters)`."""
        if not self._path:
            return np.zeros((0, 0), np.float32)
        return np.stack(self._path)

    @property
    def frame_steps(self) -> list[int]:
        """The steps whose frames are due but not drawn yet (they are drawn when training ends)."""
        return list(self._frame_steps)

    def _record(self, step: int) -> None:
        weights = [keras.ops.convert_to_numpy(w) for w in self.model.trainable_weights]
        self._path.append(np.concatenate([np.ravel(w) for w in weights]))
        self.path_steps.append(step)

    def on_train_begin(self, logs=None):
        logs = logs or {}
        if self._surface is None and self._skip_reason is None:
            check_probability_output(self.model)  # Cross-entropy of probabilities.
            self._skip_reason = noted_skip_reason(self, self.model, self.stream)
            if self._skip_reason is not None:
                return
            if isinstance(self.training, Data):
                check_sample_shape(
                    self.model, self.training.features.shape[1:], self.training.source
                )
            if not self._path and int(self.model.optimizer.iterations.numpy()) > 0:
                self._load_path()  # A resumed run: the path so far.
            start = self._path[0] if self._path else None
            reduction = self.cost or model_reduction(self.model)
            self._surface = make_surface(
                self.model, self.training, reduction, self.represented_samples, start
            )
            epochs = (self.params or {}).get("epochs")
            if isinstance(self._surface, LandscapeSurface) and epochs:
                # Its cost compiles on the image thread while training runs (no image).
                self._images.add(self._surface.prepare(epochs), step=0)
        if self._skip_reason is None and int(self.model.optimizer.iterations.numpy()) == 0:
            self._path, self.path_steps = [], []  # A fresh start: a new path.
            self._frame_steps = []
            self._record(step=0)
            self._log(step=0)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._skip_reason is not None:
            return
        self._record(step=epoch + 1)
        if (epoch + 1) % self.every == 0:
            self._log(step=epoch + 1)

    def on_train_end(self, logs=None):
        logs = logs or {}
        # The final epoch always gets an image, whether or not `every` divides it.
        # (A skipped model records no path.)
        if self.path_steps and self.path_steps[-1] != self._last_logged_step:
            self._log(step=self.path_steps[-1])
        try:
            self._draw_trajectory_frames()
        finally:
            self._images.close()
        self._save_path()

    def _draw_trajectory_frames(self) -> None:
        """The frames of the due steps, now that the path is complete (on the image thread)."""
        # Taken first: if `on_train_end` runs again (a stop while closing), nothing is drawn twice.
        steps, self._frame_steps = self._frame_steps, []
        if not steps:
            return
        path = self.path
        self._path = list(path)  # Rows of the array the slice holds: the path is kept once.
        trajectory = self._surface.trajectory_slice(path)
        if isinstance(trajectory, TrajectorySlice) and trajectory.note:
            # A large model's landscape says what it was evaluated on.
            self._images.description = f"{DESCRIPTION} {trajectory.note}"
        for step in steps:
            index = self.path_steps.index(step)
            self._images.add(functools.partial(trajectory.draw, index, step), step)

    def _save_path(self) -> None:
        """Leaves the path in the run directory if training stopped early, else removes it."""
        path_file = os.path.join(self.logdir, PATH_FILE)
        stopped_early = self.path_steps and self.path_steps[-1] < self.params.get("epochs", 0)
        # (A diverged run stops early too; kerasclf.train removes its path, as it cannot resume.)
        if stopped_early:
            write_npz(path_file, path=self.path, steps=np.array(self.path_steps))
        elif os.path.exists(path_file):
            os.remove(path_file)

    def _load_path(self) -> None:
        """The path of the run this one resumes, if it left one."""
        path_file = os.path.join(self.logdir, PATH_FILE)
        if not os.path.isfile(path_file):
            return
        try:
            with np.load(path_file, allow_pickle=False) as saved:
                path, steps = saved["path"], saved["steps"]
                saved_frames = {key: saved[key] for key in saved.files if key == "frame_steps"}
        except (KeyError, *UNREADABLE_NPZ_ERRORS):
            return  # A damaged path: the resumed run draws its path from here on.
        num_parameters = trainable_parameter_count(self.model)
        if path.ndim == 2 and path.shape[1] == num_parameters and len(steps) == len(path):
            self._path = list(path)
            self.path_steps = [int(step) for step in steps]
            if "frame_steps" in saved_frames:  # A killed run's frames, never drawn.
                self._frame_steps = [int(step) for step in saved_frames["frame_steps"]]
                self._last_logged_step = self._frame_steps[-1] if self._frame_steps else None

    def _log(self, step: int) -> None:
        """Marks `step` for a frame; the frames are drawn when training ends."""
        self._frame_steps.append(step)
        self._last_logged_step = step

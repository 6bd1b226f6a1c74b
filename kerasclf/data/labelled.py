"""`Data`: labelled samples of any shape, checked when made.

Every set is a `Data`: features of shape (num_samples, *feature_shape) and
integer labels 0..k-1 of shape (num_samples,). The features are a table
(num_samples, num_features), images (num_samples, height, width[, channels]),
sequences (num_samples, steps, features) or integer token ids (num_samples,
steps). `Data` checks its arrays when it is made (`kerasclf.data.checks`), so
bad data fails at load time with one clear line, before anything trains.
Where they come from: `kerasclf.data.named` (the seminar's named sets),
`kerasclf.data.loading` (the user's files); `kerasclf.data.splits` holds out
part of them.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from kerasclf.data.checks import check_labelled_arrays
from kerasclf.validation import check_number, shown


@dataclasses.dataclass(frozen=True)
class Data:
    """Labelled samples of any shape, checked on creation.

    Args:
        features: Numbers, shape (num_samples, *feature_shape) with at least
            one feature dimension. Stored as float32, every value finite;
            uint8 images (two or more axes per sample) scaled by 1/255 to
            [0, 1]; integer token ids exactly.
        labels: Integers 0..k-1 with k >= 2 classes all present, shape
            (num_samples,).
        source: Where the data came from, for error messages.
        num_classes: The number of classes k, when known (a validation split
            may lack a class); None to infer it and require every class.
        feature_scale: The factor the given features were already multiplied
            by (1 by default), for the record; uint8 features are multiplied
            by 1/255 on top, and record it.
        class_names: One name per class (strings, `num_classes` of them), or
            None; `label_names` gives "0", "1", ... then.

    Example:
        >>> data = Data(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([0, 1]))
        >>> data.num_samples, data.num_features, data.num_classes
        (2, 2, 2)
        >>> images = Data(np.full((2, 3, 3), 255, np.uint8), np.array([0, 1]))
        >>> images.feature_shape, float(images.features.max()), images.feature_scale == 1 / 255
        ((3, 3), 1.0, True)
        >>> data.label_names, Data(data.features, data.labels, class_names=("a", "b")).label_names
        (('0', '1'), ('a', 'b'))
    """

    features: np.ndarray
    labels: np.ndarray
    source: str = "data"
    num_classes: int | None = None
    feature_scale: float = 1.0
    class_names: tuple[str, ...] | None = None

    def __post_init__(self):
        scale = check_number("feature_scale", self.feature_scale, 0.0, math.inf)
        features, labels, uint8_scale = check_labelled_arrays(
            self.features, self.labels, self.source, self.num_classes
        )
        object.__setattr__(self, "features", features)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "feature_scale", scale * uint8_scale)
        if self.num_classes is None:
            object.__setattr__(self, "num_classes", int(labels.max()) + 1)
        if self.class_names is not None:
            object.__setattr__(
                self, "class_names", check_class_names(self.class_names, self.num_classes)
            )

    @property
    def num_samples(self) -> int:
        return int(self.features.shape[0])

    @property
    def feature_shape(self) -> tuple[int, ...]:
        """The shape of one sample: (num_features,) for a table, (28, 28) for MNIST."""
        return tuple(int(size) for size in self.features.shape[1:])

    @property
    def num_features(self) -> int:
        """Numbers per sample: the columns of a table, the product of `feature_shape`."""
        return math.prod(self.feature_shape)

    @property
    def label_names(self) -> tuple[str, ...]:
        """The class names, or "0", "1", ..., "k-1" when the data has none."""
        if self.class_names is not None:
            return self.class_names
        return tuple(str(label) for label in range(self.num_classes))

    def subset(self, rows: np.ndarray, source: str) -> Data:
        """The samples `rows`, with this data's classes, scale and class names."""
        return Data(
            self.features[rows],
            self.labels[rows],
            source,
            self.num_classes,
            self.feature_scale,
            self.class_names,
        )


def check_class_names(class_names, num_classes: int) -> tuple[str, ...]:
    """Checks that `class_names` holds `num_classes` strings; returns them as a tuple.

    Raises:
        TypeError: for names that are not a sequence of strings.
        ValueError: for a number of names other than `num_classes`.

    Example:
        >>> check_class_names(["cat", "dog"], 2)
        ('cat', 'dog')
    """
    if isinstance(class_names, str) or not isinstance(class_names, (tuple, list)):
        raise TypeError(
            f"`class_names` must be a tuple of {num_classes} strings, one per class. "
            f"Received: class_names={shown(class_names)}."
        )
    wrong = next((name for name in class_names if not isinstance(name, str)), None)
    if wrong is not None:
        raise TypeError(
            f"`class_names` must be strings, one per class. Received {shown(wrong)} of type "
            f"{type(wrong).__name__} in class_names={shown(class_names)}."
        )
    if len(class_names) != num_classes:
        raise ValueError(
            f"`class_names` must name each of the {num_classes} classes once. Received "
            f"{len(class_names)} name(s): class_names={shown(class_names)}."
        )
    return tuple(class_names)

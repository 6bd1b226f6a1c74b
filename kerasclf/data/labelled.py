"""`Data`: labelled samples of any shape, checked when made.

Every set is a `Data`: features of shape (num_samples, *feature_shape) and
labels. The features are a table (num_samples, num_features), images
(num_samples, height, width[, channels]), sequences (num_samples, steps,
features) or integer token ids (num_samples, steps). The labels are integer
classes 0..k-1 of shape (num_samples,) for `task="classification"`, or float
targets of shape (num_samples,) or (num_samples, k) for `task="regression"`
(a forecast). `Data` checks its arrays when it is made
(`kerasclf.data.checks`), so bad data fails at load time with one clear line,
before anything trains. Where they come from: `kerasclf.data.named` (the
seminar's named sets), `kerasclf.data.loading` (the user's files),
`kerasclf.data.text_corpus` (a text as character windows);
`kerasclf.data.splits` holds out part of them.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from kerasclf.data.checks import check_labelled_arrays
from kerasclf.data.target_checks import check_regression_arrays
from kerasclf.data.vocabulary import Vocabulary, check_token_ids
from kerasclf.validation import check_choice, check_integer, check_number, shown, suggests_keywords

# What the labels are: class numbers 0..k-1, or float targets to predict.
TASKS = ("classification", "regression")
# Token ids are held as float32, exact below 2^24.
MAX_VOCABULARY_SIZE = 2**24


@dataclasses.dataclass(frozen=True)
class Data:
    """Labelled samples of any shape, checked on creation.

    Args:
        features: Numbers, shape (num_samples, *feature_shape) with at least
            one feature dimension. Stored as float32, every value finite;
            uint8 images (two or more axes per sample) scaled by 1/255 to
            [0, 1]; integer token ids exactly.
        labels: For classification, integers 0..k-1 with k >= 2 classes all
            present, shape (num_samples,). For regression, finite float
            targets, shape (num_samples,) or (num_samples, k), stored float32.
        source: Where the data came from, for error messages.
        num_classes: The number of classes k, when known (a validation split
            may lack a class); None to infer it and require every class.
            Always None for regression.
        feature_scale: The factor the given features were already multiplied
            by (1 by default), for the record; uint8 features are multiplied
            by 1/255 on top, and record it.
        class_names: One name per class (strings, `num_classes` of them), or
            None; `label_names` gives "0", "1", ... then. None for regression.
        task: "classification" (labels are classes) or "regression" (labels
            are numbers to predict).
        vocabulary: The tokens the features' ids stand for, or None. With one,
            the features are token ids (num_samples, steps) below its size.
        vocabulary_size: The number of token ids, for token ids without a
            vocabulary; None to take `vocabulary.size`, or max id + 1 for
            integer features (num_samples, steps) of ids >= 0, or None for
            features that are not token ids.

    Example:
        >>> data = Data(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([0, 1]))
        >>> data.num_samples, data.num_features, data.num_classes
        (2, 2, 2)
        >>> images = Data(np.full((2, 3, 3), 255, np.uint8), np.array([0, 1]))
        >>> images.feature_shape, float(images.features.max()), images.feature_scale == 1 / 255
        ((3, 3), 1.0, True)
        >>> data.label_names, Data(data.features, data.labels, class_names=("a", "b")).label_names
        (('0', '1'), ('a', 'b'))
        >>> series = Data(np.zeros((3, 5, 1)), np.array([0.5, 1.5, 2.5]), task="regression")
        >>> series.labels.dtype, series.num_targets, series.num_classes, series.label_names
        (dtype('float32'), 1, None, ())
        >>> Data(np.array([[3, 1], [0, 2]]), np.array([0, 1])).vocabulary_size
        4
    """

    features: np.ndarray
    labels: np.ndarray
    source: str = "data"
    num_classes: int | None = None
    feature_scale: float = 1.0
    class_names: tuple[str, ...] | None = None
    task: str = "classification"
    vocabulary: Vocabulary | None = None
    vocabulary_size: int | None = None

    def __post_init__(self):
        if not isinstance(self.source, str):
            raise TypeError(
                "`source` must be a string naming where the samples come from, e.g. "
                f"'points.csv'. Received: source={shown(self.source)} of type "
                f"{type(self.source).__name__}."
            )
        task = check_choice("task", self.task, TASKS)
        scale = check_number("feature_scale", self.feature_scale, 0.0, math.inf)
        if task == "regression":
            _check_no_classes(self.num_classes, self.class_names, self.source)
            features, labels, uint8_scale = check_regression_arrays(
                self.features, self.labels, self.source
            )
        else:
            features, labels, uint8_scale = check_labelled_arrays(
                self.features, self.labels, self.source, self.num_classes
            )
        given_dtype = np.asarray(self.features).dtype
        vocabulary_size = _resolve_vocabulary_size(
            given_dtype, features, self.vocabulary, self.vocabulary_size, self.source
        )
        object.__setattr__(self, "features", features)
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "feature_scale", scale * uint8_scale)
        object.__setattr__(self, "vocabulary_size", vocabulary_size)
        if task == "classification" and self.num_classes is None:
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
    def num_targets(self) -> int | None:
        """Numbers to predict per sample (regression): 1 for targets (N,), k for (N, k).

        None for classification.
        """
        if self.task != "regression":
            return None
        return 1 if self.labels.ndim == 1 else int(self.labels.shape[1])

    @property
    def label_names(self) -> tuple[str, ...]:
        """The class names, or "0", "1", ..., "k-1" when the data has none; () for regression."""
        if self.task == "regression":
            return ()
        if self.class_names is not None:
            return self.class_names
        return tuple(str(label) for label in range(self.num_classes))

    def subset(self, rows: np.ndarray, source: str) -> Data:
        """The samples `rows`, with this data's task, classes, scale, names and vocabulary."""
        return Data(
            self.features[rows],
            self.labels[rows],
            source,
            self.num_classes,
            self.feature_scale,
            self.class_names,
            self.task,
            self.vocabulary,
            self.vocabulary_size,
        )


# A misspelt keyword names the one meant (Python alone does not).
Data.__init__ = suggests_keywords(Data.__init__)


def _check_no_classes(num_classes, class_names, source: str) -> None:
    """Regression data has no classes: refuses `num_classes` or `class_names`."""
    for key, value in (("num_classes", num_classes), ("class_names", class_names)):
        if value is not None:
            raise ValueError(
                f"{source}: `{key}` is for classification; regression targets have no classes. "
                f"Received: {key}={shown(value)} with task='regression'. Leave it None, or use "
                "task='classification'."
            )


def _resolve_vocabulary_size(
    given_dtype: np.dtype, features: np.ndarray, vocabulary, vocabulary_size, source: str
) -> int | None:
    """The number of token ids: the vocabulary's, the one given, or max id + 1.

    Checks the features against it when the data has a vocabulary or a size;
    integer features (num_samples, steps) of ids >= 0 without either are
    token ids of max id + 1; other features are not token ids (None).
    """
    if vocabulary is not None and not isinstance(vocabulary, Vocabulary):
        raise TypeError(
            f"{source}: `vocabulary` must be a kerasclf.data.vocabulary.Vocabulary or None. "
            f"Received: vocabulary={shown(vocabulary)} of type {type(vocabulary).__name__}."
        )
    if vocabulary_size is not None:
        vocabulary_size = check_integer(
            "vocabulary_size", vocabulary_size, minimum=1, maximum=MAX_VOCABULARY_SIZE
        )
    if vocabulary is not None:
        if vocabulary_size not in (None, vocabulary.size):
            raise ValueError(
                f"{source}: `vocabulary_size` must match the vocabulary's {vocabulary.size} "
                f"tokens. Received: vocabulary_size={vocabulary_size}. Leave it None."
            )
        vocabulary_size = vocabulary.size
    if vocabulary_size is not None:
        check_token_ids(features, vocabulary_size, source)
        return vocabulary_size
    if reads_as_token_ids(given_dtype, features):
        return int(features.max()) + 1
    return None


def reads_as_token_ids(dtype: np.dtype, features: np.ndarray) -> bool:
    """Whether features given without a vocabulary are token ids: integers (N, T), ids >= 0.

    Example:
        >>> ids = np.array([[3, 1], [0, 2]])
        >>> reads_as_token_ids(ids.dtype, ids), reads_as_token_ids(ids.dtype, -ids)
        (True, False)
    """
    if np.dtype(dtype).kind not in "iu" or features.ndim != 2 or features.size == 0:
        return False
    return bool(features.min() >= 0) and int(features.max()) < MAX_VOCABULARY_SIZE


def check_data(data) -> Data:
    """Returns `data` if it is a `Data`, else raises one TypeError line that says how to make one.

    Example:
        >>> check_data([1, 2, 3])
        Traceback (most recent call last):
        ...
        TypeError: `data` must be a kerasclf Data, e.g. make_dataset('seminar_blobs') or load_data('points.csv'). Received: data=[1, 2, 3] of type list.
    """  # noqa: E501
    if not isinstance(data, Data):
        raise TypeError(
            "`data` must be a kerasclf Data, e.g. make_dataset('seminar_blobs') or "
            f"load_data('points.csv'). Received: data={shown(data)} of type {type(data).__name__}."
        )
    return data


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
    repeated = next((name for name in class_names if class_names.count(name) > 1), None)
    if len(class_names) != num_classes or repeated is not None:
        raise ValueError(
            f"`class_names` must name each of the {num_classes} classes once. Received "
            f"{len(class_names)} name(s): class_names={shown(class_names)}"
            + (f", {repeated!r} twice." if repeated is not None else ".")
        )
    return tuple(class_names)

"""The rules labelled data must follow, shared by in-memory and streamed data.

`kerasclf.data.Data` checks whole arrays with them; `kerasclf.data.streaming`
checks each chunk of a stream with the same functions, passing `where` to
name a sample by its file line. Every failure is one line saying what was
wrong, the value received and the fix.

Features: an array (num_samples, *feature_shape), at least one feature
dimension. Every number becomes float32 and must be finite; uint8 images
(two or more axes per sample) are scaled by 1/255 to [0, 1]; integer token
ids stay exact (an Embedding layer casts them back).

Labels: integers 0..k-1, shape (num_samples,) or (num_samples, 1), with
k >= 2 and every class present (or in 0..num_classes-1 when k is known).

Example:
    >>> features, labels, scale = check_labelled_arrays(
    ...     np.array([[[0, 255]], [[255, 0]]], np.uint8), np.array([0, 1])
    ... )
    >>> features.tolist(), labels.tolist(), scale == 1 / 255
    ([[[0.0, 1.0]], [[1.0, 0.0]]], [0, 1], True)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kerasclf.validation import MAX_INTEGER, check_integer

# uint8 features (image pixels) are multiplied by this on loading.
UINT8_SCALE = 1.0 / 255.0


def sample_name(index: int) -> str:
    """How a message names sample `index` of in-memory features."""
    return f"sample {index}"


def row_name(index: int) -> str:
    """How a message names label `index` of an in-memory array: its row."""
    return f"row {index}"


def data_row_name(index: int) -> str:
    """How a message names the point at `index` of a CSV file: its data row, from 1."""
    return f"data row {index + 1} (the header not counted)"


def is_number_array(array: np.ndarray) -> bool:
    """Real numbers or booleans: not text, objects, records, complex, dates or durations."""
    if array.dtype.kind in "mM" or np.iscomplexobj(array):
        return False
    return np.issubdtype(array.dtype, np.number) or array.dtype == bool


def check_feature_array(features: np.ndarray, source: str = "data") -> None:
    """Checks the dtype and shape of features: numbers, (num_samples, *feature_shape).

    Raises:
        TypeError: for features that are not numbers.
        ValueError: for fewer than 2 dimensions or an empty dimension.
    """
    if features.dtype == object:
        raise ValueError(
            f"{source}: features must be one array of numbers "
            f"(num_samples, *feature_shape), every sample the same shape. Received an array of "
            f"dtype object, shape {features.shape} (ragged sequences of different lengths, or "
            "Python objects). Pad the sequences to one length, e.g. "
            "keras.utils.pad_sequences(sequences, maxlen=100)."
        )
    if not is_number_array(features):
        raise TypeError(
            f"{source}: features must be numbers (floats, uint8 image pixels or integer "
            f"token ids), not text, objects or complex numbers (image arrays that are not "
            f"numbers included). Received an array of dtype {features.dtype}. Convert the data "
            "to floats first."
        )
    if features.ndim < 2:
        fix = (
            "1-D features are one number per sample: reshape them to (N, 1), e.g. "
            "features.reshape(-1, 1)."
            if features.ndim == 1
            else "Give one row of features per sample."
        )
        raise ValueError(
            f"{source}: features must be at least a 2-D array (num_samples, *feature_shape). "
            f"Received shape {features.shape}. {fix}"
        )
    if 0 in features.shape:
        raise ValueError(
            f"{source}: features must be a non-empty array (num_samples, *feature_shape), every "
            f"dimension at least 1. Received shape {features.shape}."
        )


def convert_features(features: np.ndarray, source: str = "data") -> tuple[np.ndarray, float]:
    """Features as the model takes them, with the scale they were multiplied by.

    Images are uint8 with two or more axes per sample ((N, H, W) or
    (N, H, W, C), as Keras's own dataset files): they become float32 in
    [0, 1] (scale 1/255). Everything else numeric becomes float32 unscaled
    (scale 1): a table's numbers, and integer token ids (an Embedding layer
    takes them as floats and casts them back, exactly below 2^24).

    Returns:
        `(features, scale)`.

    Raises:
        ValueError: for a NaN or infinity, naming the first sample at fault.

    Example:
        >>> images = np.full((2, 4, 4), 255, np.uint8)
        >>> float(convert_features(images)[0].max()), convert_features(images)[1] == 1 / 255
        (1.0, True)
        >>> convert_features(np.array([[1, 2], [3, 4]], np.uint8))[0].tolist()
        [[1.0, 2.0], [3.0, 4.0]]
    """
    if features.dtype == np.uint8 and features.ndim >= 3:
        return features.astype(np.float32) / np.float32(255), UINT8_SCALE
    with np.errstate(over="ignore", invalid="ignore"):
        features = features.astype(np.float32)
    check_finite_samples(np.isfinite(features.reshape(len(features), -1)).all(axis=1), source)
    return features, 1.0


def check_finite_samples(
    finite: np.ndarray, source: str = "data", where: Callable[[int], str] = sample_name
) -> None:
    """Raises naming the first sample whose `finite` flag is False.

    Args:
        finite: One flag per sample: all its features are finite float32 numbers.
        source: Where the samples come from.
        where: Sample index -> its name in the message.
    """
    if not finite.all():
        first = int(np.argmin(finite))
        raise ValueError(
            f"{source}: features must be finite float32 numbers. Received a NaN or infinity in "
            f"{where(first)}, the first of {int(np.sum(~finite))} such sample(s) checked (a value "
            "beyond float32's range, about 3.4e38, is infinity too). Remove or fix those samples."
        )


def check_label_values(
    labels: np.ndarray,
    source: str = "data",
    num_classes: int | None = None,
    where: Callable[[int], str] = row_name,
) -> np.ndarray:
    """Checks that labels are class numbers: whole, at least 0, below `num_classes`.

    Args:
        labels: A 1-D array of numbers.
        source: Where the labels come from.
        num_classes: The number of classes k; None for any int32 class number.
        where: Sample index -> its name in the message.

    Returns:
        The labels as int64.

    Example:
        >>> check_label_values(np.array([0.0, 2.0, 1.0])).tolist()
        [0, 2, 1]
    """
    if not is_number_array(labels):
        raise TypeError(
            f"{source}: labels must be integers 0..k-1. Received dtype {labels.dtype}. Number "
            "class names 0..k-1, e.g. np.unique(y, return_inverse=True)[1]."
        )
    if not len(labels):
        return labels.astype(np.int64)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(labels) & (labels == np.round(labels)) & (labels >= 0)
    if not whole.all():
        row = int(np.argmin(whole))
        raise ValueError(
            f"{source}: labels must be integers 0..k-1. Received {labels[row].item()!r} in "
            f"{where(row)}. For numbers to predict rather than classes, train a regression: "
            "kerasclf train --task regression (task='regression' in Python)."
        )
    if num_classes is not None:
        num_classes = check_integer("num_classes", num_classes, minimum=2)
        expected, largest = f"0..{num_classes - 1}", num_classes - 1
    else:  # Class numbers are int32.
        expected, largest = "0..k-1", MAX_INTEGER
    if labels.max() > largest:
        row = int(np.argmax(labels))
        raise ValueError(
            f"{source}: labels must be integers {expected}, so at most {largest} here. "
            f"Received {labels[row].item()!r} in {where(row)}. Renumber the classes 0, 1, ..., "
            "k-1."
        )
    return labels.astype(np.int64)


def check_classes_present(present, source: str = "data") -> int:
    """Checks that the classes seen are 0..k-1 with k >= 2, every one present.

    Args:
        present: The distinct class numbers seen.
        source: Where the labels come from.

    Returns:
        The number of classes k.

    Example:
        >>> check_classes_present({0, 1, 2})
        3
    """
    present = sorted(int(label) for label in present)
    if len(present) < 2:
        raise ValueError(
            f"{source}: labels must hold at least 2 classes, 0..k-1 with every class present. "
            f"Received only class {present}. A classifier needs examples of each class."
        )
    if present[-1] != len(present) - 1:
        raise ValueError(
            f"{source}: labels must be integers 0..k-1 with every class present. "
            f"Received classes {_first_of(present, len(present))}, missing "
            f"{_first_of(missing_classes(present), present[-1] + 1 - len(present))}. "
            "Renumber the classes 0, 1, ..., k-1."
        )
    return len(present)


def missing_classes(present, limit: int = 10) -> list[int]:
    """The first `limit` classes in 0..max(present) that `present` lacks.

    Example:
        >>> missing_classes([0, 2, 5])
        [1, 3, 4]
    """
    present = set(int(label) for label in present)
    largest = max(present)
    missing, label = [], 0
    while len(missing) < limit and label < largest:
        if label not in present:
            missing.append(label)
        label += 1
    return missing


def _first_of(values: list[int], count: int, limit: int = 10) -> str:
    """The first `limit` of `count` values, and how many there are when some are left out.

    Example:
        >>> _first_of([2, 3], 2), _first_of(list(range(10)), 998)
        ('[2, 3]', '[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, ...] (998 in all)')
    """
    if count <= limit:
        return str(values[:limit])
    return f"[{', '.join(str(value) for value in values[:limit])}, ...] ({count} in all)"


def _rows_are_one_hot(labels: np.ndarray) -> bool:
    """Whether each row holds one 1 and otherwise 0s (Keras's `to_categorical`)."""
    return bool(np.isin(labels, (0, 1)).all() and (labels.sum(axis=1) == 1).all())


def check_labelled_arrays(
    features, labels, source: str = "data", num_classes: int | None = None
) -> tuple[np.ndarray, np.ndarray, float]:
    """Checks and converts features and labels, raising one clear line.

    With `num_classes` None, the labels must be 0..k-1 with every class
    present; otherwise they must lie in 0..num_classes-1.

    Returns:
        `(features, labels, feature_scale)`: features converted by
        `convert_features`, int32 labels (num_samples,), and the factor the
        features were multiplied by (1/255 for uint8, else 1).
    """
    features, labels = as_arrays(features, labels, "labels", source)
    check_feature_array(features, source)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        one_hot = is_number_array(labels) and labels.ndim == 2 and _rows_are_one_hot(labels)
        raise ValueError(
            f"{source}: labels must be a 1-D array (num_samples,). Received shape {labels.shape}. "
            + (
                "They are one-hot: pass the class numbers, y.argmax(axis=1)."
                if one_hot
                else "For several numbers to predict per sample, train a regression: kerasclf "
                "train --task regression (task='regression' in Python)."
            )
        )
    if len(labels) != len(features):
        raise ValueError(
            f"{source}: features and labels have different numbers of samples: "
            f"[{len(features)}, {len(labels)}]. Give one label per sample."
        )
    features, scale = convert_features(features, source)
    labels = check_label_values(labels, source, num_classes)
    if num_classes is None:
        check_classes_present(np.unique(labels), source)
    return features, labels.astype(np.int32), scale


def check_arrays(
    features, labels, source: str = "data", num_classes: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """`check_labelled_arrays` without the feature scale: `(features, labels)`.

    Example:
        >>> features, labels = check_arrays([[0.5], [1.5]], [1, 0])
        >>> features.dtype, labels.tolist()
        (dtype('float32'), [1, 0])
    """
    features, labels, _ = check_labelled_arrays(features, labels, source, num_classes)
    return features, labels


def as_arrays(features, answers, name: str, source: str = "data") -> tuple[np.ndarray, np.ndarray]:
    """`features` and their labels or targets (`name`) as numpy arrays, or one line why not.

    Example:
        >>> as_arrays([[1, 2], [3]], [0, 1], "labels")
        Traceback (most recent call last):
        ...
        ValueError: data: ragged sequences: features must be one array of numbers (num_samples, *feature_shape), every sample the same shape. Received sequences of different lengths. Pad them to one length, e.g. keras.utils.pad_sequences(sequences, maxlen=100).
    """  # noqa: E501
    try:
        return np.asarray(features), np.asarray(answers)
    except (ValueError, TypeError) as error:
        raise_ragged(error, source)
        raise ValueError(
            f"{source}: features and {name} must be numeric arrays ({error}). Give arrays of "
            "numbers, each sample of the same shape."
        ) from None


def raise_ragged(error: Exception, source: str = "data") -> None:
    """Raises one line for numpy's error on sequences of different lengths; else returns.

    numpy refuses to make one array of lists of different lengths ("inhomogeneous shape").
    """
    if "inhomogeneous" in str(error):
        raise ValueError(
            f"{source}: ragged sequences: features must be one array of numbers "
            "(num_samples, *feature_shape), every sample the same shape. Received sequences of "
            "different lengths. Pad them to one length, e.g. "
            "keras.utils.pad_sequences(sequences, maxlen=100)."
        ) from None

"""The seminar's named datasets as `Data`: generated whole, with a held-out test part.

Named sets (`kerasclf datasets` lists them, `kerasclf.data.datasets` draws them):
seeded 2-D points, e.g. `make_dataset("seminar_blobs")`, the seminar's font
images, `make_dataset_splits("fonts")` with their held-out test part, and Day 3's
sequences: `long_dependency` (classes), `series` (a regression whose test part
is its last stretch in time) and `grammar` (a text, cut into character windows
by `kerasclf.data.text_corpus`).
"""

from __future__ import annotations

import numpy as np

from kerasclf.data.datasets import check_dataset_arguments
from kerasclf.data.labelled import Data
from kerasclf.data.splits import split_stratified, split_tail
from kerasclf.data.text_corpus import character_windows
from kerasclf.validation import suggests_keywords


@suggests_keywords
def make_dataset(
    name: str,
    num_samples: int | None = None,
    noise: float | None = None,
    seed: int = 0,
    sequence_length: int | None = None,
) -> Data:
    """Generates a named synthetic dataset (`kerasclf.data.datasets`).

    Args:
        name: One of `DATASETS`.
        num_samples: Number of points (a text set: its characters); None for
            the dataset's default.
        noise: The dataset's noise parameter; None for its default.
        seed: Seed of the random generator.
        sequence_length: Steps T of a sequence set, characters per window of
            a text set; None for its default. Only for those sets.

    Returns:
        A `Data`: with the dataset's task, and for a text set its vocabulary.

    Example:
        >>> data = make_dataset("seminar_blobs", seed=0)
        >>> data.features.shape, int(data.labels.sum())
        ((200, 2), 100)
        >>> series = make_dataset("series", num_samples=50, sequence_length=8)
        >>> series.feature_shape, series.task
        ((8, 1), 'regression')
    """
    spec, num_samples, noise, seed = check_dataset_arguments(
        name, num_samples, noise, seed, sequence_length
    )
    rng = np.random.default_rng(seed)
    source = f"dataset {name!r}"
    if spec.kind == "text":
        text = spec.draw(num_samples, noise, rng)
        return character_windows(text, spec.sequence_length, source=source)
    features, labels = spec.draw(num_samples, noise, rng)
    num_classes = None if spec.class_names is None else len(spec.class_names)
    return Data(features, labels, source, num_classes, class_names=spec.class_names, task=spec.task)


@suggests_keywords
def make_dataset_splits(
    name: str,
    num_samples: int | None = None,
    noise: float | None = None,
    seed: int = 0,
    sequence_length: int | None = None,
) -> tuple[Data, Data | None]:
    """A named dataset as `(training, test)`: its held-out test part taken out.

    The test part is the dataset's `test_fraction` (fonts: 10%): drawn by
    `split_stratified` from the same seed, or for a set whose `test_split` is
    "tail" (a time series, a text) its last stretch by `split_tail`; None for
    a dataset without one (the training part is then `make_dataset`'s whole
    set).

    Args:
        name: One of `DATASETS`.
        num_samples: Number of samples in both parts; None for the default.
        noise: The dataset's noise parameter; None for its default.
        seed: Seed of the samples and of the split.
        sequence_length: As for `make_dataset`.

    Example:
        >>> training, test = make_dataset_splits("fonts", seed=100)
        >>> training.num_samples, test.num_samples, test.class_names[0]
        (2511, 279, 'DejaVu Sans')
    """
    data = make_dataset(name, num_samples, noise, seed, sequence_length)
    spec = check_dataset_arguments(name, num_samples, noise, seed, sequence_length)[0]
    if spec.test_fraction == 0.0:
        return data, None
    if spec.test_split == "tail":
        return split_tail(data, spec.test_fraction)
    return split_stratified(data, spec.test_fraction, seed)

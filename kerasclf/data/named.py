"""The seminar's named datasets as `Data`: generated whole, with a held-out test part.

Named sets (`kerasclf datasets` lists them, `kerasclf.data.datasets` draws them):
seeded 2-D points, e.g. `make_dataset("seminar_blobs")`, and the seminar's
font images, `make_dataset_splits("fonts")` with their held-out test part.
"""

from __future__ import annotations

import numpy as np

from kerasclf.data.datasets import check_dataset_arguments
from kerasclf.data.labelled import Data
from kerasclf.data.splits import split_stratified


def make_dataset(
    name: str, num_samples: int | None = None, noise: float | None = None, seed: int = 0
) -> Data:
    """Generates a named synthetic dataset (`kerasclf.data.datasets`).

    Args:
        name: One of `DATASETS`.
        num_samples: Number of points; None for the dataset's default.
        noise: The dataset's noise parameter; None for its default.
        seed: Seed of the random generator.

    Returns:
        A `Data`.

    Example:
        >>> data = make_dataset("seminar_blobs", seed=0)
        >>> data.features.shape, int(data.labels.sum())
        ((200, 2), 100)
    """
    spec, num_samples, noise, seed = check_dataset_arguments(name, num_samples, noise, seed)
    rng = np.random.default_rng(seed)
    features, labels = spec.generate(num_samples, noise, rng)
    num_classes = None if spec.class_names is None else len(spec.class_names)
    return Data(features, labels, f"dataset {name!r}", num_classes, class_names=spec.class_names)


def make_dataset_splits(
    name: str, num_samples: int | None = None, noise: float | None = None, seed: int = 0
) -> tuple[Data, Data | None]:
    """A named dataset as `(training, test)`: its held-out test part taken out.

    The test part is the dataset's `test_fraction` (fonts: 10%), drawn by
    `split_stratified` from the same seed; None for a dataset without one
    (the training part is then `make_dataset`'s whole set).

    Args:
        name: One of `DATASETS`.
        num_samples: Number of samples in both parts; None for the default.
        noise: The dataset's noise parameter; None for its default.
        seed: Seed of the samples and of the split.

    Example:
        >>> training, test = make_dataset_splits("fonts", seed=100)
        >>> training.num_samples, test.num_samples, test.class_names[0]
        (2511, 279, 'DejaVu Sans')
    """
    data = make_dataset(name, num_samples, noise, seed)
    fraction = check_dataset_arguments(name, num_samples, noise, seed)[0].test_fraction
    if fraction == 0.0:
        return data, None
    return split_stratified(data, fraction, seed)

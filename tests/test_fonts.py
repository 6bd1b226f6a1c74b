import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from kerasclf.data import (
    DATASETS,
    Data,
    check_dataset_arguments,
    describe_datasets,
    make_dataset,
    make_dataset_splits,
    split_validation,
)
from kerasclf.data.fonts import DEFAULT_NOISE, FONT_NAMES, change_stroke, render_fonts


@pytest.fixture(scope="module")
def fonts():
    return make_dataset("fonts", seed=100)


def test_fonts_are_36_by_36_grey_images_balanced_over_five_named_fonts(fonts):
    assert fonts.features.shape == (2790, 36, 36) and fonts.features.dtype == np.float32
    assert fonts.features.min() == 0.0 and fonts.features.max() == 1.0
    assert np.bincount(fonts.labels).tolist() == [558] * 5
    assert fonts.class_names == fonts.label_names == FONT_NAMES
    assert len(set(FONT_NAMES)) == 5 and FONT_NAMES[0] == "DejaVu Sans"
    # Ink is bright on a black background: the corners are mostly background.
    assert np.median(fonts.features[:, 0, 0]) < 0.1
    assert DATASETS["fonts"].class_names == FONT_NAMES


def test_fonts_are_seeded(fonts):
    again = make_dataset("fonts", seed=100)
    other = make_dataset("fonts", seed=101)
    np.testing.assert_array_equal(fonts.features, again.features)
    np.testing.assert_array_equal(fonts.labels, again.labels)
    assert not np.array_equal(fonts.features, other.features)


def test_noise_zero_centres_every_glyph_and_noise_varies_them():
    clean, labels = render_fonts(200, 0.0, np.random.default_rng(0))
    noisy, _ = render_fonts(200, 1.0, np.random.default_rng(0))
    # Without noise each glyph's ink box is centred (within a pixel of rounding).
    for image in clean[:20]:
        rows, columns = np.flatnonzero(image.any(1)), np.flatnonzero(image.any(0))
        assert abs(rows[0] + rows[-1] - 35) <= 1 and abs(columns[0] + columns[-1] - 35) <= 1
    assert np.isin(clean, [0.0, 1.0]).mean() > 0.9  # Only antialiasing is grey.
    assert np.isin(noisy, [0.0, 1.0]).mean() < 0.6  # Pixel noise and contrast.


def test_change_stroke_blends_towards_the_2x2_maximum_or_minimum():
    images = np.random.default_rng(0).random((3, 5, 5)).astype(np.float32)
    padded = np.pad(images, ((0, 0), (0, 1), (0, 1)))
    blocks = np.stack([padded[:, i : i + 5, j : j + 5] for i in (0, 1) for j in (0, 1)])
    weights = np.array([0.5, -1.0, 0.0])
    expected = images.copy()
    expected[0] = 0.5 * images[0] + 0.5 * blocks[:, 0].max(0)
    expected[1] = blocks[:, 1].min(0)
    np.testing.assert_allclose(change_stroke(images, weights), expected, rtol=1e-6)


def test_test_split_is_the_seminars_2511_and_279_stratified():
    training, test = make_dataset_splits("fonts", seed=100)
    whole = make_dataset("fonts", seed=100)
    assert (training.num_samples, test.num_samples) == (2511, 279)
    assert np.bincount(test.labels).tolist() == [56, 56, 56, 56, 55]
    assert test.class_names == training.class_names == FONT_NAMES
    assert test.num_classes == training.num_classes == 5
    # The two parts are the whole set, each image once.
    together = np.concatenate([training.features, test.features]).reshape(2790, -1)
    order = np.lexsort(together.T)
    expected = whole.features.reshape(2790, -1)
    np.testing.assert_array_equal(together[order], expected[np.lexsort(expected.T)])
    again = make_dataset_splits("fonts", seed=100)[1]
    np.testing.assert_array_equal(again.features, test.features)


def test_datasets_without_a_test_fraction_have_no_test_split():
    training, test = make_dataset_splits("blobs", seed=1)
    assert test is None and training.num_samples == 500 and training.class_names is None
    assert training.label_names == ("0", "1", "2")


def test_smallest_fonts_set_keeps_every_font_on_both_sides():
    training, test = make_dataset_splits("fonts", num_samples=10, seed=0)
    assert np.bincount(training.labels).tolist() == [1] * 5
    assert np.bincount(test.labels).tolist() == [1] * 5


@pytest.mark.parametrize("num_samples", [9, 0, 100_001, 10**12])
def test_fonts_sizes_out_of_range_fail_in_one_line(num_samples):
    with pytest.raises(
        ValueError, match=r"dataset 'fonts' must be an integer in \[10, 100000\]"
    ) as error:
        make_dataset("fonts", num_samples=num_samples)
    assert "\n" not in str(error.value) and f"num_samples={num_samples}" in str(error.value)


def test_fonts_noise_out_of_range_fails():
    with pytest.raises(
        ValueError, match=r"`noise` of dataset 'fonts' must be a finite number in \[0.0, 1.0\]"
    ):
        check_dataset_arguments("fonts", None, 1.5, 0)
    with pytest.raises(
        ValueError,
        match=r"`noise` of dataset 'seminar_blobs' must be a finite number in \(0.0, 1000000.0\]",
    ):
        check_dataset_arguments("seminar_blobs", None, 0.0, 0)
    # Noise that would overflow float32 is named as noise, not as NaN features.
    for name in ("seminar_blobs", "long_dependency", "series"):
        message = r"`noise` of dataset .* must be .* Received: noise=1e\+300\."
        with pytest.raises(ValueError, match=message):
            check_dataset_arguments(name, None, 1e300, 0)


def test_describe_datasets_lists_every_dataset():
    lines = describe_datasets().splitlines()
    assert [line.split()[0] for line in lines] == list(DATASETS)
    assert "n=2790" in lines[list(DATASETS).index("fonts")]


def test_class_names_are_checked_and_kept_by_subsets():
    features, labels = np.zeros((8, 2)), np.array([0, 1, 2, 0, 1, 2, 0, 1])
    data = Data(features, labels, class_names=["a", "b", "c"])
    assert data.class_names == ("a", "b", "c")
    assert data.subset(np.array([0, 1]), "part").class_names == ("a", "b", "c")
    training, validation = split_validation(data, 0.125, 0)
    assert training.class_names == validation.class_names == ("a", "b", "c")
    with pytest.raises(ValueError, match=r"name each of the 3 classes once\. Received 2 name"):
        Data(features, labels, class_names=("a", "b"))
    with pytest.raises(TypeError, match=r"must be strings, one per class\. Received 1 of type int"):
        Data(features, labels, class_names=("a", 1, "c"))
    with pytest.raises(TypeError, match=r"a tuple of 3 strings"):
        Data(features, labels, class_names="abc")


def test_fonts_are_learnable_but_not_linearly_trivial():
    # Independent references on held-out images: scikit-learn's logistic regression
    # and nearest neighbours on the pixels.
    training, test = make_dataset_splits("fonts", num_samples=1000, seed=5)
    x_train = training.features.reshape(training.num_samples, -1)
    x_test = test.features.reshape(test.num_samples, -1)
    # Strongly penalised (C=0.01) so that it converges in a few dozen iterations.
    logistic = LogisticRegression(C=0.01, max_iter=200).fit(x_train, training.labels)
    linear_accuracy = logistic.score(x_test, test.labels)
    assert 0.3 < linear_accuracy < 0.75  # 0.57 measured; chance is 0.2.
    neighbours = KNeighborsClassifier(1).fit(x_train, training.labels)
    assert neighbours.score(x_test, test.labels) > 0.5  # 0.72 measured.


def test_default_noise_shifts_glyphs_by_up_to_three_pixels():
    # The shifts are what a CNN shrugs off and a Dense layer on the pixels does not:
    # each ink box's centre moves uniformly in +-3 pixels per axis (less where the
    # canvas's edge stops it), and not at all at noise 0.
    images, _ = render_fonts(500, DEFAULT_NOISE, np.random.default_rng(3))
    offsets = []
    for image in images > 0.5:  # The ink, without the pixel noise.
        rows, columns = np.flatnonzero(image.any(1)), np.flatnonzero(image.any(0))
        offsets.append([(rows[0] + rows[-1] - 35) / 2, (columns[0] + columns[-1] - 35) / 2])
    offsets = np.abs(np.array(offsets))
    assert offsets.max() <= 4.0 and (offsets > 2.0).mean() > 0.1
    assert 0.9 < offsets.mean() < 2.0  # Uniform on +-3: mean |shift| 1.5.

import numpy as np
import pytest

from kerasclf.data import DATASETS, Data, load_data, make_dataset, split_validation


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_dataset_is_seeded_shaped_and_labelled(name):
    # A noiseless spiral is the same curve for every seed; noise makes it random.
    noise = 0.1 if name == "spiral" else None
    first = make_dataset(name, noise=noise, seed=3)
    again = make_dataset(name, noise=noise, seed=3)
    other = make_dataset(name, noise=noise, seed=4)
    spec = DATASETS[name]
    length = spec.sequence_length
    sample_shape = {
        "images": (36, 36),
        "points": (2,),
        "text": (length,),
        "sequences": (length, first.features.shape[-1]),
    }[spec.kind]
    # A text of C characters gives C - T windows of T characters, each with its next one.
    num_samples = spec.num_samples - length if spec.kind == "text" else spec.num_samples
    assert first.features.shape == (num_samples, *sample_shape)
    assert first.features.dtype == np.float32 and first.task == spec.task
    np.testing.assert_array_equal(first.features, again.features)
    assert not np.array_equal(first.features, other.features)
    if spec.task == "regression":
        assert first.labels.dtype == np.float32 and first.num_classes is None
    else:
        assert first.labels.dtype == np.int32
        assert set(np.unique(first.labels)) == set(range(first.num_classes))


def test_seminar_blobs_follow_the_notebook_draw():
    rng = np.random.default_rng(0)
    zeros = rng.multivariate_normal([-4, -4], 20 * np.eye(2), 100)
    ones = rng.multivariate_normal([4, 4], 20 * np.eye(2), 100)
    data = make_dataset("seminar_blobs", seed=0)
    np.testing.assert_allclose(data.features, np.concatenate([zeros, ones]), rtol=1e-6)
    np.testing.assert_array_equal(data.labels, np.repeat([0, 1], 100))


def test_hand_line_labels_follow_the_slide_line_and_noise_flips_some():
    data = make_dataset("hand_line", num_samples=500, seed=1)
    x1, x2 = data.features[:, 0].astype(float), data.features[:, 1].astype(float)
    np.testing.assert_array_equal(data.labels, (x2 + 1.23 * x1 - 0.55 > 0).astype(int))
    noisy = make_dataset("hand_line", num_samples=500, noise=0.2, seed=1)
    flipped = np.mean(noisy.labels != data.labels)
    assert 0.1 < flipped < 0.3


@pytest.mark.parametrize("noise", [0.0, 0.5, 1.0])
def test_gauss_classes_follow_the_documented_normals(noise):
    """Label 1 ~ N((2,2), s^2 I) and label 0 ~ N((-2,-2), s^2 I), s^2 = 0.5 + 7 noise."""
    num_samples = 20_000
    data = make_dataset("gauss", num_samples=num_samples, noise=noise, seed=0)
    variance = 0.5 + 7.0 * noise
    per_class = num_samples // 2
    # Five standard errors of the sample mean, variance and covariance.
    mean_tolerance = 5 * np.sqrt(variance / per_class)
    variance_tolerance = 5 * variance * np.sqrt(2 / (per_class - 1))
    covariance_tolerance = 5 * variance / np.sqrt(per_class)
    for label, centre in ((1, 2.0), (0, -2.0)):
        points = data.features[data.labels == label].astype(np.float64)
        assert len(points) == per_class
        np.testing.assert_allclose(points.mean(axis=0), [centre, centre], atol=mean_tolerance)
        covariance = np.cov(points, rowvar=False)
        np.testing.assert_allclose(np.diag(covariance), variance, atol=variance_tolerance)
        assert abs(covariance[0, 1]) < covariance_tolerance


def test_playground_shapes():
    circle = make_dataset("circle")
    radius = np.hypot(*circle.features.T)
    assert np.all((radius < 2.5 + 1e-6) == (circle.labels == 1))
    xor = make_dataset("xor")
    assert np.all(np.abs(xor.features) >= 0.3 - 1e-6)
    np.testing.assert_array_equal(xor.labels, (np.prod(xor.features, axis=1) > 0).astype(int))
    assert make_dataset("blobs").num_classes == 3
    assert np.abs(make_dataset("spiral").features).max() <= 5.0


def test_csv_with_and_without_header_and_npz(tmp_path):
    rows = "1.5,2.0,0\n-1,0.5,1\n3,3,1\n"
    (tmp_path / "plain.csv").write_text(rows)
    (tmp_path / "header.csv").write_text("x1,x2,label\n" + rows)
    np.savez(tmp_path / "points.npz", X=np.array([[1.5, 2.0], [-1, 0.5], [3, 3]]), y=[0, 1, 1])
    for name in ("plain.csv", "header.csv", "points.npz"):
        data = load_data(str(tmp_path / name))
        np.testing.assert_allclose(data.features, [[1.5, 2.0], [-1, 0.5], [3, 3]])
        np.testing.assert_array_equal(data.labels, [0, 1, 1])


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "no data rows"),
        ("x1,x2,label\n", "no data rows"),
        ("1,2,0\n1,abc,1\n", "line 2, column 2: expected a number. Received 'abc'"),
        ("1,2,0\n1,2\n", "line 2 has 2 columns, expected 3"),
        ("1,2,0\n3,4,0\n", "at least 2 classes"),
        ("1,2,0\n3,4,2\n", "missing \\[1\\]"),
        ("1,2,0\n3,4,0.5\n", "labels must be integers"),
        ("1,nan,0\n3,4,1\n", "finite"),
        ("1,inf,0\n3,4,1\n", "finite"),
        ("1,2,-1\n3,4,1\n", "labels must be integers"),
        ("0\n1\n", "at least one feature column"),
    ],
)
def test_bad_csv_files_raise_one_clear_line(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(ValueError, match=message) as error:
        load_data(str(path))
    assert "\n" not in str(error.value)


def test_bad_npz_and_paths(tmp_path):
    np.savez(tmp_path / "nolabels.npz", X=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="missing \\['y'\\]"):
        load_data(str(tmp_path / "nolabels.npz"))
    np.savez(tmp_path / "mismatch.npz", X=np.zeros((3, 2)), y=[0, 1])
    with pytest.raises(ValueError, match="different numbers of samples: \\[3, 2\\]"):
        load_data(str(tmp_path / "mismatch.npz"))
    with pytest.raises(ValueError, match="does not exist"):
        load_data(str(tmp_path / "missing.csv"))
    with pytest.raises(ValueError, match=r"\.csv, \.npz or \.txt file"):
        load_data(str(tmp_path / "points.xlsx"))


@pytest.mark.parametrize(
    "features, labels, error, message",
    [
        (np.zeros(4), [0, 1, 0, 1], ValueError, "2-D array"),
        # (4, 2, 1) features are accepted now: tests/test_data_shapes.py.
        (np.float64(0.5), [0], ValueError, "2-D array"),
        (np.zeros((4, 2, 0)), [0, 1, 0, 1], ValueError, "non-empty"),
        (np.zeros((0, 2)), [], ValueError, "non-empty"),
        (np.array([["a", "b"], ["c", "d"]]), [0, 1], TypeError, "must be numbers"),
        (np.zeros((2, 2)), np.zeros((2, 2)), ValueError, "1-D array.*task='regression'"),
        # Keras's to_categorical labels, and class names: the fix is in the message.
        (np.zeros((3, 2)), np.eye(3), ValueError, r"They are one-hot: .*y\.argmax\(axis=1\)"),
        (np.zeros((2, 2)), ["cat", "dog"], TypeError, r"Number class names 0\.\.k-1, e\.g\. np"),
        (np.full((2, 2), 1e39), [0, 1], ValueError, "finite float32"),
    ],
)
def test_data_rejects_bad_arrays(features, labels, error, message):
    with pytest.raises(error, match=message):
        Data(features, labels)


def test_validation_split_is_seeded_and_disjoint(blobs):
    training, validation = split_validation(blobs, 0.25, seed=0)
    assert (training.num_samples, validation.num_samples) == (150, 50)
    together = np.concatenate([training.features, validation.features])
    assert len(np.unique(together, axis=0)) == 200
    assert split_validation(blobs, 0.0, seed=0) == (blobs, None)
    with pytest.raises(ValueError, match="validation_split"):
        split_validation(blobs, 1.0, seed=0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "seminar_blob"}, "Did you mean 'seminar_blobs'"),
        ({"name": "circle", "num_samples": 1}, "num_samples"),
        ({"name": "circle", "noise": -0.1}, "noise"),
        ({"name": "circle", "noise": 2.0}, "noise"),
    ],
)
def test_make_dataset_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_dataset(**kwargs)

"""The Python API refuses bad arguments with one line, before writing anything."""

import inspect
import io
import os

import numpy as np
import pytest

import kerasclf
from kerasclf import callbacks
from kerasclf.run.config_making import make_config
from kerasclf.data import Data, data_file_kind, load_data, make_dataset, split_validation
from kerasclf.data import make_dataset_splits
from kerasclf.data.csv_streams import open_csv_data
from kerasclf.engine.classifier import Classifier
from kerasclf.engine.evaluation import check_input_shape, evaluate_model
from kerasclf.engine.hand_set_line import evaluate_linear
from kerasclf.run.evaluation import evaluate_run
from kerasclf.models.architecture import Architecture, ConvArchitecture
from kerasclf.models.recurrent_architecture import RecurrentArchitecture
from kerasclf.models.registry import build_model
from kerasclf.models.text_sampling import TextSampler, sample_text
from kerasclf.run.generation import generate_from_run
from kerasclf.run.prediction import load_run_model, predict_run

BAD_TRAIN_ARGUMENTS = [
    ({"config": "run.toml"}, TypeError, "`config` must be a TrainConfig, a dict"),
    ({"config": 5}, TypeError, "Received: config=5 of type int"),
    ({"callbacks": lambda: []}, TypeError, "a function that takes the run directory (one arg"),
    ({"config": "mlp"}, TypeError, "of type str. Settings go by keyword, e.g. model='mlp'."),
    ({"callbacks": 5}, TypeError, "`callbacks` must be a list of keras.callbacks.Callback"),
    ({"callbacks": [object()]}, TypeError, "`callbacks` must be a list"),
    ({"stream": "out.txt"}, TypeError, "`stream` must be a text stream"),
    ({"learning_rate": 10**400}, ValueError, "...0000000000 (401 characters)"),
    ({"epochs": 2**31}, ValueError, "`epochs` must be an integer <= 2147483647"),
    ({"num_samples": 10**12}, ValueError, "`num_samples` must be an integer <= 2147483647"),
]


def test_a_misspelt_name_of_the_package_names_the_one_meant():
    with pytest.raises(AttributeError, match=r"no attribute 'trian'\. Did you mean 'train'\?$"):
        kerasclf.trian


@pytest.mark.parametrize("arguments, error, message", BAD_TRAIN_ARGUMENTS)
def test_train_refuses_bad_arguments_before_writing(tmp_path, arguments, error, message):
    logdir = tmp_path / "logs"
    arguments = {"logdir": str(logdir), **arguments}
    config = arguments.pop("config", None)
    with pytest.raises(error) as raised:
        kerasclf.train(config, **arguments)
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert not logdir.exists()


POINTS = np.zeros((4, 2), np.float32), np.array([0, 1, 0, 1])
BAD_CALLBACKS = [
    (lambda: callbacks.CostLogger(5, *POINTS), TypeError, "`logdir` must be a path"),
    (lambda: callbacks.MinibatchCostLogger(""), TypeError, "Received: logdir=''"),
    (lambda: callbacks.EpochPrinter(stream=5), TypeError, "`stream` must be a text stream"),
    (lambda: callbacks.DivergenceStop(stream="x"), TypeError, "Received: stream='x'"),
    (
        lambda: callbacks.WeightLogger("logs/run", *POINTS, gradient_norm="no"),
        TypeError,
        "`gradient_norm` must be True or False. Received: gradient_norm='no'",
    ),
    (lambda: callbacks.RunConfigLogger("logs/run", None), TypeError, "`config` must be a dict"),
    (lambda: callbacks.CostLogger(__file__, *POINTS), ValueError, "`logdir` must be a directory"),
    (
        lambda: callbacks.GradientNorms(os.path.join(__file__, "run"), *POINTS),
        ValueError,
        "test_python_api.py' is a file. Received: logdir=",
    ),
    (
        lambda: callbacks.GradientNorms("logs/run", np.full((4, 2), np.nan), POINTS[1]),
        ValueError,
        "GradientNorms x: features must be finite float32 numbers. Received a NaN",
    ),
    (
        lambda: callbacks.GradientNorms("logs/run", POINTS[0][:, 0], POINTS[1]),
        ValueError,
        "GradientNorms x: features must be at least a 2-D array",
    ),
    (
        lambda: callbacks.ForecastLogger("logs/run", None, POINTS[0], np.zeros(3)),
        ValueError,
        "ForecastLogger data: features and targets have different numbers of samples",
    ),
    (
        lambda: callbacks.ActivationImages("logs/run", "img"),
        ValueError,
        "(h, w) or (h, w, c). Received: example='img', not numbers.",
    ),
    (
        lambda: callbacks.ClassificationPanels("logs/run", *POINTS, None),
        TypeError,
        "`class_names` must be a list or tuple of k strings, one per class. Received: class_n",
    ),
    (
        lambda: callbacks.CostLogger("logs/run", *POINTS, validation_data=POINTS[:1]),
        TypeError,
        "`validation_data` must be a pair (x, y) of features and labels, or None.",
    ),
    (
        lambda: callbacks.EmbeddingProjector("logs/run", None, 5),
        TypeError,
        "`tokens` must be a sequence of strings",
    ),
]


@pytest.mark.parametrize("make, error, message", BAD_CALLBACKS)
def test_a_callback_refuses_bad_arguments_when_made(tmp_path, monkeypatch, make, error, message):
    """Not at the first epoch, where the run has begun and a failed run is left behind."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error) as raised:
        make()
    assert message in str(raised.value) and "\n" not in str(raised.value)
    assert os.listdir(tmp_path) == []


KEYWORD_CHECKED = [
    *(getattr(callbacks, name) for name in callbacks.__all__),
    kerasclf.make_dataset,
    kerasclf.load_data,
    kerasclf.load_data_splits,
    kerasclf.split_validation,
    kerasclf.build_model,
    kerasclf.evaluate_linear,
    kerasclf.evaluate_model,
    kerasclf.make_optimizer,
    kerasclf.resume,
    kerasclf.CrossEntropy,
    kerasclf.Data,
    kerasclf.Architecture,
    ConvArchitecture,
    RecurrentArchitecture,
    # Documented beyond `kerasclf`'s own names (docs/tensorboard.md, docs/cli.md, docs/data.md).
    make_dataset_splits,
    open_csv_data,
    sample_text,
    TextSampler,
    generate_from_run,
    evaluate_run,
    load_run_model,
    predict_run,
]


@pytest.mark.parametrize("function", KEYWORD_CHECKED, ids=lambda function: function.__name__)
def test_a_misspelled_keyword_names_the_one_meant(function):
    meant = list(inspect.signature(function).parameters)[-1]
    typo = meant + meant[-1]  # "every" -> "everyy"
    with pytest.raises(TypeError) as raised:
        function(**{typo: None})
    message = str(raised.value)
    assert f"got an unexpected keyword argument {typo!r}. Did you mean {meant!r}?" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: kerasclf.make_optimizer("gd", 200, lr=0.1), "'lr'. Did you mean 'learning_rate'?"),
        (
            lambda: kerasclf.make_dataset("xor", random_state=1),
            "'random_state'. Did you mean 'seed'?",
        ),
        (lambda: kerasclf.CrossEntropy(reduce="sum"), "'reduce'. Did you mean 'reduction'?"),
        (
            lambda: kerasclf.FeatureMap(feature="x1,x2"),
            "`FeatureMap` needs `features`, the features to compute, e.g. 'x1,x2,x1*x2' or "
            "['x1^2', 'x2^2']. Received: feature=... Did you mean 'features'?",
        ),
    ],
)
def test_other_libraries_words_and_a_missing_argument_name_the_keyword_meant(call, message):
    """As `train(lr=0.1)` names learning_rate, so does every exported function."""
    with pytest.raises(TypeError) as raised:
        call()
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_numpy_numbers_are_taken_as_python_numbers():
    """As make_dataset and evaluate_linear take them: np.int64(3) is an integer."""
    config = make_config(
        {
            "epochs": np.int64(3),
            "learning_rate": np.float32(0.5),
            "model": "mlp",
            "hidden": [np.int32(4)],
        }
    )
    assert (config.epochs, config.learning_rate, list(config.hidden)) == (3, 0.5, [4])
    assert type(config.epochs) is int and type(config.learning_rate) is float
    with pytest.raises(TypeError, match="`epochs` must be an integer"):
        make_config({"epochs": np.bool_(True)})
    # numpy's booleans are booleans (`images=mask.any()`).
    config = make_config({"images": np.bool_(False), "streaming": np.bool_(True)})
    assert config.images is False and config.streaming is True


def _closed_stream():
    stream = io.StringIO()
    stream.close()
    return stream


@pytest.mark.parametrize(
    "open_stream, refusal",
    [
        (lambda path: _closed_stream(), "I/O operation on closed file"),
        (lambda path: open(path, "wb"), "a bytes-like object is required"),
        (lambda path: open(path, "r"), "not writable"),
    ],
)
def test_train_refuses_a_stream_that_cannot_take_text_before_writing(
    tmp_path, open_stream, refusal
):
    path = tmp_path / "lines.txt"
    path.write_text("")
    stream = open_stream(path)
    try:
        with pytest.raises(ValueError) as raised:
            kerasclf.train(logdir=str(tmp_path / "logs"), epochs=1, stream=stream)
    finally:
        stream.close()
    message = str(raised.value)
    assert message.startswith("`stream` must be a text stream open for writing") and (
        refusal in message and "\n" not in message
    )
    assert not (tmp_path / "logs").exists()


def test_a_callback_function_and_a_path_are_accepted(tmp_path):
    seen = []
    result = kerasclf.train(
        data=None,
        logdir=tmp_path / "logs",  # A pathlib.Path.
        epochs=2,
        images=False,
        callbacks=lambda run_dir: seen.append(run_dir) or [],
        stream=io.StringIO(),
    )
    assert seen == [result.run_dir] and result.run_dir.startswith(str(tmp_path / "logs"))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda data: split_validation(data, 0.5, -1),
            ValueError,
            "`seed` must be an integer >= 0",
        ),
        (
            lambda data: split_validation(data, 10**400, 0),
            ValueError,
            "in [0.0, 1.0). Received: validation_split=1000",
        ),
        (
            lambda data: split_validation(data, 0.999, 0),
            ValueError,
            "leaves 200 validation and 0 training points of 200; a split needs at least 1 "
            "validation and 2 training points. Received: validation_split=0.999. Choose a "
            "fraction between 0.00251 and 0.992.",
        ),
        (  # Three points: 1 validation and 2 training, from fractions in (1/6, 1/2) alone.
            lambda data: split_validation(data.subset(np.array([0, 1, 199]), "three"), 0.5, 0),
            ValueError,
            "leaves 2 validation and 1 training points of 3; a split needs at least 1 "
            "validation and 2 training points. Received: validation_split=0.5. Choose a "
            "fraction between 0.167 and 0.499.",
        ),
        (
            lambda data: split_validation(data.subset(np.array([0, 199]), "two"), 0.5, 0),
            ValueError,
            "leaves 1 validation and 1 training points of 2; a split needs at least 1 "
            "validation and 2 training points. Received: validation_split=0.5. Use at least 3 "
            "points, or validation_split=0.",
        ),
        (lambda data: evaluate_linear([1, 1], 1e39, data), ValueError, "`bias` must be a finite"),
        (
            lambda data: evaluate_linear([1, 1], 0, "data"),
            TypeError,
            "`data` must be a kerasclf Data",
        ),
        (
            lambda data: evaluate_linear([1, 1], 0, (data.features, data.labels)),
            TypeError,
            "Received: data=(array([[",  # A tuple of arrays, on one line.
        ),
        (
            lambda data: evaluate_linear(
                [1, 1], 0, Data(data.features, data.features[:, 0], task="regression")
            ),
            ValueError,
            "needs two classes. Received regression data (numbers to predict, no classes)",
        ),
        (lambda data: build_model("logistic", 2, seed="a"), TypeError, "`seed` must be an integer"),
        (
            lambda data: split_validation([1, 2, 3], 0.2, 0),
            TypeError,
            "`data` must be a kerasclf Data, e.g. make_dataset('seminar_blobs') or "
            "load_data('points.csv'). Received: data=[1, 2, 3] of type list.",
        ),
        (lambda data: evaluate_model(42, data), TypeError, "`model` must be a keras.Model"),
        (lambda data: data_file_kind(3), TypeError, "`path` must be the path of a data file"),
        (
            lambda data: check_input_shape(build_model("logistic", 2), data.features),
            TypeError,
            "`data` must be a kerasclf Data, e.g. make_dataset('seminar_blobs')",
        ),
        (
            lambda data: evaluate_model(build_model("logistic", 3), data),
            ValueError,
            "the model takes samples of shape (3,), but the data's samples have shape (2,)",
        ),
        (
            lambda data: evaluate_run(3, data),
            TypeError,
            "`run_dir` must be the path of a run directory written by `kerasclf train`",
        ),
        (lambda data: load_data("shards/*.csv"), ValueError, "a glob of CSV shards streams"),
        (
            lambda data: make_dataset("xor", noise=10**400),
            ValueError,
            "`noise` of dataset 'xor' must be a finite",
        ),
        (lambda data: make_config(learning_rate=10**400), ValueError, "`learning_rate` must be"),
        (
            lambda data: Data(np.zeros((3, 2)), np.array([0, 1, 5])),
            ValueError,
            "every class present. Received classes [0, 1, 5], missing [2, 3, 4]",
        ),
        (
            lambda data: Data(np.zeros((2, 2)), np.array([0, 2]), num_classes=2),
            ValueError,
            "labels must be integers 0..1, so at most 1 here. Received 2 in row 1",
        ),
        (lambda data: evaluate_linear(["1", "2"], 0, data), TypeError, "list of numbers"),
        (lambda data: evaluate_linear([True, False], 0, data), TypeError, "list of numbers"),
        (
            lambda data: evaluate_model(build_model("mlp", 2, task="regression"), data),
            ValueError,
            "`model` gives numbers (a linear output), a regression model, and the data is for",
        ),
        (lambda data: Architecture(hidden=(-1,)), ValueError, "`hidden` must be an integer >= 1"),
        (lambda data: Architecture(activation="tahn"), ValueError, "Did you mean 'tanh'?"),
        (lambda data: Architecture(dropout=1.0), ValueError, "Received: dropout=1.0"),
        (lambda data: Architecture(l2=-1), ValueError, "Received: l2=-1"),
        (lambda data: ConvArchitecture(pooling="mean"), ValueError, "Received: pooling='mean'"),
        (lambda data: RecurrentArchitecture(units=0), ValueError, "Received: units=0."),
        (
            lambda data: build_model("logistic", 2, feature_map="poly3"),
            TypeError,
            "`feature_map` must be a Keras layer applied to the inputs",
        ),
        (lambda data: make_config([("epochs", 3)]), TypeError, "`values` must be a dict"),
        (
            lambda data: evaluate_model(build_model("logistic", 2), make_dataset("blobs")),
            ValueError,
            "`model` tells 2 classes apart (1 output unit(s)), and the data has 3.",
        ),
        (
            lambda data: Data(data.features, data.labels, class_names=("a", "a")),
            ValueError,
            "class_names=('a', 'a'), 'a' twice.",
        ),
        (lambda data: make_dataset("blobs", num_samples=2), ValueError, "integer in [3, "),
        (lambda data: Data(data.features, data.labels, None), TypeError, "Received: source=None"),
        (lambda data: load_data(data.features), TypeError, "characters) of type ndarray. For arr"),
        (lambda data: Classifier.from_model(None), TypeError, "Received: model=None of type"),
    ],
)
def test_public_functions_refuse_bad_arguments(call, error, message):
    with pytest.raises(error) as raised:
        call(make_dataset("seminar_blobs"))
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_the_fractions_a_split_error_suggests_split():
    points = make_dataset("seminar_blobs")  # 200 points; as regression, no class to lack.
    data = Data(points.features, points.features[:, 0], task="regression")
    for fraction, sizes in ((0.0075, (198, 2)), (0.988, (2, 198))):
        training, validation = split_validation(data, fraction, 0)
        assert (training.num_samples, validation.num_samples) == sizes


@pytest.mark.parametrize("factory", [lambda run_dir: 3, lambda run_dir: {}["missing"]])
def test_a_callbacks_function_that_fails_leaves_no_run_behind(tmp_path, factory):
    with pytest.raises((TypeError, ValueError), match="`callbacks`"):
        kerasclf.train(
            callbacks=factory, logdir=str(tmp_path), epochs=1, images=False, stream=io.StringIO()
        )
    assert os.listdir(tmp_path) == []  # Not a half-started run that `kerasclf runs` calls killed.

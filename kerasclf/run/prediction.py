"""`predict_run`: what a trained run predicts for new points.

The run's `model.keras` (a plain Keras model, see `kerasclf.run.export`) is loaded
with Keras's `safe_mode` (no arbitrary code), after the run's own model file,
when its custom classes are needed (`model_file_classes`).
The input CSV holds the features, optionally followed by a label column (a
regression's target columns), header optional. For a classifier the output
CSV has one `p_<class>` column per class, then the predicted `class`, then
the `label` when the input has one; for a regression (`task` "regression" in
the run's config.json) the `prediction` (`prediction_1`, ... for several
targets), then the `target` when the input has it.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import zipfile

import kerasclf.quiet_tensorflow
import keras
import numpy as np

# Importing these registers the classes that model.keras names.
import kerasclf.engine.classifier
import kerasclf.models.features
import kerasclf.engine.losses
import kerasclf.engine.optimizers  # noqa: F401
from kerasclf.atomic_files import write_bytes
from kerasclf.data import read_csv_values
from kerasclf.models.sources import is_model_file, parse_model_source
from kerasclf.models.user import load_model_function, module_name
from kerasclf.run.model_file import check_model_file
from kerasclf.run.prediction_paths import check_prediction_paths
from kerasclf.run.run_data import run_config
from kerasclf.validation import suggests_keywords


@suggests_keywords
def load_run_model(run_dir: str) -> keras.Model:
    """Loads `<run_dir>/model.keras` safely, or raises one clear line."""
    path = check_model_file(run_dir)
    if not zipfile.is_zipfile(path):
        raise ValueError(
            f"{path}: not a Keras model file (a .keras file is a zip archive; this one may be "
            "truncated or corrupt). Train the run again, or pass another run directory."
        )
    try:
        return keras.saving.load_model(path, safe_mode=True)
    except (ValueError, TypeError, KeyError, OSError, zipfile.BadZipFile) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        custom_objects = model_file_classes(run_dir)
        if custom_objects:
            with contextlib.suppress(ValueError, TypeError, KeyError, OSError):
                return keras.saving.load_model(path, custom_objects, safe_mode=True)
        raise ValueError(
            f"{path}: not a readable Keras model ({type(error).__name__}: {first_line}). "
            "Train the run again, or pass another run directory."
        ) from None


def model_file_classes(run_dir: str) -> dict[str, type]:
    """The layer and model classes of the run's own model file (`--model FILE.py:FUNCTION`).

    They are what Keras needs to load a `model.keras` that holds them, as a
    notebook passes `custom_objects` to `keras.saving.load_model`. The file
    is the code the run trained with; none (a built-in model, a file since
    removed) gives `{}`.
    """
    source = run_config(run_dir).get("model")
    if not isinstance(source, str) or not is_model_file(source):
        return {}
    parsed = parse_model_source(source)
    if not os.path.isfile(parsed.path):
        return {}
    module = sys.modules.get(module_name(parsed))
    if module is None:
        load_model_function(parsed)
        module = sys.modules[module_name(parsed)]
    return {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, keras.layers.Layer)
    }


def model_classes(model: keras.Model) -> int:
    """The number of classes a classifier tells apart: 2 for one output unit, else its units.

    Example:
        >>> from kerasclf.models.registry import build_model
        >>> model_classes(build_model("logistic", 2)), model_classes(build_model("logistic", 2, 3))
        (2, 3)
    """
    units = int(model.outputs[0].shape[-1])
    return 2 if units == 1 else units


def predicted_classes(probabilities: np.ndarray) -> np.ndarray:
    """The class each row of probabilities predicts, as kerasclf's accuracy counts it.

    One column (a sigmoid's p of class 1): class 1 where p > 0.5, else 0.
    Several columns: the most probable class (the first, on a tie).

    Example:
        >>> predicted_classes(np.array([[0.7], [0.5]])).tolist()
        [1, 0]
        >>> predicted_classes(np.array([[0.2, 0.5, 0.3]])).tolist()
        [1]
    """
    probabilities = np.asarray(probabilities)
    if probabilities.shape[1] == 1:
        return (probabilities[:, 0] > 0.5).astype(np.int32)
    return np.argmax(probabilities, axis=1).astype(np.int32)


@suggests_keywords
def predict_run(
    run_dir: str,
    data_path: str,
    out_path: str | None = None,
    values: np.ndarray | None = None,
    overwrite: bool = False,
) -> str:
    """Predicts the class probabilities and the class, or a regression's values, of a CSV's points.

    Args:
        run_dir: A run directory holding `model.keras`.
        data_path: CSV of points: the model's features, optionally a label
            last (a regression's targets).
        out_path: Where to write the CSV; None to only return it.
        values: The file's numbers, if the caller has read them already
            (`kerasclf.data.read_csv_values(data_path)`); None to read them.
        overwrite: Whether an existing `out_path` may be replaced (never the
            data file, nor a file of a run directory).

    Returns:
        The CSV text: per row the features `x1, x2, ...`, then `p_0, p_1, ...`,
        the predicted `class` (`predicted_classes`), and the `label` when the
        file has a label column. A regression's rows hold the features, the
        `prediction` and, when the file has it, the `target` (numbered
        `prediction_1`, `target_1`, ... for several targets).

    Example:
        >>> print(predict_run("logs/run", "points.csv"))  # doctest: +SKIP
        x1,x2,p_0,p_1,class
        4,4,0.012345,0.987655,1
    """
    check_prediction_paths(run_dir, out_path, data_path, overwrite)
    values = read_csv_values(data_path) if values is None else values
    model = load_run_model(run_dir)
    if None in tuple(model.inputs[0].shape[1:]):
        raise ValueError(
            f"`predict` reads rows of a fixed number of features, and this run's model reads "
            f"sequences of any length (input shape {tuple(model.inputs[0].shape)}). Received: "
            f"run={run_dir!r}. Use `kerasclf generate` for a text run, or `kerasclf evaluate "
            "--run` with an .npz of sequences."
        )
    feature_shape = tuple(int(size) for size in model.inputs[0].shape[1:])
    if run_config(run_dir).get("task") == "regression":
        text = _regression_predictions(model, values, feature_shape, data_path)
    else:
        text = _class_predictions(model, values, feature_shape, data_path)
    if out_path is not None:
        try:  # Replaced whole: a link at `out_path` is replaced, not written through.
            write_bytes(out_path, text.encode())
        except OSError as error:  # As under /proc, where permission bits allow what open refuses.
            raise ValueError(
                f"`out` cannot be written: {error.strerror or error}. Received: out={out_path!r}. "
                "Choose a writable path."
            ) from None
    return text


def _class_predictions(model, values, feature_shape: tuple, data_path: str) -> str:
    """A classifier's CSV: features, `p_<class>` columns, `class`, and `label` if given."""
    values, labels = _features_and_labels(values, feature_shape, model_classes(model), data_path)
    _check_finite(values, data_path)
    points = values.astype(np.float32).reshape(-1, *feature_shape)
    probabilities = model.predict(points, verbose=0)
    classes = predicted_classes(probabilities)
    if probabilities.shape[1] == 1:
        probabilities = np.concatenate([1 - probabilities, probabilities], axis=1)
    columns = [f"p_{index}" for index in range(probabilities.shape[1])]
    cells = [[f"{p:.6f}" for p in row] + [str(label)] for row, label in zip(probabilities, classes)]
    return _prediction_csv(values, columns + ["class"], cells, labels, ["label"])


def _regression_predictions(model, values, feature_shape: tuple, data_path: str) -> str:
    """A regression's CSV: features, `prediction` columns, and `target` columns if given."""
    num_features = int(np.prod(feature_shape))
    num_targets = int(model.outputs[0].shape[-1])
    if values.shape[1] not in (num_features, num_features + num_targets):
        plural = "s" if num_targets > 1 else ""
        raise ValueError(
            f"{data_path}: the run's model takes {num_features} features per point and predicts "
            f"{num_targets} target{plural}. Received {values.shape[1]} column"
            f"{'s' if values.shape[1] != 1 else ''}. Give {num_features} feature columns "
            f"(and optionally the {num_targets} target{plural} after them)."
        )
    values, targets = values[:, :num_features], values[:, num_features:]
    _check_finite(values, data_path)
    points = values.astype(np.float32).reshape(-1, *feature_shape)
    predictions = np.asarray(model.predict(points, verbose=0)).reshape(len(points), num_targets)
    cells = [[f"{value:.6g}" for value in row] for row in predictions]
    given = targets if targets.shape[1] else None
    names = _numbered("prediction", num_targets)
    return _prediction_csv(values, names, cells, given, _numbered("target", num_targets))


def _numbered(name: str, count: int) -> list[str]:
    """`[name]` for one column, else `name_1`, `name_2`, ...

    Example:
        >>> _numbered("target", 1), _numbered("target", 2)
        (['target'], ['target_1', 'target_2'])
    """
    return [name] if count == 1 else [f"{name}_{index + 1}" for index in range(count)]


def _features_and_labels(
    values: np.ndarray, feature_shape: tuple, num_classes: int, data_path: str
) -> tuple[np.ndarray, np.ndarray | None]:
    """The feature columns, and the label column if the file has one: the run's classes."""
    num_features = int(np.prod(feature_shape))
    if values.shape[1] != num_features + 1:
        if values.shape[1] != num_features:
            raise ValueError(
                f"{data_path}: the model takes {num_features} features per point. "
                f"Received {values.shape[1]} column{'s' if values.shape[1] != 1 else ''}. "
                f"Give {num_features} feature columns "
                "(and optionally a label)."
            )
        return values, None
    labels = values[:, -1]
    bad = ~((labels == np.round(labels)) & (labels >= 0) & (labels < num_classes))
    if bad.any():
        row = int(np.argmax(bad))
        raise ValueError(
            f"{data_path}: the column after the {num_features} features is read as the label, "
            f"and the run's model tells {num_classes} classes apart. Received {labels[row]:g} "
            f"in data row {row + 1}. Give labels 0..{num_classes - 1}, or leave the column out."
        )
    return values[:, :-1], labels


def _check_finite(values: np.ndarray, data_path: str) -> None:
    with np.errstate(over="ignore"):
        finite = np.isfinite(values.astype(np.float32)).all(axis=1)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        raise ValueError(
            f"{data_path}: features must be finite float32 numbers. Received NaN, inf or a value "
            f"too large for float32 in data row {row + 1}."
        )


def _prediction_csv(values, columns, cells, given, given_names) -> str:
    """The output CSV: the features, the predicted `columns` (`cells`), then what was `given`.

    `given` is the file's label (one value a row) or targets (a column each),
    named `given_names`; None when the file has none.
    """
    given = None if given is None else np.asarray(given).reshape(len(values), -1)
    header = [f"x{index + 1}" for index in range(values.shape[1])] + list(columns)
    if given is not None:
        header += list(given_names)
    text = io.StringIO()
    text.write(",".join(header) + "\n")
    for index, (features, row) in enumerate(zip(values, cells)):
        line = [*(f"{v:g}" for v in features), *row]
        if given is not None:
            line += [f"{v:g}" for v in given[index]]
        text.write(",".join(line) + "\n")
    return text.getvalue()

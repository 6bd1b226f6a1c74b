"""`predict_run`: class probabilities of a trained run for new points.

The run's `model.keras` (a plain Keras model, see `kerasclf.export`) is loaded
with Keras's `safe_mode` (no arbitrary code).
The input CSV holds the features, optionally followed by a label column,
header optional; the output CSV has one `p_<class>` column per class.
"""

from __future__ import annotations

import io
import zipfile

import kerasclf.quiet_tensorflow
import keras
import numpy as np

# Importing these registers the classes that model.keras names.
import kerasclf.classifier
import kerasclf.features
import kerasclf.losses
import kerasclf.optimizers  # noqa: F401
from kerasclf.data import read_csv_values
from kerasclf.runs import check_model_file, check_prediction_paths


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
        raise ValueError(
            f"{path}: not a readable Keras model ({type(error).__name__}: {first_line}). "
            "Train the run again, or pass another run directory."
        ) from None


def predict_run(run_dir: str, data_path: str, out_path: str | None = None) -> str:
    """Predicts class probabilities for the points of a CSV file.

    Args:
        run_dir: A run directory holding `model.keras`.
        data_path: CSV of points: the model's features, optionally a label last.
        out_path: Where to write the CSV; None to only return it.

    Returns:
        The CSV text: the features, then `p_0, p_1, ...` per row.

    Example:
        >>> print(predict_run("logs/run", "points.csv"))  # doctest: +SKIP
    """
    check_prediction_paths(run_dir, out_path)
    values = read_csv_values(data_path)
    model = load_run_model(run_dir)
    num_features = int(model.inputs[0].shape[-1])
    if values.shape[1] == num_features + 1:
        values = values[:, :-1]  # A label column; ignored.
    if values.shape[1] != num_features:
        raise ValueError(
            f"{data_path}: the model takes {num_features} features per point. "
            f"Received {values.shape[1]} columns. Give {num_features} feature columns "
            "(and optionally a label)."
        )
    with np.errstate(over="ignore"):
        finite = np.isfinite(values.astype(np.float32)).all(axis=1)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        raise ValueError(
            f"{data_path}: features must be finite float32 numbers. Received NaN, inf or a value "
            f"too large for float32 in data row {row + 1}."
        )
    probabilities = model.predict(values.astype(np.float32), verbose=0)
    if probabilities.shape[1] == 1:
        probabilities = np.concatenate([1 - probabilities, probabilities], axis=1)
    header = [f"x{index + 1}" for index in range(num_features)]
    header += [f"p_{index}" for index in range(probabilities.shape[1])]
    text = io.StringIO()
    text.write(",".join(header) + "\n")
    for features, row in zip(values, probabilities):
        text.write(",".join([*(f"{v:g}" for v in features), *(f"{p:.6f}" for p in row)]) + "\n")
    if out_path is not None:
        with open(out_path, "w") as file:
            file.write(text.getvalue())
    return text.getvalue()

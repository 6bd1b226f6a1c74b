"""Hand-set lines: the slide's W = [1.23, 1.0], b = -0.55 and the notebook's line.

What it shows: a linear decision function y = x^T w + b with weights set by
hand, before any training. It prints the probability p = sigmoid(y) of a few
points, the summed and mean cost and the accuracy of two hand-set lines:
- the slide's line, x2 + 1.23 x1 - 0.55 = 0, on the `hand_line` data it labels
  (accuracy 1, yet a cost above 0: p is not 0 or 1 near the line);
- the notebook's line w1 = 1, w2 = 1, w0 = 5 on the seminar's blobs;
and then trains logistic regression on each dataset, so the trained weights
can be compared with the hand-set ones. In TensorBoard each hand-set line is a
run with one decision-boundary image (step 0), next to the trained runs.

Run it:

    python -m experiments.hand_line [--quick]
"""

import io

import kerasclf.quiet_tensorflow  # First: TensorFlow's start-up lines silenced.
import keras
import numpy as np

import kerasclf
from kerasclf.callbacks import CostLogger, DecisionBoundaryLogger, RunConfigLogger
from ._experiment import Run, experiment_directory, run_experiment
from ._script import main_guard, parse_arguments
from kerasclf.data import SLIDE_LINE
from kerasclf.engine.hand_set_line import evaluate_linear
from kerasclf.models.registry import build_model
from kerasclf.run.directory import create_run_dir

# Settings: each hand-set line and the dataset it is checked on.
LINES = {
    "slide_line": {"weights": list(SLIDE_LINE[:2]), "bias": SLIDE_LINE[2], "dataset": "hand_line"},
    "notebook_line": {"weights": [1.0, 1.0], "bias": 5.0, "dataset": "seminar_blobs"},
}
TRAINED = {"optimizer": "momentum", "learning_rate": 0.003, "epochs": 300, "seed": 0}
QUICK = {"epochs": 40, "images": False}
SAMPLE_POINTS = np.array([[0.0, 0.0], [1.0, 1.0], [-4.0, -4.0], [4.0, 4.0], [0.45, 0.0]])


def log_hand_set_line(logdir: str, name: str, weights, bias, data) -> str:
    """A TensorBoard run of a fixed model: its cost, accuracy and boundary at step 0."""
    model = build_model("logistic", data.num_features)
    model.set_weights([np.array(weights, np.float32)[:, None], np.array([bias], np.float32)])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss=kerasclf.CrossEntropy("sum"))
    run_dir = create_run_dir(logdir, name)
    callbacks = [
        CostLogger(run_dir, data.features, data.labels),
        DecisionBoundaryLogger(run_dir, data.features, data.labels, stream=io.StringIO()),
        RunConfigLogger(run_dir, {"line": name, "weights": weights, "bias": bias}),
    ]
    # Zero epochs: the callbacks log the starting point, and nothing trains.
    model.fit(data.features, data.labels, epochs=0, verbose=0, callbacks=callbacks)
    return run_dir


def main(argv=None):
    arguments = parse_arguments(__doc__, argv)
    directory = experiment_directory(arguments.logdir, "hand_line")
    print("Hand-set linear decision functions y = x^T w + b, p = sigmoid(y):")
    for name, line in LINES.items():
        data = kerasclf.make_dataset(line["dataset"], seed=0)
        result = evaluate_linear(line["weights"], line["bias"], data)
        logits = SAMPLE_POINTS @ np.array(line["weights"]) + line["bias"]
        probabilities = 1 / (1 + np.exp(-logits))
        print(
            f"  {name}: w = {line['weights']}, b = {line['bias']} on {line['dataset']}: "
            f"cost {result['cost']:.4f} (mean {result['mean_cost']:.4f}), "
            f"accuracy {result['accuracy']:.4f}"
        )
        for point, probability in zip(SAMPLE_POINTS, probabilities):
            print(f"    p(class 1 | x = {point.tolist()}) = {probability:.4f}")
        log_hand_set_line(directory, name, line["weights"], line["bias"], data)

    trained = {**TRAINED, **(QUICK if arguments.quick else {})}
    runs = [
        Run(
            f"trained_on_{line['dataset']}",
            {**trained, "dataset": line["dataset"]},
            group=line["dataset"],
        )
        for line in LINES.values()
    ]
    outcomes = run_experiment(directory, runs)
    for outcome in outcomes:
        summary = outcome.result.summary
        weights = ", ".join(f"{w:.4f}" for w in summary["weights"])
        ratio = summary["weights"][0] / summary["weights"][1]
        print(
            f"  {outcome.run.name}: trained w = [{weights}], b = {summary['bias']:.4f}, "
            f"w1/w2 = {ratio:.3f} (the slide's line has 1.23)"
        )
    return outcomes


if __name__ == "__main__":
    main_guard(main)

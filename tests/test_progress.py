"""EpochPrinter: an Epoch 0 line for the initial weights, then one line per epoch."""

import io
import os

import pytest
import tensorflow as tf
from conftest import numpy_cost
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import kerasclf
from kerasclf.callbacks.progress import EpochPrinter


def _logged(run_dir, tag):
    events = EventAccumulator(os.path.join(run_dir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    return {e.step: float(tf.make_ndarray(e.tensor_proto)) for e in events.Tensors(tag)}


def test_epoch_0_line_is_the_initial_weights_as_step_0(tmp_path):
    stream = io.StringIO()
    result = kerasclf.train(logdir=str(tmp_path), epochs=3, images=False, stream=stream)
    lines = [line for line in stream.getvalue().splitlines() if line.startswith("Epoch")]
    assert [line.split()[1] for line in lines] == ["0/3", "1/3", "2/3", "3/3"]
    # The default run starts from zeros: cost n log 2 = 138.63, accuracy 0.5, as on the slide.
    data = kerasclf.make_dataset("seminar_blobs", seed=0)
    expected = numpy_cost([0.0, 0.0], 0.0, data.features, data.labels)
    assert expected == pytest.approx(138.6294, abs=1e-4)
    assert lines[0] == ("Epoch 0/3  cost 138.6294  accuracy 0.5000  W [0.0000, 0.0000]  b 0.0000")
    cost, accuracy = _logged(result.run_dir, "cost"), _logged(result.run_dir, "accuracy")
    assert f"cost {cost[0]:.4f}  accuracy {accuracy[0]:.4f}" in lines[0]
    assert f"cost {cost[1]:.4f}" in lines[1]


def test_no_epoch_0_line_without_the_initial_cost():
    stream = io.StringIO()
    printer = EpochPrinter(stream=stream)
    printer.set_params({"epochs": 5})
    printer.on_train_begin({})  # No CostLogger before it, or a resumed run.
    assert stream.getvalue() == ""
    printer.on_train_begin(None)
    assert stream.getvalue() == ""


def test_resumed_run_prints_no_second_epoch_0(tmp_path):
    from conftest import StopAt

    stream = io.StringIO()
    stopped = kerasclf.train(
        logdir=str(tmp_path),
        epochs=4,
        images=False,
        stream=io.StringIO(),
        callbacks=[StopAt(epoch=1, batch=0)],
    )
    assert stopped.summary["status"] == "interrupted"
    from kerasclf.run.training import prepare_resume, run_prepared

    run_prepared(prepare_resume(stopped.run_dir), stream=stream)
    epochs = [
        line.split()[1] for line in stream.getvalue().splitlines() if line.startswith("Epoch")
    ]
    assert epochs == ["2/4", "3/4", "4/4"]


@pytest.mark.parametrize("metric", ["accuracy", "binary_accuracy", "sparse_categorical_accuracy"])
def test_the_accuracy_of_keras_metrics_by_their_names(metric):
    import keras
    import numpy as np

    points = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]], np.float32)
    labels = np.array([1, 1, 0, 1])
    units, loss = (2, "sparse_categorical_crossentropy") if "sparse" in metric else (1, "mse")
    activation = "softmax" if units == 2 else "sigmoid"
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(units, activation)])
    model.compile(optimizer="sgd", loss=loss, metrics=[metric])
    stream = io.StringIO()
    history = model.fit(points, labels, epochs=1, verbose=0, callbacks=[EpochPrinter(stream)])
    expected = history.history[metric][0]
    assert f"accuracy {expected:.4f}" in stream.getvalue() and "nan" not in stream.getvalue()


def test_a_networks_line_shows_the_norm_numpy_computes_of_its_weights():
    import keras
    import numpy as np

    rng = np.random.default_rng(0)
    points, labels = rng.normal(size=(40, 3)).astype(np.float32), rng.integers(0, 2, 40)
    model = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(5, "tanh"),
            keras.layers.BatchNormalization(),  # Non-trainable weights count too.
            keras.layers.Dense(1, "sigmoid"),
        ]
    )
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    norms = []

    class Reference(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            weights = self.model.get_weights()
            norms.append(np.sqrt(sum(np.sum(np.square(w.astype(np.float64))) for w in weights)))

    stream = io.StringIO()
    model.fit(points, labels, epochs=3, verbose=0, callbacks=[Reference(), EpochPrinter(stream)])
    lines = stream.getvalue().splitlines()
    assert [line.split("|W| ")[1] for line in lines] == [f"{norm:.4f}" for norm in norms]
    assert len(set(norms)) == 3  # The weights moved: each line read them anew.

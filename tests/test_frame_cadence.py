"""A long run draws each image about 100 times at most, unless the student says otherwise.

The cadences are checked by the frames they draw (step 0, every k epochs, the
last epoch), against the rule the docs state: a key left unset keeps its own
cadence (5 epochs for the decision boundary and the weight histograms, 10
for the error surface) while
that draws at most `MAX_FRAMES` frames, and otherwise takes the smallest k
that does. The Day-3 panels (text, hidden state, forecast) draw every epoch,
or every ceil(epochs / 100)-th in a longer run.
"""

import io
import re

import pytest

import kerasclf

from kerasclf.callbacks.boundary import DecisionBoundaryLogger
from kerasclf.callbacks.error_surface import ErrorSurfaceLogger
from kerasclf.callbacks.forecast import ForecastLogger
from kerasclf.callbacks.generated_text import GeneratedTextLogger
from kerasclf.callbacks.hidden_state import HiddenStateLogger
from kerasclf.callbacks.weights import WeightLogger
from kerasclf.cli.main import main
from kerasclf.run.config_making import fill_defaults, make_config
from kerasclf.run.default_callbacks import default_callbacks
from kerasclf.run.frame_cadence import MAX_FRAMES, fill_cadence_defaults, frame_every
from kerasclf.run.outputs import resolved_settings
from kerasclf.run.preparation import prepare_run
from kerasclf.run.sequence_panels import sequence_callbacks

OWN_CADENCE = {"boundary_every": 5, "surface_every": 10, "histogram_every": 5}


def frames(epochs: int, every: int) -> list[int]:
    """The steps drawn: 0, every `every` epochs, and the last."""
    return sorted({*range(0, epochs + 1, every), epochs})


@pytest.mark.parametrize("epochs", [1, 100, 499, 500, 501, 1000, 1001, 5000, 123_457])
@pytest.mark.parametrize("key", list(OWN_CADENCE))
def test_an_unset_cadence_draws_its_own_or_at_most_max_frames(epochs, key):
    every = getattr(make_config(epochs=epochs), key)
    own = OWN_CADENCE[key]
    drawn = len(frames(epochs, every)) - 1  # Step 0 is the untrained model's.
    if len(frames(epochs, own)) - 1 <= MAX_FRAMES:
        assert every == own
    else:  # The smallest cadence that keeps to MAX_FRAMES.
        assert drawn <= MAX_FRAMES < len(frames(epochs, every - 1)) - 1


def test_a_5000_epoch_run_draws_101_frames_of_each():
    config = make_config(epochs=5000)
    for key in OWN_CADENCE:
        assert frames(5000, getattr(config, key)) == list(range(0, 5001, 50)), key


def test_a_cadence_given_is_kept_however_long_the_run():
    # As a flag, a config file's key, or an older run's config.json read to resume it.
    config = make_config({"boundary_every": 1}, epochs=5000, surface_every=3, histogram_every=0)
    assert (config.boundary_every, config.surface_every, config.histogram_every) == (1, 3, 0)


@pytest.mark.parametrize("value", ["1", "5"])
def test_a_cadence_for_a_callback_switched_off_is_refused_even_at_its_default(value, capsys):
    flags = ["--epochs", "3", "--boundary-every", value, "--callbacks-off", "boundary"]
    assert main(["train", *flags]) == 2
    error = capsys.readouterr().err
    assert f"Received: boundary_every={value}, callbacks_off='boundary'. Remove one" in error
    assert error.count("\n") == 1


@pytest.mark.parametrize(
    "flags, message",
    [
        (
            ["--dataset", "series", "--model", "lstm", "--boundary-every", "3"],
            "`boundary_every` sets how often DecisionBoundaryLogger logs, and this run leaves it "
            "out: it draws a plane of 2 inputs, and this run's samples have 2 axes. Received: "
            "boundary_every=3. Remove it.",
        ),
        (
            ["--dataset", "series", "--model", "lstm", "--surface-every", "4"],
            "`surface_every` sets how often ErrorSurfaceLogger logs, and this run leaves it out: "
            "it draws the cross-entropy over a plane of weights, and this run is a regression.",
        ),
    ],
)
def test_a_cadence_for_a_callback_the_run_leaves_out_is_refused(tmp_path, capsys, flags, message):
    logdir = tmp_path / "logs"
    assert main(["train", *flags, "--epochs", "2", "--logdir", str(logdir)]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1 and not logdir.exists()
    # The Python API refuses it alike; the automatic value (5, 10) is no setting ignored.
    values = dict(zip([flag[2:].replace("-", "_") for flag in flags[::2]], flags[1::2]))
    values = {key: int(value) if value.isdigit() else value for key, value in values.items()}
    with pytest.raises(ValueError, match=re.escape(message.split(" Received")[0])):
        kerasclf.train(**values, epochs=2, logdir=str(logdir))
    assert not logdir.exists()


def test_images_false_keeps_the_cadences_for_when_it_is_true(tmp_path):
    # An experiment's quick run switches pictures off and keeps its own cadences.
    result = kerasclf.train(
        images=False, boundary_every=20, surface_every=50, epochs=2, logdir=str(tmp_path)
    )
    assert result.summary["status"] == "completed"
    assert (result.config.boundary_every, result.config.surface_every) == (20, 50)


def test_a_callback_switched_off_leaves_its_cadence_unset():
    config = make_config(epochs=5000, callbacks_off=["boundary", "weights"])
    assert config.boundary_every is None and config.histogram_every is None
    assert config.surface_every == 50


def test_the_run_draws_at_its_cadence_and_config_json_records_it(tmp_path):
    prepared = prepare_run(epochs=1001, logdir=str(tmp_path))
    resolved = resolved_settings(prepared, str(tmp_path), "fused", 200)
    callbacks = default_callbacks(prepared, resolved, str(tmp_path), io.StringIO())
    (boundary,) = [c for c in callbacks if isinstance(c, DecisionBoundaryLogger)]
    (surface,) = [c for c in callbacks if isinstance(c, ErrorSurfaceLogger)]
    (weights,) = [c for c in callbacks if isinstance(c, WeightLogger)]
    # 1001 = 91 x 11: 92 frames.
    assert (boundary.every, surface.every, weights.histogram_every) == (11, 11, 11)
    assert prepared.config.to_dict()["boundary_every"] == 11


@pytest.mark.parametrize("epochs, every", [(20, 1), (100, 1), (101, 2), (1000, 10)])
def test_the_day_3_panels_draw_at_most_max_frames(tmp_path, epochs, every):
    prepared = prepare_run(
        dataset="grammar",
        model="gru",
        units=4,
        num_samples=200,
        epochs=epochs,
        logdir=str(tmp_path),
    )
    on = {"generated_text", "hidden_state"}
    loggers = sequence_callbacks(prepared, on, str(tmp_path))
    assert [type(logger) for logger in loggers] == [GeneratedTextLogger, HiddenStateLogger]
    assert [logger.every for logger in loggers] == [every, every]
    forecast = prepare_run(dataset="series", model="gru", units=4, epochs=epochs)
    (logger,) = sequence_callbacks(forecast, {"forecast"}, str(tmp_path))
    assert isinstance(logger, ForecastLogger) and logger.every == every


@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: frame_every(0),
            ValueError,
            "`epochs` must be an integer >= 1. Received: epochs=0.",
        ),
        (lambda: frame_every(10, every=2.5), TypeError, "Received: every=2.5 of type float."),
        (lambda: frame_every("100"), TypeError, "Received: epochs='100' of type str."),
        (lambda: fill_cadence_defaults({"epochs": 5}), TypeError, "`config` must be a TrainConfig"),
        (lambda: fill_defaults(None), TypeError, "Received: config=None of type NoneType."),
    ],
)
def test_the_cadence_functions_refuse_bad_input_in_one_line(call, error, message):
    with pytest.raises(error, match=re.escape(message)) as raised:
        call()
    assert "\n" not in str(raised.value)


def test_an_invalid_epochs_is_left_for_the_range_checks_to_refuse():
    with pytest.raises(ValueError, match=r"^`epochs` must be an integer >= 1\. Received: epochs=0"):
        make_config(epochs=0)

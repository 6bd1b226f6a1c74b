"""The panels a sequence model's run adds to TensorBoard.

    generated_text  GeneratedTextLogger: a character model's continuation of a fixed
                    prompt at temperatures 0.5 and 1, every epoch (Text tab)
    hidden_state    HiddenStateLogger: the first recurrent layer's units over the time
                    steps of the first shown sequence, every epoch
    forecast        ForecastLogger: a regression's predicted series against the truth,
                    over the shown windows in time order, every epoch
    projector       EmbeddingProjector: the Embedding layer's vectors, labelled with
                    their tokens, in TensorBoard's Projector, at the end

A run of more than `MAX_FRAMES` (100) epochs draws the first three every
k-th epoch instead, k = ceil(epochs / MAX_FRAMES) (`frame_every`), and at
the last: a character model's text alone takes about a second a frame.

They are candidates when the samples are sequences (one or two axes per
sample: token ids, or steps of features), and each is left out, with a note,
when the model does not fit it (`skip_reason`): generated text needs a
character vocabulary, the forecast a regression. They show the validation
set, else the test set, else the training set (`evaluation_set`).

Example:
    >>> sequence_callbacks(prepared, {"hidden_state"}, "logs/run")  # doctest: +SKIP
    [<HiddenStateLogger ...>]
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras

from kerasclf.callbacks.embedding_projector import EmbeddingProjector
from kerasclf.callbacks.forecast import ForecastLogger
from kerasclf.callbacks.generated_text import GeneratedTextLogger
from kerasclf.callbacks.hidden_state import HiddenStateLogger
from kerasclf.data import Data
from kerasclf.run.frame_cadence import frame_every
from kerasclf.run.image_panels import evaluation_set
from kerasclf.run.preparation import PreparedRun

# The switchable name of each sequence-model callback (`SWITCHABLE_CALLBACKS`).
SEQUENCE_CLASSES = {
    "generated_text": GeneratedTextLogger,
    "hidden_state": HiddenStateLogger,
    "forecast": ForecastLogger,
    "projector": EmbeddingProjector,
}
# The panels of one kind of data (a text, a regression's series, an Embedding): a run of
# another kind leaves them out without a note, as nobody expects them there.
KIND_CALLBACKS = ("generated_text", "forecast", "projector")
# The callbacks that only make sense for classes, and why (a regression has none). The
# first layer's weights and the feature maps show a regression's model as a classifier's.
CLASS_CALLBACKS = {
    "boundary": "it shows a classifier's probabilities",
    "surface": "it draws the cross-entropy over a plane of weights",
    "panels": "it shows a classifier's classes (confusion matrix, per-class accuracy, "
    "mistakes, PR curves)",
}
# The default prompt: the training text's first characters, at most this many.
PROMPT_CHARACTERS = 40
# Characters generated per temperature and epoch.
GENERATED_CHARACTERS = 200


def has_sequence_samples(prepared: PreparedRun) -> bool:
    """Whether the run's samples are sequences: a text's token ids, or a recurrent model's input.

    (Images and sequences of steps both have two axes per sample; the model
    tells them apart.)
    """
    training = prepared.training
    if not isinstance(training, Data):
        return False
    if training.vocabulary is not None:
        return True
    sequence_layers = (keras.layers.RNN, keras.layers.Embedding)
    return any(isinstance(layer, sequence_layers) for layer in prepared.model._flatten_layers())


def unfit_callbacks(prepared: PreparedRun) -> dict[str, str]:
    """The callbacks that this run's data or task rules out, with the reason."""
    training, reasons = prepared.training, {}
    if getattr(training, "vocabulary", None) is None:
        reasons["generated_text"] = "the data is not a text (no character vocabulary)"
    if prepared.config.task != "regression":
        reasons["forecast"] = "the task is not a regression"
    else:
        for name, why in CLASS_CALLBACKS.items():
            reasons[name] = f"{why}, and this run is a regression"
    return reasons


def default_prompt(training: Data) -> str:
    """The training text's first words: at most `PROMPT_CHARACTERS` of the first window.

    The prompt ends after a space where the window has one past its first
    quarter, so that the model starts a word rather than finishing a cut one.
    """
    first = training.vocabulary.decode(training.features[0][:PROMPT_CHARACTERS].astype(int))
    if len(first) < PROMPT_CHARACTERS:  # The whole window.
        return first
    cut = first.rfind(" ") + 1
    return first[:cut] if cut > PROMPT_CHARACTERS // 4 else first


def sequence_callbacks(prepared: PreparedRun, on: set[str], run_dir: str) -> list:
    """The sequence-model callbacks that are on, in the order they run.

    Args:
        prepared: The run: its model, data and config.
        on: The switchable callbacks that are on and fit the model and data.
        run_dir: The run directory.
    """
    config, model, training = prepared.config, prepared.model, prepared.training
    _, shown = evaluation_set(prepared)
    every = frame_every(config.epochs)
    callbacks = []
    if "generated_text" in on:
        prompt = config.prompt or default_prompt(training)
        training.vocabulary.encode(prompt)  # One line if the prompt has unknown characters.
        callbacks.append(
            GeneratedTextLogger(
                run_dir,
                model,
                training.vocabulary,
                prompt,
                length=GENERATED_CHARACTERS,
                seed=config.seed,
                # The model reads as many characters as it was trained on.
                context=config.sequence_length,
                every=every,
            )
        )
    if "hidden_state" in on:
        # A text's columns are labelled with the characters read.
        tokens = getattr(training, "vocabulary", None)
        callbacks.append(
            HiddenStateLogger(run_dir, model, shown.features[0], every=every, tokens=tokens)
        )
    if "forecast" in on:
        callbacks.append(ForecastLogger(run_dir, model, shown.features, shown.labels, every=every))
    if "projector" in on:
        tokens = training.vocabulary or [str(index) for index in range(training.vocabulary_size)]
        callbacks.append(EmbeddingProjector(run_dir, model, tokens))
    return callbacks

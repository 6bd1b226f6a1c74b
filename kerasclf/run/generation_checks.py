"""`check_generation`: the checks of `kerasclf generate` that need no TensorFlow.

The run directory, its model and vocabulary files, the prompt's characters
and the numbers are checked here, in a module that imports no TensorFlow,
so that the command line answers bad input at once; `kerasclf.run.generation`
runs the same checks before it loads the model.
"""

from __future__ import annotations

import os

from kerasclf.data.vocabulary import VOCABULARY_FILE, Vocabulary
from kerasclf.run.model_file import check_model_file
from kerasclf.validation import check_integer, check_number, shown

# The most characters `kerasclf generate` samples in one call.
MAX_LENGTH = 100_000


def check_generation(
    run_dir: str, prompt: str, length: int, temperature: float, seed: int
) -> Vocabulary:
    """Checks the run directory and the settings; returns the run's vocabulary.

    Raises:
        ValueError: one line: not a run directory, no model, no vocabulary (not
            a character model), a prompt with characters outside the
            vocabulary, a length < 1 or > `MAX_LENGTH`, a temperature < 0 or a negative seed.

    Example:
        >>> check_generation("/nonexistent", "a", 10, 1.0, 0)
        Traceback (most recent call last):
        ...
        ValueError: `run` folder does not exist. Received: run='/nonexistent'. Pass a run directory written by `kerasclf train`.
    """  # noqa: E501
    if not isinstance(run_dir, (str, os.PathLike)):
        raise TypeError(
            "`run` must be the path of a run directory written by `kerasclf train`. Received: "
            f"run={shown(run_dir)}."
        )
    run_dir = os.fspath(run_dir)
    check_model_file(run_dir)
    path = os.path.join(run_dir, VOCABULARY_FILE)
    if not os.path.isfile(path):
        raise ValueError(
            f"`run` is not a character model's run: it has no {VOCABULARY_FILE}, so its model "
            f"does not read text. Received: run={run_dir!r}. Generate from a run trained on text."
        )
    vocabulary = Vocabulary.load(path)
    if not isinstance(prompt, str) or not prompt:
        raise ValueError(
            f"`prompt` must be a non-empty string of the run's characters. "
            f"Received: prompt={shown(prompt)}."
        )
    vocabulary.encode(prompt, key="prompt")
    if isinstance(length, int) and length > MAX_LENGTH:
        raise ValueError(
            f"`length` must be an integer <= {MAX_LENGTH} (characters are sampled one at a "
            f"time: a stray zero would run for hours). Received: length={length!r}. Generate "
            "fewer, or call kerasclf.models.text_sampling.sample_text from Python."
        )
    check_integer("length", length)
    check_number("temperature", temperature, low=0.0, low_inclusive=True)
    check_integer("seed", seed, minimum=0)
    return vocabulary

"""`generate_from_run`: text from a finished character-model run.

A run that trained a character language model holds its model
(`model.keras`) and the vocabulary it was trained with (`vocabulary.json`,
`kerasclf.data.vocabulary`). This loads both and continues a prompt with
`kerasclf.models.text_sampling.sample_text`, after
`kerasclf.run.generation_checks.check_generation` has checked everything that
needs no TensorFlow.
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)

import os

from kerasclf.atomic_files import read_json
from kerasclf.run.directory import CONFIG_FILE
from kerasclf.models.text_sampling import sample_text
from kerasclf.run.generation_checks import check_generation
from kerasclf.run.prediction import load_run_model
from kerasclf.validation import suggests_keywords


@suggests_keywords
def generate_from_run(
    run_dir: str, prompt: str, length: int = 200, temperature: float = 1.0, seed: int = 0
) -> str:
    """Continues `prompt` with `length` characters sampled from a run's character model.

    Args:
        run_dir: A finished run's directory, with `model.keras` and `vocabulary.json`.
        prompt: The text to continue, of the run's characters.
        length: How many characters to generate (>= 1).
        temperature: T >= 0: 1 samples the model's probabilities, lower is
            surer, 0 takes the most probable character every time (greedy).
        seed: The seed of the draws (>= 0): the same seed, the same text.

    Returns:
        The generated characters, without the prompt.

    Raises:
        ValueError: one line, for anything `check_generation` refuses, or a
            model file that cannot be read.

    Example:
        >>> generate_from_run("logs/shakespeare", "ROMEO:", length=100)  # doctest: +SKIP
    """
    vocabulary = check_generation(run_dir, prompt, length, temperature, seed)
    model = load_run_model(os.fspath(run_dir))
    context = training_window(run_dir)
    return sample_text(model, vocabulary, prompt, length, temperature, seed=seed, context=context)


def training_window(run_dir: str) -> int | None:
    """The characters per window the run trained on (`config.json`), or None if not recorded.

    The model then reads the last that many characters of the text so far, as in training.
    """
    try:
        settings = read_json(os.path.join(os.fspath(run_dir), CONFIG_FILE))
    except (OSError, ValueError):  # No readable config: the model reads the whole text.
        return None
    window = settings.get("sequence_length") if isinstance(settings, dict) else None
    return window if isinstance(window, int) and window > 0 else None

"""`GeneratedTextLogger`: what a character model writes, epoch by epoch, in TensorBoard's Text tab.

At step 0 (the untrained model), every `every` epochs and at the last one, it
continues a fixed prompt by sampling `length` characters at each of a few
temperatures (`kerasclf.models.text_sampling`), with the same seed each time,
so that the frames differ only by what the model has learnt. The text goes
to tag `generated_text` under `<logdir>/train` as Markdown: a line that
says where the prompt ends and what the wrap mark means, then a heading
"temperature 0.5" per temperature and the prompt and its continuation as an
indented code block, which shows every space and line break as sampled.
"""

from __future__ import annotations


import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import tensorflow as tf

from kerasclf.callbacks.epoch_schedule import ScheduledLogger
from kerasclf.callbacks.requirements import first_reason, noted_skip_reason, probability_output
from kerasclf.callbacks.writers import EVENTS, SummaryWriters
from kerasclf.data.vocabulary import as_vocabulary
from kerasclf.models.text_sampling import TextSampler, token_time_steps
from kerasclf.validation import (
    check_directory_path,
    check_integer,
    check_number,
    shown,
    suggests_keywords,
)

TAG = "generated_text"
DESCRIPTION = (
    "The prompt continued by sampling one character at a time at each temperature T (p^(1/T), "
    "normalised: T = 1 the model's own probabilities, lower T surer), with the same seed at "
    "every step."
)


def token_input(model: keras.Model) -> str | None:
    """None if the model reads one sequence of token ids `(time,)`, else why not."""
    try:
        token_time_steps(model)
    except ValueError as error:
        return f"it samples from a character model: {error}"
    return None


# Shown lines are wrapped at this many characters (TensorBoard's code blocks do not wrap).
LINE_CHARACTERS = 80
# Ends a shown line that the text itself continues (a wrap, not a line break of the text).
WRAP_MARK = "↩"


def wrapped_lines(line: str, width: int = LINE_CHARACTERS) -> list[str]:
    """One line of text cut into shown lines of at most `width` characters, at spaces.

    Each cut line ends with its space, then `WRAP_MARK`; joining the lines
    without the marks gives the line back.

    Example:
        >>> wrapped_lines("the cat sees a dog.", width=8)
        ['the cat ↩', 'sees a ↩', 'dog.']
    """
    pieces = []
    while len(line) > width:
        cut = line.rfind(" ", 0, width) + 1 or width  # After a space, else hard.
        pieces.append(line[:cut] + WRAP_MARK)
        line = line[cut:]
    return [*pieces, line]


def generated_markdown(prompt: str, samples: dict[float, str]) -> str:
    """The Markdown of one step: a legend, then per temperature a heading and prompt + sample.

    The legend says how many characters of each block are the prompt. An
    indented code block (4 spaces a line) shows the text as it is: spaces,
    blank lines, and characters Markdown would read as markup. Lines longer
    than `LINE_CHARACTERS` are wrapped at a space, the cut marked `WRAP_MARK`.

    Example:
        >>> print(generated_markdown("ab", {0.5: "c\\nd"}))
        The first 2 characters of each text are the prompt; the model wrote the rest. ↩ ends \
a line cut here to fit, not a line break of the text.
        <BLANKLINE>
        ### temperature 0.5
        <BLANKLINE>
            abc
            d
    """
    parts = [
        f"The first {len(prompt)} characters of each text are the prompt; the model wrote the "
        f"rest. {WRAP_MARK} ends a line cut here to fit, not a line break of the text."
    ]
    for temperature, sample in samples.items():
        lines = (prompt + sample).replace("\r", "\\r").split("\n")
        shown = [piece for line in lines for piece in wrapped_lines(line)]
        block = "\n".join("    " + line for line in shown)
        parts.append(f"### temperature {temperature:g}\n\n{block}")
    return "\n\n".join(parts)


def sample_from_markdown(markdown: str, temperature: float) -> str:
    """The text (prompt + sample) of one temperature, read back from `generated_markdown`.

    Example:
        >>> sample_from_markdown(generated_markdown("ab", {1.0: "c\\nd"}), 1.0)
        'abc\\nd'
    """
    heading = f"### temperature {temperature:g}\n\n"
    block = markdown.split(heading, 1)[1].split("\n\n### temperature ", 1)[0]
    text = "\n".join(line[4:] for line in block.split("\n"))
    return text.replace(WRAP_MARK + "\n", "")


class GeneratedTextLogger(ScheduledLogger):
    """Logs text sampled from a character model at a few temperatures, as it trains.

    Args:
        logdir: The run directory; events go to `<logdir>/train`.
        model: The character model to sample from (token ids in, next-token
            softmax out); None for the model being trained.
        vocabulary: Its `Vocabulary` (`kerasclf.data.vocabulary`), or its tokens:
            a list of strings, one per token id.
        prompt: The text to continue, non-empty, of the vocabulary's characters.
        temperatures: The temperatures T >= 0 sampled at, one text each (0:
            the most probable character every time).
        length: Characters sampled per temperature (>= 1).
        every: Log every this many epochs (and at step 0 and the last epoch).
        seed: The seed of the draws, the same at every step.
        context: How many of the last characters the model sees (None: all
            of the text so far; the training windows' length keeps each
            character's cost fixed).

    Example:
        >>> logger = GeneratedTextLogger("logs/run", model, vocabulary, "ROMEO:")  # doctest: +SKIP
        >>> model.fit(x, y, epochs=10, callbacks=[logger])  # doctest: +SKIP
    """

    @classmethod
    def skip_reason(cls, model: keras.Model) -> str | None:
        """Why it cannot log for `model` (`callbacks.requirements`), or None."""
        return first_reason(model, token_input, probability_output)

    @suggests_keywords
    def __init__(
        self,
        logdir: str,
        model,
        vocabulary,
        prompt: str,
        temperatures=(0.5, 1.0),
        length: int = 200,
        every: int = 1,
        seed: int = 0,
        context: int | None = None,
    ):
        super().__init__(every)
        self.logdir = check_directory_path("logdir", logdir)
        self.logged_model = model
        self.vocabulary = vocabulary = as_vocabulary(vocabulary)
        if not isinstance(prompt, str) or not prompt:
            raise ValueError(
                "`prompt` must be a non-empty string of characters of the vocabulary. "
                f"Received: prompt={shown(prompt)}."
            )
        vocabulary.encode(prompt, key="prompt")
        self.prompt = prompt
        if isinstance(temperatures, (int, float)) or not tuple(temperatures):
            raise ValueError(
                "`temperatures` must be a non-empty sequence of numbers >= 0, e.g. (0.5, 1.0). "
                f"Received: temperatures={shown(temperatures)}."
            )
        self.temperatures = tuple(
            check_number("temperatures", value, low=0.0, low_inclusive=True)
            for value in temperatures
        )
        self.length = check_integer("length", length)
        self.seed = check_integer("seed", seed, minimum=0)
        self.context = None if context is None else check_integer("context", context)
        self._writers = SummaryWriters(logdir)
        self._sampler = None
        self._skip_reason = None

    def on_train_begin(self, logs=None):
        logs = logs or {}
        model = self.logged_model if self.logged_model is not None else self.model
        self._skip_reason = noted_skip_reason(self, model)
        if self._skip_reason is not None:
            return
        if self._sampler is None:
            self._sampler = TextSampler(model, self.vocabulary, self.context)
        if int(self.model.optimizer.iterations.numpy()) == 0:
            self._log(step=0)

    def is_drawing(self) -> bool:
        return self._sampler is not None

    def on_train_end(self, logs=None):
        self.log_final_step()
        self._writers.close()

    def samples(self) -> dict[float, str]:
        """The continuation of the prompt at each temperature, by the current weights."""
        return {
            temperature: self._sampler.sample(self.prompt, self.length, temperature, self.seed)
            for temperature in self.temperatures
        }

    def _log(self, step: int) -> None:
        markdown = generated_markdown(self.prompt, self.samples())
        with self._writers[EVENTS].as_default():
            tf.summary.text(TAG, markdown, step=step, description=DESCRIPTION)
        self._schedule.logged(step)

"""Sampling text from a character model, one character at a time, at a temperature.

A character language model reads token ids `(batch, time)` and gives the
probabilities p of the next character. Sampling appends one drawn character
and asks again, for as many characters as wanted. The temperature T reshapes
the probabilities before each draw:

    p_T(c) = p(c)^(1/T) / sum_c' p(c')^(1/T)

computed as softmax(log p / T) (the largest term subtracted first, so that a
tiny T does not overflow): T = 1 samples the model's own probabilities, T -> 0
becomes the most probable character, T > 1 flattens them. T = 0 itself is that
limit, greedy decoding: the most probable character every time (the first of
equally probable ones), whatever the seed.

The model sees the last `context` tokens of the text so far (all of it by
default). A model whose time axis is fixed at T steps sees the last T tokens,
left-padded with the first token of the text when it is shorter. One compiled
forward function (a `tf.function` over sequences of any length) serves
every step of every sample a `TextSampler` draws, so a character costs one
small graph call. Once the text is longer than what the model sees, every
window has the same length, and XLA compiles that step once: where XLA pays
(`kerasclf.models.xla`), a character then costs about a third of the
graph's, whose recurrent loop runs op by op (about 0.4 against 1.3 ms on
Day 3's models, `python -m benchmarks.text_generation`).
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)

import keras
import numpy as np
import tensorflow as tf

from kerasclf.data.vocabulary import as_vocabulary
from kerasclf.models.inspection import check_probability_output
from kerasclf.models.token_embedding import input_embeddings
from kerasclf.models.xla import xla_is_faster
from kerasclf.validation import (
    check_integer,
    check_number,
    did_you_mean,
    shown,
    suggests_keywords,
)

# What XLA raises for a step it cannot compile (a user's layer of an op without an XLA kernel).
XLA_COMPILE_ERRORS = (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError)


def token_time_steps(model: keras.Model) -> int | None:
    """The model's fixed number of time steps, or None for a variable time axis.

    Raises one line unless the model reads one sequence of token ids `(time,)`:
    integers, or floats that an Embedding reads (Keras's default input dtype,
    which a text run trains with: it feeds the ids as float32).

    Example:
        >>> model = keras.Sequential([keras.Input((None,), dtype="int32"),
        ...                           keras.layers.Embedding(5, 2)])
        >>> token_time_steps(model) is None
        True
        >>> token_time_steps(keras.Sequential([keras.Input((40,)), keras.layers.Embedding(5, 2)]))
        40
        >>> token_time_steps(keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]))
        Traceback (most recent call last):
        ...
        ValueError: sampling text needs a model that reads one sequence of token ids, an input of shape (time,) or (None,) of integers, or of floats that an Embedding reads. Received: a model with input shape (4,) of dtype float32, read by no Embedding.
    """  # noqa: E501
    inputs = getattr(model, "inputs", None) or []
    shape = tuple(inputs[0].shape[1:]) if len(inputs) == 1 else None
    dtype = str(getattr(inputs[0], "dtype", "")) if len(inputs) == 1 else ""
    embedded = "float" in dtype and bool(input_embeddings(model))
    if shape is None or len(shape) != 1 or not ("int" in dtype or embedded):
        raise ValueError(
            "sampling text needs a model that reads one sequence of token ids, an input of "
            "shape (time,) or (None,) of integers, or of floats that an Embedding reads. "
            f"Received: a model with input shape {shown(shape)} of dtype {dtype or None}"
            + (", read by no Embedding." if "float" in dtype else ".")
        )
    return shape[0]


def tempered_probabilities(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """p^(1/T), normalised: softmax(log p / T), safe for a tiny T and for p = 0.

    At T = 0, the limit: all the probability on the most probable class (the
    first of equal ones).

    Example:
        >>> tempered_probabilities(np.array([0.2, 0.8]), 0.5).round(4).tolist()
        [0.0588, 0.9412]
        >>> tempered_probabilities(np.array([0.2, 0.8]), 1e-9).tolist()
        [0.0, 1.0]
        >>> tempered_probabilities(np.array([0.2, 0.8]), 1e-320).tolist()  # 1/T overflows.
        [0.0, 1.0]
        >>> tempered_probabilities(np.array([0.4, 0.2, 0.4]), 0.0).tolist()  # Greedy.
        [1.0, 0.0, 0.0]
    """
    probabilities = np.asarray(probabilities, np.float64)
    if temperature == 0:
        return np.eye(len(probabilities))[np.argmax(probabilities)]
    with np.errstate(divide="ignore", over="ignore"):
        logits = np.log(np.clip(probabilities, 0.0, None))
        # The largest first: it stays 0 at any T, the others fall to -inf, never NaN.
        weights = np.exp((logits - logits.max()) / temperature)
    return weights / weights.sum()


def context_window(tokens: list[int], time_steps: int | None, context: int | None) -> np.ndarray:
    """The tokens the model sees next: the last `context` (or `time_steps`, padded).

    Example:
        >>> context_window([4, 5, 6], time_steps=5, context=None).tolist()
        [4, 4, 4, 5, 6]
        >>> context_window([4, 5, 6], time_steps=None, context=2).tolist()
        [5, 6]
    """
    if time_steps is not None:
        window = tokens[-time_steps:]
        return np.asarray([tokens[0]] * (time_steps - len(window)) + window, np.int32)
    return np.asarray(tokens if context is None else tokens[-context:], np.int32)


def forward_function(model: keras.Model):
    """The next-token probabilities `(vocabulary,)` of one window `(time,)`, traced once.

    The concrete function of a `tf.function` over windows of any length, so
    that every step of every sample it serves reuses one traced graph
    (`TextSampler` keeps one), and a call skips matching its argument to a
    trace (a tenth of a millisecond).

    Example:
        >>> model = keras.Sequential([keras.Input((None,), dtype="int32"),
        ...     keras.layers.Embedding(3, 2), keras.layers.GRU(2),
        ...     keras.layers.Dense(3, activation="softmax")])
        >>> forward_function(model)(tf.constant([0, 2, 1])).shape
        TensorShape([3])
    """
    dtype = tf.as_dtype(model.inputs[0].dtype)

    def forward(window):
        outputs = model(tf.cast(window, dtype)[None], training=False)
        outputs = tf.reshape(outputs, [-1, tf.shape(outputs)[-1]])
        return outputs[-1]  # A model that outputs every step: the last one's.

    return tf.function(forward).get_concrete_function(tf.TensorSpec([None], tf.int32))


def compiled_forward(forward, length: int):
    """`forward_function`'s graph for windows of `length`, compiled by XLA at its first call.

    It calls the graph already traced, so the model is not traced again.

    Example:
        >>> model = keras.Sequential([keras.Input((None,), dtype="int32"),
        ...     keras.layers.Embedding(3, 2), keras.layers.GRU(2),
        ...     keras.layers.Dense(3, activation="softmax")])
        >>> compiled_forward(forward_function(model), 3)(tf.constant([0, 2, 1])).shape
        TensorShape([3])
    """

    def call(window):
        return forward(window)

    function = tf.function(call, jit_compile=True)
    return function.get_concrete_function(tf.TensorSpec([length], tf.int32))


class TextSampler:
    """Samples text from one model with one vocabulary; reuse it for many samples.

    Args:
        model: Reads token ids `(time,)` (a fixed or variable time axis) and
            outputs the next token's probabilities (a softmax over the vocabulary).
        vocabulary: The model's `kerasclf.data.vocabulary.Vocabulary`, or its
            tokens: a list of strings, one per token id.
        context: How many of the last tokens the model sees (None: all of the
            text so far). A model with a fixed time axis always sees its own
            number of steps.
        jit_compile: Whether XLA compiles the step for the windows of full
            length (`context` or the fixed time axis; with neither, every
            window is longer than the last and none is compiled). "auto":
            where XLA is faster (`kerasclf.models.xla.xla_is_faster`, not
            for convolutions on a CPU). A model whose step XLA cannot
            compile is run without it.

    Example:
        >>> sampler = TextSampler(model, vocabulary)  # doctest: +SKIP
        >>> sampler.sample("ROMEO:", length=100, temperature=0.8)  # doctest: +SKIP
    """

    @suggests_keywords
    def __init__(
        self,
        model: keras.Model,
        vocabulary,
        context: int | None = None,
        jit_compile: bool | str = "auto",
    ):
        if not (jit_compile == "auto" or isinstance(jit_compile, bool)):
            typo = did_you_mean(jit_compile, ["auto"]) if isinstance(jit_compile, str) else ""
            raise ValueError(
                '`jit_compile` must be True, False or "auto". '
                f"Received: jit_compile={shown(jit_compile)}.{typo}"
            )
        vocabulary = as_vocabulary(vocabulary)
        self.time_steps = token_time_steps(model)
        check_probability_output(model)
        outputs = model.outputs[0].shape[-1] if getattr(model, "outputs", None) else None
        # A sigmoid unit is p(token 1) of a two-token vocabulary.
        self._sigmoid = outputs == 1 and vocabulary.size == 2
        if outputs is not None and outputs != vocabulary.size and not self._sigmoid:
            raise ValueError(
                f"the model outputs {outputs} probabilities per step, but the vocabulary has "
                f"{vocabulary.size} characters. Received: vocabulary of size {vocabulary.size}. "
                "Pass the vocabulary the model was trained with."
            )
        if context is not None:
            context = check_integer("context", context)
            if self.time_steps is not None and context != self.time_steps:
                raise ValueError(
                    f"`context` must be None or {self.time_steps} for a model with a fixed time "
                    f"axis of {self.time_steps} steps. Received: context={context}."
                )
        self.model = model
        self.vocabulary = vocabulary
        self.context = context
        self._forward = forward_function(model)
        # The one window length that XLA compiles: every window's, once the text is long enough.
        self._full_length = self.time_steps or context
        if jit_compile == "auto":
            jit_compile = xla_is_faster(model)
        use_xla = jit_compile and self._full_length is not None
        self._compiled_forward = (
            compiled_forward(self._forward, self._full_length) if use_xla else None
        )

    def probabilities(self, tokens: list[int]) -> np.ndarray:
        """The model's probabilities of the token after `tokens`, float64, summing to 1."""
        window = tf.constant(context_window(tokens, self.time_steps, self.context))
        probabilities = np.asarray(self._window_probabilities(window), np.float64)
        if self._sigmoid:
            probabilities = np.array([1.0 - probabilities[0], probabilities[0]])
        return np.clip(probabilities, 0.0, None) / max(probabilities.sum(), 1e-300)

    def _window_probabilities(self, window: tf.Tensor) -> tf.Tensor:
        """The model's output for one window: XLA's program for a full one, where it compiles."""
        if self._compiled_forward is not None and window.shape[0] == self._full_length:
            try:
                return self._compiled_forward(window)
            except XLA_COMPILE_ERRORS:  # Not XLA's: the graph runs it, now and later.
                self._compiled_forward = None
        return self._forward(window)

    def sample(self, prompt: str, length: int, temperature: float, seed: int = 0) -> str:
        """The `length` characters that follow `prompt` (without the prompt)."""
        if not isinstance(prompt, str) or not prompt:
            raise ValueError(
                f"`prompt` must be a non-empty string of characters of the vocabulary. "
                f"Received: prompt={shown(prompt)}."
            )
        length = check_integer("length", length)
        temperature = check_number("temperature", temperature, low=0.0, low_inclusive=True)
        seed = check_integer("seed", seed, minimum=0)
        tokens = [int(token) for token in self.vocabulary.encode(prompt, key="prompt")]
        start = len(tokens)
        generator = np.random.default_rng(seed)
        for _ in range(length):
            weights = tempered_probabilities(self.probabilities(tokens), temperature)
            tokens.append(int(generator.choice(len(weights), p=weights)))
        return self.vocabulary.decode(np.asarray(tokens[start:], np.int32))


@suggests_keywords
def sample_text(
    model: keras.Model,
    vocabulary,
    prompt: str,
    length: int,
    temperature: float,
    seed: int = 0,
    context: int | None = None,
) -> str:
    """Samples `length` characters after `prompt`, one at a time, at `temperature`.

    Each character is drawn from p^(1/T) / sum p^(1/T) of the model's
    probabilities given the last `context` tokens (module docstring), with
    numpy's generator seeded by `seed`: the same seed gives the same text.

    Args:
        model: A character model: token ids `(time,)` in, next-token softmax out.
        vocabulary: The model's `Vocabulary`, or its tokens (a list of strings).
        prompt: The text to continue, non-empty, of the vocabulary's characters.
        length: How many characters to generate (>= 1).
        temperature: T >= 0; 1 samples the model's probabilities, 0 takes
            the most probable character every time (greedy).
        seed: The seed of the draws (>= 0).
        context: How many of the last tokens the model sees (None: all).

    Returns:
        The generated characters, without the prompt.

    Example:
        >>> sample_text(model, vocabulary, "The ", length=50, temperature=0.5)  # doctest: +SKIP
    """
    return TextSampler(model, vocabulary, context).sample(prompt, length, temperature, seed)

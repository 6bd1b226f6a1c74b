"""`EmbeddingProjector`: a model's embedding of its tokens, in TensorBoard's Projector tab.

A character model's Embedding layer gives each token a vector; tokens used
alike end up near each other. TensorBoard's Projector shows such vectors in
3-D (PCA, t-SNE, UMAP), each labelled with its token. It reads, from the
run's event directory `<logdir>/train`:

    embedding-N.index, .data-*   a TensorFlow checkpoint of the matrix
                                 (vocabulary_size, dimensions), variable
                                 `embedding` (`TENSOR_NAME` in the checkpoint)
    checkpoint                   which checkpoint is the latest
    metadata.tsv                 one token per row, in id order, written
                                 readably: a newline as \\n, a tab as \\t,
                                 a space as ␣, a backslash as \\\\
    projector_config.pbtxt       the config that ties them together

They are written at the end of training, and also every `every` epochs if
`every` is given (each time replacing the last, the projector shows one).
"""

from __future__ import annotations

import os

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras
import numpy as np
import tensorflow as tf
from google.protobuf import text_format
from tensorboard.plugins import projector

from kerasclf.atomic_files import write_bytes
from kerasclf.callbacks.requirements import noted_skip_reason
from kerasclf.callbacks.writers import EVENTS, SummaryWriters
from kerasclf.data.vocabulary import token_strings
from kerasclf.validation import check_directory_path, check_integer, suggests_keywords

METADATA_FILE = "metadata.tsv"
CHECKPOINT_NAME = "embedding"
# The matrix's name inside the checkpoint of `tf.train.Checkpoint(embedding=...)`.
TENSOR_NAME = "embedding/.ATTRIBUTES/VARIABLE_VALUE"
# Characters a row of metadata.tsv cannot hold as they are (or that would look empty).
READABLE_CHARACTERS = {"\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", " ": "\N{OPEN BOX}"}


def readable_token(token: str) -> str:
    """A token as one visible row of metadata.tsv.

    Example:
        >>> [readable_token(token) for token in ["a", "\\n", " ", "\\t"]]
        ['a', '\\\\n', '␣', '\\\\t']
    """
    return "".join(READABLE_CHARACTERS.get(character, character) for character in token)


def first_embedding(model: keras.Model):
    """The first Embedding layer, nested models' layers included, or None."""
    for layer in getattr(model, "layers", []):
        if isinstance(layer, keras.layers.Embedding):
            return layer
        if getattr(layer, "layers", None):
            found = first_embedding(layer)
            if found is not None:
                return found
    return None


def embedding_reason(model: keras.Model) -> str | None:
    """None if the model has an Embedding layer to show, else why not."""
    if first_embedding(model) is None:
        return "it shows the vectors of an Embedding layer, and this model has none"
    return None


def write_projector_files(directory: str, matrix: np.ndarray, tokens) -> str:
    """Writes the checkpoint, metadata.tsv and projector_config.pbtxt; returns the checkpoint."""
    os.makedirs(directory, exist_ok=True)
    rows = "".join(readable_token(token) + "\n" for token in tokens)
    write_bytes(os.path.join(directory, METADATA_FILE), rows.encode("utf-8"))
    checkpoint = tf.train.Checkpoint(embedding=tf.Variable(matrix))
    manager = tf.train.CheckpointManager(
        checkpoint, directory, max_to_keep=1, checkpoint_name=CHECKPOINT_NAME
    )
    path = manager.save()
    config = projector.ProjectorConfig()
    embedding = config.embeddings.add()
    embedding.tensor_name = TENSOR_NAME
    embedding.metadata_path = METADATA_FILE  # Relative to the config's directory.
    text = text_format.MessageToString(config).encode("utf-8")
    write_bytes(os.path.join(directory, projector.metadata.PROJECTOR_FILENAME), text)
    return path


class EmbeddingProjector(keras.callbacks.Callback):
    """Writes the Embedding layer's matrix and its tokens for TensorBoard's Projector.

    Args:
        logdir: The run directory; the files go to `<logdir>/train`.
        model: The model whose first Embedding layer is shown; None for the
            model being trained.
        tokens: One label per row of the matrix, in id order: strings, or a
            `Vocabulary` (its `tokens`).
        every: Also write every this many epochs (None: at the end only).

    Example:
        >>> projector = EmbeddingProjector("logs/run", model, vocabulary)  # doctest: +SKIP
        >>> model.fit(x, y, epochs=10, callbacks=[projector])  # doctest: +SKIP
    """

    @classmethod
    def skip_reason(cls, model: keras.Model) -> str | None:
        """Why it cannot write for `model` (`callbacks.requirements`), or None."""
        return embedding_reason(model)

    @suggests_keywords
    def __init__(self, logdir: str, model, tokens, every: int | None = None):
        super().__init__()
        self.logdir = check_directory_path("logdir", logdir)
        self.logged_model = model
        self.tokens = token_strings(tokens)
        self.every = None if every is None else check_integer("every", every)
        self._layer = None
        self.checkpoint_path = None

    def on_train_begin(self, logs=None):
        logs = logs or {}
        if self._layer is not None:
            return
        model = self.logged_model if self.logged_model is not None else self.model
        if noted_skip_reason(self, model) is not None:
            return
        layer = first_embedding(model)
        if layer.input_dim != len(self.tokens):
            raise ValueError(
                f"`tokens` must label each of the {layer.input_dim} rows of the embedding "
                f"{layer.name!r}. Received: {len(self.tokens)} tokens."
            )
        self._layer = layer
        # The run's event directory must hold an event file for TensorBoard to list it.
        writers = SummaryWriters(self.logdir)
        writers[EVENTS].flush()
        writers.close()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._layer is not None and self.every is not None and (epoch + 1) % self.every == 0:
            self.write()

    def on_train_end(self, logs=None):
        logs = logs or {}
        if self._layer is not None:
            self.write()

    def write(self) -> str:
        """Writes the projector files of the current weights; returns the checkpoint's path."""
        matrix = keras.ops.convert_to_numpy(self._layer.embeddings).copy()
        directory = os.path.join(self.logdir, EVENTS)
        self.checkpoint_path = write_projector_files(directory, matrix, self.tokens)
        return self.checkpoint_path

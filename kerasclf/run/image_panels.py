"""The panels an image classifier's run adds to TensorBoard, on its held-out images.

    panels          ClassificationPanels: confusion_matrix, class_accuracy/<class>,
                    misclassified, pr_curves/<class>, every epoch
    first_layer     FirstLayerImages: the first layer's units or filters, every epoch
    activations     ActivationImages: the first held-out image's feature maps, every
                    `ACTIVATIONS_EVERY` epochs
    gradient_norms  GradientNorms: gradient_norm/<layer>, every epoch

A run of more than `MAX_FRAMES` epochs draws the first three every k-th
epoch instead (`frame_every`), k = ceil(epochs / MAX_FRAMES): the
seminar's feed-forward network trains 1,500 full-batch epochs, where a
frame of each per epoch would take about 250 MB of images and two fifths of
the run's time (measured on 200 epochs: 33 MB, 22 of 55 ms an epoch).

They are on when the samples are images (two or more axes), and each is
left out, with a note, when the model does not fit it (`skip_reason`). The
panels read the validation set, else the test set, else the training set.

Example:
    >>> evaluation_set(prepared)[0]  # doctest: +SKIP
    'test'
"""

from __future__ import annotations


from kerasclf.callbacks.activations import ActivationImages
from kerasclf.callbacks.classification_panels import ClassificationPanels
from kerasclf.callbacks.first_layer import FirstLayerImages
from kerasclf.callbacks.gradient_norms import GradientNorms
from kerasclf.data import DATASETS, Data
from kerasclf.run.frame_cadence import frame_every
from kerasclf.run.preparation import PreparedRun

# The switchable name of each image-classifier callback (`SWITCHABLE_CALLBACKS`).
PANEL_CLASSES = {
    "panels": ClassificationPanels,
    "first_layer": FirstLayerImages,
    "activations": ActivationImages,
    "gradient_norms": GradientNorms,
}
# Feature maps are drawn every this many epochs (and at the last one).
ACTIVATIONS_EVERY = 5


def has_image_samples(prepared: PreparedRun) -> bool:
    """Whether the run's samples are images: the panels' data.

    A data file's samples of two or more axes are; a named dataset's are when
    it is a set of images (`series` and `long_dependency` hold sequences of
    two axes, which a logistic or mlp model reads flattened).
    """
    config = prepared.config
    if config.data is None and DATASETS[config.dataset].kind != "images":
        return False
    return len(getattr(prepared.training, "feature_shape", ()) or ()) >= 2


def evaluation_set(prepared: PreparedRun) -> tuple[str, Data]:
    """The set the panels show, and its name: validation, else test, else training."""
    for name, data in (("validation", prepared.validation), ("test", prepared.test)):
        if data is not None:
            return name, data
    return "training", prepared.training


def panel_callbacks(prepared: PreparedRun, on: set[str], run_dir: str, stream) -> list:
    """The image-classifier callbacks that are on, in the order they run.

    Args:
        prepared: The run: its model, data and seed.
        on: The switchable callbacks that are on and fit the model.
        run_dir: The run directory.
        stream: Where notes go.
    """
    shown_name, shown = evaluation_set(prepared)
    training, epochs = prepared.training, prepared.config.epochs
    callbacks = []
    if "panels" in on:
        callbacks.append(
            ClassificationPanels(
                run_dir,
                shown.features,
                shown.labels,
                training.label_names,
                every=frame_every(epochs),
                stream=stream,
                data_name=shown_name,
            )
        )
    if "first_layer" in on:
        callbacks.append(FirstLayerImages(run_dir, every=frame_every(epochs)))
    if "activations" in on:
        every = frame_every(epochs, ACTIVATIONS_EVERY)
        callbacks.append(ActivationImages(run_dir, shown.features[0], every=every))
    if "gradient_norms" in on:
        callbacks.append(
            GradientNorms(run_dir, training.features, training.labels, seed=prepared.config.seed)
        )
    return callbacks

"""The colours of a decision-boundary image: one per class, and the field's lookup table.

With two classes the field is coloured by p(class 1) on a pale red-blue
scale, and the classes take the two ends of that scale. With k > 2 classes
each class has its own colour (tab10 up to 10 classes, hue steps past that),
and the field takes 256 shades of its predicted class's colour, from nearly
white where the model is least sure (p = 1/k) to a pale class colour where it
is sure. The row of the table a pixel takes is `callbacks.probability_field`'s.

Example:
    >>> colours = class_colours(3)
    >>> colours.shape, field_colours(colours, binary=False).shape
    ((3, 3), (768, 3))
    >>> field_colours(class_colours(2), binary=True).shape
    (256, 3)
"""

from __future__ import annotations

import matplotlib
import numpy as np

from kerasclf.callbacks.colours import colour_table

# The shades of the field: per class for k > 2.
NUM_SHADES = 256
BINARY_COLOURMAP = "RdBu_r"


def class_colours(num_classes: int) -> np.ndarray:
    """Full-strength colours `(num_classes, 3)` in 0..1, one per class.

    Example:
        >>> class_colours(11).shape
        (11, 3)
    """
    if num_classes == 2:
        return matplotlib.colormaps[BINARY_COLOURMAP]([0.08, 0.92])[:, :3]
    if num_classes <= 10:
        return np.array(matplotlib.colormaps["tab10"].colors[:num_classes])
    return matplotlib.colormaps["hsv"](np.linspace(0.0, 1.0, num_classes, endpoint=False))[:, :3]


def field_colours(colours: np.ndarray, binary: bool) -> np.ndarray:
    """The lookup table: 256 shades of p(class 1), or 256 per class for k > 2.

    Args:
        colours: `class_colours(k)`, used for k > 2.
        binary: Whether the field shows p(class 1) of two classes.

    Returns:
        uint8 colours `(256, 3)`, or `(256 k, 3)` with class c in rows 256 c to
        256 c + 255, least sure first.
    """
    if binary:
        return colour_table(BINARY_COLOURMAP, NUM_SHADES, lighten=0.35)
    white = np.ones(3)
    shades = []
    for colour in colours:
        pale = colour + 0.45 * (1.0 - colour)
        # Level 0 is the least sure prediction, p = 1/k: nearly white.
        strength = 0.12 + 0.88 * np.linspace(0.0, 1.0, NUM_SHADES)[:, None]
        shades.append(white + strength * (pale - white))
    return np.round(np.concatenate(shades) * 255).astype(np.uint8)

"""Colours as uint8 RGB: one colour, or a lookup table sampled from a colormap.

A frame is coloured by indexing a table with each pixel's class or band
(`np.take(table, bands, axis=0)`), far faster than asking matplotlib for
each pixel's colour.
"""

from __future__ import annotations

import matplotlib.colors
import numpy as np


def rgb255(colour) -> np.ndarray:
    """A matplotlib colour (name, hex or tuple) as three uint8 values.

    Example:
        >>> rgb255("#e41a1c").tolist()
        [228, 26, 28]
    """
    return np.round(np.array(matplotlib.colors.to_rgb(colour)) * 255).astype(np.uint8)


def colour_table(colormap, num_colours: int = 256, lighten: float = 0.0) -> np.ndarray:
    """A lookup table `(num_colours, 3)` of uint8 colours sampled from a colormap.

    Args:
        colormap: A matplotlib colormap, or its name.
        num_colours: Number of entries.
        lighten: How far to blend each colour towards white, 0 to 1, so that
            points drawn on top of a field of these colours stand out.

    Example:
        >>> colour_table("gray", 2).tolist()
        [[0, 0, 0], [255, 255, 255]]
    """
    if isinstance(colormap, str):
        colormap = matplotlib.colormaps[colormap]
    colours = colormap(np.linspace(0.0, 1.0, num_colours))[:, :3]
    colours = colours + lighten * (1.0 - colours)
    return np.round(colours * 255).astype(np.uint8)

"""Several optimizers' paths on one error surface, for comparing them.

The cost J(w1, w2) of a logistic model is drawn as filled contours over a
grid, with the bias held at the reference run's final value, and its lowest
point marked; every run's (w1, w2) path is drawn on top in its own colour,
each over the runs before it in a thinner line, so that paths along the same
line all show.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import kerasclf
from kerasclf.run.preparation import load_training_data


def cost_grid(features, labels, bias, w1_values, w2_values) -> np.ndarray:
    """Summed cross-entropy at each (w1, w2) of a grid, in float64 numpy."""
    w1, w2 = np.meshgrid(w1_values, w2_values)
    logits = features[:, 0, None, None] * w1 + features[:, 1, None, None] * w2 + bias
    labels = labels[:, None, None]
    return np.sum(np.logaddexp(0.0, logits) - labels * logits, axis=0)


def draw_paths(reference: kerasclf.TrainResult, paths: dict[str, np.ndarray]) -> np.ndarray:
    """An RGB image of the error surface with every path drawn on it.

    Args:
        reference: The run whose data and final bias define the surface.
        paths: Run name -> array (steps, 3) of (w1, w2, b) after each epoch.

    Returns:
        A uint8 array (height, width, 3).
    """
    figure, _ = paths_figure(reference, paths)
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())[:, :, :3].copy()


def paths_figure(
    reference: kerasclf.TrainResult, paths: dict[str, np.ndarray]
) -> tuple[Figure, tuple[float, float]]:
    """The figure that `draw_paths` draws, and the (w1, w2) of the surface's lowest grid point.

    Example:
        >>> figure, (w1, w2) = paths_figure(result, {"gd": path})  # doctest: +SKIP
        >>> figure.axes[0].transData.transform((w1, w2))  # The minimum's pixel.  # doctest: +SKIP
    """
    training, _, _ = load_training_data(reference.config)
    features = training.features.astype(np.float64)
    labels = training.labels.astype(np.float64)
    bias = float(reference.bias)
    points = np.concatenate([path[:, :2] for path in paths.values()])
    low, high = points.min(axis=0), points.max(axis=0)
    margin = np.maximum(0.25 * (high - low), 0.1)
    w1_values = np.linspace(low[0] - margin[0], high[0] + margin[0], 160)
    w2_values = np.linspace(low[1] - margin[1], high[1] + margin[1], 160)
    costs = cost_grid(features, labels, bias, w1_values, w2_values)

    figure = Figure(figsize=(6.4, 5.2), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    # Levels crowd towards the minimum, where the paths end.
    levels = costs.min() + (costs.max() - costs.min()) * np.linspace(0, 1, 24) ** 2
    filled = axes.contourf(w1_values, w2_values, costs, levels=levels, cmap="viridis")
    # Thin lines between the bands, so that the bowl shows where the colours are all dark.
    axes.contour(w1_values, w2_values, costs, levels=levels, colors="white", linewidths=0.3)
    figure.colorbar(filled, ax=axes, label="cost J (summed)")
    colours = matplotlib.colormaps["tab10"].colors
    for index, ((name, path), colour) in enumerate(zip(paths.items(), colours)):
        # Each run over the ones before, in a thinner line: where two paths run
        # along the same line (plain GD and momentum 0.5), the one below shows
        # at both sides of the one on top.
        order = 3 + index
        width = 1.5 + 2.0 * (len(paths) - 1 - index)
        axes.plot(
            path[:, 0],
            path[:, 1],
            "-o",
            color=colour,
            markersize=width + 1,
            linewidth=width,
            label=name,
            zorder=order,
        )
        axes.plot(path[-1, 0], path[-1, 1], "*", color=colour, markersize=10, zorder=order)
    row, column = np.unravel_index(np.argmin(costs), costs.shape)
    axes.plot(
        w1_values[column],
        w2_values[row],
        "X",
        color="black",
        markeredgecolor="white",
        markersize=11,
        label="minimum at this b",
        zorder=3 + len(paths) + 1,
    )
    axes.set_xlabel("w1", fontsize=12)
    axes.set_ylabel("w2", fontsize=12)
    axes.set_title(f"error surface at b = {bias:.3f}, with each optimizer's path", fontsize=12)
    axes.tick_params(labelsize=11)
    axes.legend(loc="upper left", fontsize=10)
    return figure, (float(w1_values[column]), float(w2_values[row]))

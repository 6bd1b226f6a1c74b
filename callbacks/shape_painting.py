"""Lines and marks painted into a frame with numpy: polylines, rings, discs, arrows, edges.

A frame is the axes box as an array `(rows, columns, 3)` of uint8, row 0 at
the top. Points are `(column, row)` in continuous pixel units, pixel
`(i, j)` covering `[j, j + 1) x [i, i + 1)`; `RasterPlot.to_pixels`
converts data coordinates to these. Painting is not antialiased: a mark is
the set of pixels a round brush covers, set to one colour, which takes tens
of microseconds where matplotlib takes milliseconds per frame.

Example:
    >>> box = np.zeros((10, 10, 3), np.uint8)
    >>> paint_polyline(box, [[-5.0, 5.0], [15.0, 5.0]], (255, 0, 0), width=1.0)
    True
    >>> box[5, :, 0].tolist() == [255] * 10
    True
"""

from __future__ import annotations

import functools

import numpy as np


def _clip_segments(starts: np.ndarray, ends: np.ndarray, shape) -> tuple:
    """Liang-Barsky clipping of segments to the box; drops those fully outside."""
    rows, columns = shape
    delta = ends - starts
    t_low = np.zeros(len(starts))
    t_high = np.ones(len(starts))
    keep = np.all(np.isfinite(starts) & np.isfinite(ends), axis=1)
    for axis, size in ((0, columns), (1, rows)):
        for sign, bound in ((-1.0, 0.0), (1.0, float(size))):
            # Inside means sign * (start + t delta) <= sign * bound.
            denominator = sign * delta[:, axis]
            numerator = sign * (bound - starts[:, axis])
            with np.errstate(divide="ignore", invalid="ignore"):
                t = numerator / denominator
            parallel = denominator == 0
            keep &= ~(parallel & (numerator < 0))
            entering = denominator < 0
            leaving = denominator > 0
            t_low = np.where(entering, np.maximum(t_low, t), t_low)
            t_high = np.where(leaving, np.minimum(t_high, t), t_high)
    keep &= t_low <= t_high
    clipped_starts = starts + t_low[:, None] * delta
    clipped_ends = starts + t_high[:, None] * delta
    return clipped_starts[keep], clipped_ends[keep]


def _paint_pixels(box: np.ndarray, columns: np.ndarray, rows: np.ndarray, colour) -> None:
    inside = (rows >= 0) & (rows < box.shape[0]) & (columns >= 0) & (columns < box.shape[1])
    box[rows[inside], columns[inside]] = colour


@functools.lru_cache(maxsize=16)
def _brush(width: float) -> np.ndarray:
    """Pixel offsets `(num, 2)` of a round brush of the given diameter."""
    radius = max(width / 2.0, 0.5)
    reach = int(np.ceil(radius))
    offsets = np.arange(-reach, reach + 1)
    column, row = np.meshgrid(offsets, offsets)
    inside = column**2 + row**2 <= radius**2 + 0.25
    return np.stack([column[inside], row[inside]], axis=1)


def paint_polyline(box: np.ndarray, points, colour, width: float = 2.0) -> bool:
    """Paints connected straight segments through `points` `(num_points, 2)`.

    Segments are clipped to the box first, so a line may start far outside it.
    Returns whether any segment reached the box.
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(points) < 2:
        return False
    starts, ends = _clip_segments(points[:-1], points[1:], box.shape[:2])
    if len(starts) == 0:
        return False
    # Two samples per pixel of length leave no gaps between the painted pixels.
    counts = np.ceil(2 * np.abs(ends - starts).max(axis=1)).astype(int) + 1
    segment = np.repeat(np.arange(len(starts)), counts)
    first_sample = np.repeat(np.cumsum(counts) - counts, counts)
    fraction = (np.arange(counts.sum()) - first_sample) / np.maximum(counts[segment] - 1, 1)
    samples = starts[segment] + fraction[:, None] * (ends - starts)[segment]
    pixels = np.floor(samples).astype(int)
    brushed = (pixels[:, None, :] + _brush(width)[None, :, :]).reshape(-1, 2)
    _paint_pixels(box, brushed[:, 0], brushed[:, 1], colour)
    return True


@functools.lru_cache(maxsize=16)
def _ring(radius: float, width: float) -> np.ndarray:
    """Pixel offsets `(num, 2)` of a ring of the given radius and line width."""
    reach = int(np.ceil(radius + width / 2))
    offsets = np.arange(-reach, reach + 1)
    column, row = np.meshgrid(offsets, offsets)
    distance = np.sqrt(column**2 + row**2)
    inside = np.abs(distance - radius) <= width / 2
    return np.stack([column[inside], row[inside]], axis=1)


def paint_rings(box: np.ndarray, centres, radius: float, colour, width: float = 2.0) -> None:
    """Paints circles (outlines only) of `radius` pixels at `centres` `(num_points, 2)`."""
    centres = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
    centres = centres[np.isfinite(centres).all(axis=1)]
    pixels = np.floor(centres).astype(int)
    brushed = (pixels[:, None, :] + _ring(radius, width)[None, :, :]).reshape(-1, 2)
    _paint_pixels(box, brushed[:, 0], brushed[:, 1], colour)


def paint_discs(box: np.ndarray, centres, radius: float, colour) -> None:
    """Paints filled discs of `radius` pixels at `centres` `(num_points, 2)`."""
    centres = np.asarray(centres, dtype=np.float64).reshape(-1, 2)
    centres = centres[np.isfinite(centres).all(axis=1)]
    pixels = np.floor(centres).astype(int)
    brushed = (pixels[:, None, :] + _brush(2 * radius)[None, :, :]).reshape(-1, 2)
    _paint_pixels(box, brushed[:, 0], brushed[:, 1], colour)


def paint_triangle(box: np.ndarray, corners, colour) -> bool:
    """Paints a filled triangle `corners` `(3, 2)`, for arrowheads; whether it reached the box."""
    corners = np.asarray(corners, dtype=np.float64)
    low = np.maximum(np.floor(corners.min(axis=0)).astype(int), 0)
    high = np.minimum(np.ceil(corners.max(axis=0)).astype(int), box.shape[1::-1])
    if np.any(high <= low):
        return False
    column, row = np.meshgrid(np.arange(low[0], high[0]), np.arange(low[1], high[1]))
    point = np.stack([column + 0.5, row + 0.5], axis=-1)
    # A pixel centre is inside when it lies on the same side of all three edges.
    sides = []
    for index in range(3):
        edge = corners[(index + 1) % 3] - corners[index]
        offset = point - corners[index]
        sides.append(edge[0] * offset[..., 1] - edge[1] * offset[..., 0])
    inside = ((sides[0] >= 0) & (sides[1] >= 0) & (sides[2] >= 0)) | (
        (sides[0] <= 0) & (sides[1] <= 0) & (sides[2] <= 0)
    )
    box[row[inside], column[inside]] = colour
    return bool(inside.any())


def paint_arrow(
    box: np.ndarray, start, end, colour, width: float = 2.0, head_length: float = 9.0
) -> bool:
    """Paints an arrow from `start` to `end` (pixels), its head at `end`; whether it shows."""
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    length = np.hypot(*(end - start))
    if not np.isfinite(length) or length == 0:
        return False
    direction = (end - start) / length
    normal = np.array([-direction[1], direction[0]])
    head_length = min(head_length, 0.6 * length)
    head_base = end - head_length * direction
    shaft = paint_polyline(box, [start, head_base], colour, width)
    half_width = 0.45 * head_length
    head = paint_triangle(
        box, [end, head_base + half_width * normal, head_base - half_width * normal], colour
    )
    return shaft or head


def edge_mask(regions: np.ndarray, both_sides: bool = True) -> np.ndarray:
    """Where `regions` `(rows, columns)` differs from a neighbouring pixel.

    The boundaries between regions, found without any contouring: paint
    them to draw a decision boundary or contour lines. With `both_sides`,
    the pixels on either side of a change are marked, a line about 2 pixels
    wide; otherwise only the pixel right of or below it.

    Example:
        >>> edge_mask(np.array([[0, 0, 1, 1]])).tolist()
        [[False, True, True, False]]
    """
    horizontal = regions[:, 1:] != regions[:, :-1]
    vertical = regions[1:, :] != regions[:-1, :]
    edge = np.zeros(regions.shape, dtype=bool)
    edge[:, 1:] |= horizontal
    edge[1:, :] |= vertical
    if both_sides:
        edge[:, :-1] |= horizontal
        edge[:-1, :] |= vertical
    return edge

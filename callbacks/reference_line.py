"""The reference line a x1 + b x2 + c = 0 of a decision-boundary image.

`DecisionBoundaryLogger` may draw a fixed line for comparison, e.g. the
slide's hand-drawn boundary `(1.23, 1.0, -0.55)`, dashed, with its equation in
the legend. This module checks the user's `(a, b, c)`, writes the equation as
text and finds two points on the line for matplotlib's `Axes.axline`.

Example:
    >>> line = check_reference_line([1.23, 1, -0.55])
    >>> line_equation(line)
    '1.23 x1 + x2 - 0.55 = 0'
    >>> two_points_on((1.0, 2.0, -2.0))  # x1 + 2 x2 = 2 at x1 = 0 and 1
    ((0.0, 1.0), (1.0, 0.5))
"""

from __future__ import annotations

import math
import numbers


def check_reference_line(reference_line) -> tuple[float, float, float] | None:
    """Returns `(a, b, c)` as floats, or None; raises one clear line if invalid.

    Args:
        reference_line: Three finite numbers `(a, b, c)`, a or b nonzero, or None.

    Returns:
        The three numbers as a tuple of floats, or None for None.

    Raises:
        ValueError: If `reference_line` is not three finite numbers with a or b nonzero.

    Example:
        >>> check_reference_line([1.23, 1, -0.55])
        (1.23, 1.0, -0.55)
    """
    if reference_line is None:
        return None
    valid = (
        isinstance(reference_line, (tuple, list))
        and len(reference_line) == 3
        and all(
            isinstance(value, numbers.Real) and not isinstance(value, bool)
            for value in reference_line
        )
        and all(math.isfinite(value) for value in reference_line)
        and (reference_line[0] != 0 or reference_line[1] != 0)
    )
    if not valid:
        raise ValueError(
            "`reference_line` must be three finite numbers (a, b, c), the line "
            "a*x1 + b*x2 + c = 0 with a or b nonzero, or None. "
            f"Received: reference_line={reference_line!r}."
        )
    return tuple(float(value) for value in reference_line)


def line_equation(line) -> str:
    """The line (a, b, c) as readable text.

    Example:
        >>> line_equation((1.23, 1.0, -0.55))
        '1.23 x1 + x2 - 0.55 = 0'
    """
    terms = []
    for coefficient, name in zip(line, ("x1", "x2", "")):
        if coefficient == 0:
            continue
        size = abs(coefficient)
        text = f"{size:g} {name}".strip() if size != 1 or not name else name
        sign = "-" if coefficient < 0 else "+"
        terms.append(f"{sign} {text}" if terms else f"{'-' if coefficient < 0 else ''}{text}")
    return " ".join(terms) + " = 0"


def two_points_on(line) -> tuple[tuple, tuple]:
    """Two points of the line a x1 + b x2 + c = 0, for `Axes.axline`.

    The points are taken at x1 = 0 and 1 when |b| >= |a|, else at x2 = 0 and 1,
    so that no division is by a small coefficient.

    Example:
        >>> two_points_on((2.0, 0.0, -1.0))
        ((0.5, 0.0), (0.5, 1.0))
    """
    a, b, c = line
    if abs(b) >= abs(a):
        return (0.0, -c / b), (1.0, -(a + c) / b)
    return (-c / a, 0.0), (-(b + c) / a, 1.0)

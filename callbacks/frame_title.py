"""The title above each frame: its epoch, the cost and, where it moves, the bias.

Large numbers are written short (`short_number`: "4.143M", "1.2e30"), so that
a title stays one line wide however large a summed cost grows.
"""

from __future__ import annotations

import numpy as np

# Thousands and up: one suffix per factor of 1000; from 10^15 on, scientific notation.
SUFFIXES = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))
# Costs and biases from these on are written with `short_number`.
SHORT_COST_FROM = 1e6
SHORT_BIAS_FROM = 1e4


def short_number(value: float, significant: int) -> str:
    """`value` to `significant` digits (more left of the point), with k, M, G or T from 1000 on.

    Args:
        value: A finite number.
        significant: The significant digits at least (all digits left of the
            decimal point are kept).

    Example:
        >>> short_number(171185.3, 3), short_number(4143092.0, 4), short_number(56.61, 2)
        ('171k', '4.143M', '57')
        >>> short_number(-0.1234, 2), short_number(3.2e30, 2), short_number(0.0, 2)
        ('-0.12', '3.2e30', '0')
    """
    if not np.isfinite(value) or not isinstance(significant, int) or significant < 1:
        raise ValueError(
            "`short_number` needs a finite value and an integer significant >= 1. "
            f"Received: value={value!r}, significant={significant!r}."
        )
    magnitude = abs(value)
    if magnitude >= 1e15:
        mantissa, exponent = f"{value:.{significant - 1}e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    scale, suffix = next(((s, text) for s, text in SUFFIXES if magnitude >= s), (1.0, ""))
    scaled = value / scale
    order = int(np.floor(np.log10(abs(scaled)))) if scaled else significant - 1
    return f"{scaled:.{max(significant - 1 - order, 0)}f}{suffix}"


def frame_title(
    step: int | None,
    cost: float,
    bias: float | None = None,
    *,
    name: str = "cost",
    samples: int | None = None,
) -> str:
    """A frame's title: its epoch, the cost (4 significant digits) and, if given, the bias.

    Args:
        step: The epoch, or None for none.
        cost: The cost; left out when not finite. From 10^6 on it is written
            short, e.g. "4.143M" (`short_number`).
        bias: The bias b, or None.
        name: What the cost is, e.g. "mean cost".
        samples: The size of the sample of the data the cost was estimated
            from (so it differs from the logged `cost`); else None.

    Example:
        >>> frame_title(20, 56.6134, bias=-0.1234)
        'epoch 20 · cost 56.61 · b = −0.12'
        >>> frame_title(None, 0.012345)
        'cost 0.01235'
        >>> frame_title(3, 0.13652, name="mean cost", samples=32)
        'epoch 3 · mean cost 0.1365 (sample of 32)'
        >>> frame_title(5, 171185.4), frame_title(5, 27061167.0, bias=-123456.0)
        ('epoch 5 · cost 171185', 'epoch 5 · cost 27.06M · b = −123k')
    """
    parts = [] if step is None else [f"epoch {step}"]
    if np.isfinite(cost):
        sample = "" if samples is None else f" (sample of {samples})"
        parts.append(f"{name} {_cost_text(cost)}{sample}")
    if bias is not None:
        # Two decimals, or two significant digits for a bias still near zero.
        text = f"{bias:.2f}" if abs(bias) >= 0.1 or bias == 0 else f"{bias:.2g}"
        if abs(bias) >= SHORT_BIAS_FROM:
            text = short_number(bias, 3)
        parts.append(f"b = {text}".replace("-", "\N{MINUS SIGN}"))
    return " \N{MIDDLE DOT} ".join(parts)


def _cost_text(cost: float) -> str:
    """The cost to 4 significant digits: whole below 10^6 (at most 6 decimals), else short."""
    if abs(cost) >= SHORT_COST_FROM:
        return short_number(cost, 4)
    digits = 3 - int(np.floor(np.log10(abs(cost)))) if cost != 0 else 0
    return f"{cost:.{int(np.clip(digits, 0, 6))}f}"

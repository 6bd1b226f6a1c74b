"""The title above each frame: its epoch, the cost and, where it moves, the bias."""

from __future__ import annotations

import numpy as np


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
        cost: The cost; left out when not finite.
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
    """
    parts = [] if step is None else [f"epoch {step}"]
    if np.isfinite(cost):
        digits = 3 - int(np.floor(np.log10(abs(cost)))) if cost != 0 else 0
        sample = "" if samples is None else f" (sample of {samples})"
        parts.append(f"{name} {cost:.{int(np.clip(digits, 0, 6))}f}{sample}")
    if bias is not None:
        # Two decimals, or two significant digits for a bias still near zero.
        text = f"{bias:.2f}" if abs(bias) >= 0.1 or bias == 0 else f"{bias:.2g}"
        parts.append(f"b = {text}".replace("-", "\N{MINUS SIGN}"))
    return " \N{MIDDLE DOT} ".join(parts)

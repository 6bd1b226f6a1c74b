"""`checkpoint_every`: how often a training run saves its checkpoint, in seconds of wall time.

A run writes `checkpoint.npz` at an epoch's end once this many seconds have
passed since its last one (`kerasclf.run.periodic_checkpoint`), so a run
killed without warning (SIGKILL, a power cut, the out-of-memory killer)
loses at most this much training. 0 switches the periodic checkpoint off;
SIGINT and SIGTERM still save one. This module loads no TensorFlow: the
config reads it.

Example:
    >>> parse_checkpoint_every("checkpoint_every", "10", True)
    10.0
"""

from __future__ import annotations

from typing import Any

from kerasclf.run.config_fields import parse_number
from kerasclf.validation import check_number

# Short enough that a kill loses little; long enough that writing costs nothing
# measurable (benchmarks/checkpoint_cost.py).
DEFAULT_CHECKPOINT_SECONDS = 30.0


def parse_checkpoint_every(key: str, value: Any, from_text: bool) -> float:
    """Seconds between periodic checkpoints: a finite number >= 0 (0: none).

    Args:
        key: The config key, for the message.
        value: A flag's text (`from_text`) or a TOML or Python number.
        from_text: Whether `value` is text to parse.

    Raises:
        TypeError, ValueError: one line, with the received value.

    Example:
        >>> parse_checkpoint_every("checkpoint_every", 0, False)
        0.0
    """
    seconds = parse_number(key, value, from_text)
    return check_number(key, seconds, 0.0, float("inf"), low_inclusive=True)

"""TensorFlow's C++ log: quiet (TF_CPP_MIN_LOG_LEVEL=3) unless the user chose a level.

TensorFlow reads the level once, as it loads. `import kerasclf` imports this
module first, so the level is set before anything imports TensorFlow, and it
notes whether TensorFlow had loaded already (a script that imported it
first): then TensorFlow keeps the level it read, and `errors_hidden` says so.

Example:
    >>> os.environ[LEVEL_VARIABLE] in ("0", "1", "2", "3")
    True
"""

import os
import sys

LEVEL_VARIABLE = "TF_CPP_MIN_LOG_LEVEL"
QUIET = "3"  # Only FATAL messages: no INFO, WARNING or ERROR lines.

_LOADED_BEFORE = "tensorflow" in sys.modules
_LEVEL_AT_LOAD = os.environ.get(LEVEL_VARIABLE)
os.environ.setdefault(LEVEL_VARIABLE, QUIET)


def errors_hidden() -> bool:
    """Whether TensorFlow's C++ log hides its error lines (level 3 as it loaded or will load).

    False when TensorFlow loaded before kerasclf without the level set, or
    when the user chose a lower level to see TensorFlow's messages.

    Example:
        >>> errors_hidden() == (os.environ[LEVEL_VARIABLE] == QUIET) or _LOADED_BEFORE
        True
    """
    level = _LEVEL_AT_LOAD if _LOADED_BEFORE else os.environ.get(LEVEL_VARIABLE)
    return level == QUIET

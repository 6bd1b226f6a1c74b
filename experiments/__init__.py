"""The Day-1 seminar's experiments, one script each: `python -m experiments.<name>`.

`kerasclf experiments` lists them by reading their docstrings, without importing them.
"""

from __future__ import annotations

import pkgutil

# Before any experiment imports keras: TensorFlow's start-up lines are not for students.
import kerasclf.quiet_tensorflow  # noqa: F401


def experiment_names() -> list[str]:
    """The experiment modules in this package, in alphabetical order."""
    return sorted(
        module.name for module in pkgutil.iter_modules(__path__) if not module.name.startswith("_")
    )

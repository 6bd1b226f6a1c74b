"""The seminar's experiments, Days 1 to 3, one script each: `python -m experiments.<name>`.

`kerasclf experiments` lists them by reading their docstrings, without importing them.
"""

from __future__ import annotations

import pkgutil


def experiment_names() -> list[str]:
    """The experiment modules in this package, in alphabetical order."""
    return sorted(
        module.name for module in pkgutil.iter_modules(__path__) if not module.name.startswith("_")
    )

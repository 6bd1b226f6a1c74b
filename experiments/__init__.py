"""The Day-1 seminar's experiments, one script each: `python -m experiments.<name>`."""

from __future__ import annotations

import importlib
import pkgutil

# Before any experiment imports keras: TensorFlow's start-up lines are not for students.
import kerasclf.quiet_tensorflow  # noqa: F401


def experiment_names() -> list[str]:
    """The experiment modules in this package, in alphabetical order."""
    import experiments

    return sorted(
        module.name
        for module in pkgutil.iter_modules(experiments.__path__)
        if not module.name.startswith("_")
    )


def describe_experiments() -> str:
    """One line per experiment: its name and the first line of its docstring."""
    lines = []
    for name in experiment_names():
        module = importlib.import_module(f"experiments.{name}")
        title = (module.__doc__ or "").strip().splitlines()[0] if module.__doc__ else ""
        lines.append(f"{name:<18} {title}   (python -m experiments.{name})")
    return "\n".join(lines) if lines else "no experiments yet"

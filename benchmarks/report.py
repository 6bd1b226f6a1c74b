"""Shared pieces of the benchmark reports: tables, machine description, BENCHMARKS.md.

Every benchmark writes its own top-level section (`# Title`) of BENCHMARKS.md
and leaves the other sections as they are.
"""

from __future__ import annotations

import contextlib
import os
import platform

import keras
import numpy as np
import sklearn
import tensorflow as tf


def format_rate(samples_per_second: float) -> str:
    """`1234567.0` -> `"1.23M"`."""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if samples_per_second >= scale:
            return f"{samples_per_second / scale:.3g}{suffix}"
    return f"{samples_per_second:.3g}"


def format_table(headers: list[str], rows: list[list[str]]) -> str:
    """A Markdown table with padded columns, readable as plain text too."""
    widths = [
        max(len(str(row[index])) for row in [headers, *rows]) for index in range(len(headers))
    ]

    def line(cells):
        return (
            "| " + " | ".join(str(cell).ljust(width) for cell, width in zip(cells, widths)) + " |"
        )

    return "\n".join(
        [line(headers), line(["-" * width for width in widths])] + [line(r) for r in rows]
    )


def machine_description(load_before: tuple, load_after: tuple) -> list[list[str]]:
    cpu_model = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as file:
        cpu_model = next(
            (line.split(":", 1)[1].strip() for line in file if line.startswith("model name")),
            cpu_model,
        )
    memory = "unknown"
    with contextlib.suppress(OSError), open("/proc/meminfo") as file:
        for line in file:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        ["CPU", cpu_model],
        ["cores", f"{os.cpu_count()} ({usable} usable by this process)"],
        ["memory", memory],
        ["OS", platform.platform()],
        ["Python", platform.python_version()],
        ["TensorFlow", tf.__version__],
        ["Keras", keras.__version__],
        ["numpy", np.__version__],
        ["scikit-learn", sklearn.__version__],
        ["load average (1, 5, 15 min) before", ", ".join(f"{x:.2f}" for x in load_before)],
        ["load average (1, 5, 15 min) after", ", ".join(f"{x:.2f}" for x in load_after)],
    ]


def write_section(path: str, text: str) -> None:
    """Replaces the `# Title` section of `text` in the Markdown file, or appends it."""
    title = text.splitlines()[0]
    existing = ""
    if os.path.exists(path):
        with open(path) as file:
            existing = file.read()
    sections = [part for part in ("\n" + existing).split("\n# ") if part.strip()]
    sections = ["# " + part.strip("\n") + "\n" for part in sections]
    replaced = [text if section.splitlines()[0] == title else section for section in sections]
    if title not in [section.splitlines()[0] for section in sections]:
        replaced.append(text)
    with open(path, "w") as file:
        file.write("\n".join(part.rstrip("\n") + "\n" for part in replaced))

"""The benchmark reports' tables, machine description and BENCHMARKS.md sections.

Every benchmark writes its own top-level section (`# Title`) of BENCHMARKS.md
and leaves the other sections as they are. The shared pieces come first
(`format_rate`, `format_table`, `machine_description`, `write_section`), then
the tables of `benchmarks.training_speed`, each made from its measurements:
`{(path key, batch size): [Measurement per repeat]}` for throughput, `{key:
{"label", "seconds", "cost", "error"}}` for whole processes.
"""

from __future__ import annotations

import contextlib
import math
import os
import platform
import shutil
import statistics
import tempfile

import keras
import numpy as np
import sklearn
import tensorflow as tf

from benchmarks.speed.settings import BATCH_SIZES, Settings
from benchmarks.speed.timing import median_of, median_ratio


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
    """Replaces the `# Title` section of `text` in the Markdown file, or appends it.

    Check the path first with `benchmarks.arguments.check_markdown_output`:
    the file is read as `# ` sections and written whole.
    """
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
    content = "\n".join(part.rstrip("\n") + "\n" for part in replaced)
    if not os.path.exists(path):
        with open(path, "w") as file:
            file.write(content)
        return
    # A new file beside it, then renamed over it: an interrupted write loses nothing.
    folder = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False) as file:
        file.write(content)
    try:
        shutil.copymode(path, file.name)
        os.replace(file.name, path)
    except BaseException:
        os.unlink(file.name)
        raise


# Tables of benchmarks.training_speed


def format_samples(count: int) -> str:
    """`1024` -> `"2^10"`; a count that is no power of two as it is."""
    exponent = int(math.log2(count))
    return f"2^{exponent}" if 2**exponent == count else str(count)


def measured(paths: list, results: dict, failures: dict) -> list:
    """The paths with a figure or a failure at some batch size (a run may time only some)."""
    done = {key for key, _ in results} | {key for key, _ in failures}
    return [path for path in paths if path.key in done]


def throughput_table(paths: list, results: dict, failures: dict, settings: Settings) -> str:
    """Samples/s of each path (`benchmarks.speed.paths.Path`) at each batch size, median."""
    headers = ["path", *[f"batch {b}" for b in BATCH_SIZES], "samples/epoch"]
    rows = []
    for path in measured(paths, results, failures):
        cells = []
        for batch_size in BATCH_SIZES:
            rate = median_of(results, path.key, batch_size, "samples_per_second")
            if (path.key, batch_size) in failures:
                cells.append("failed")
            else:
                cells.append("–" if rate is None else format_rate(rate))
        sizes = [format_samples(settings.samples(path.size, b)) for b in path.batch_sizes]
        rows.append([path.label, *cells, sizes[0] if len(set(sizes)) == 1 else " / ".join(sizes)])
    return format_table(headers, rows)


def first_epoch_table(paths: list, results: dict) -> str:
    """Seconds of each path's warm-up epoch (compile included) in the first repeat."""
    headers = ["path", *[f"batch {b}" for b in BATCH_SIZES]]
    rows = []
    for path in measured(paths, results, {}):
        cells = []
        for batch_size in BATCH_SIZES:
            measurements = results.get((path.key, batch_size))
            cells.append("–" if not measurements else f"{measurements[0].first_epoch_seconds:.2f}")
        rows.append([path.label, *cells])
    return format_table(headers, rows)


def ratio_table(ratios: list, results: dict) -> str:
    """The median of per-repeat ratios, one row per `(top, bottom, batch sizes)` in `ratios`."""
    headers = ["ratio of samples/s", *[f"batch {b}" for b in BATCH_SIZES]]
    rows = []
    for top, bottom, batch_sizes in ratios:
        cells = []
        for batch_size in BATCH_SIZES:
            ratio = median_ratio(results, top, bottom, batch_size)
            cells.append("–" if ratio is None or batch_size not in batch_sizes else f"{ratio:.3g}x")
        if any(cell != "–" for cell in cells):
            rows.append([f"{top} / {bottom}", *cells])
    return format_table(headers, rows)


def target_lines(targets: list, results: dict) -> list[str]:
    """Whether kerasclf reaches each `(top, bottom, least ratio, batch sizes)` target."""
    lines = []
    for top, bottom, least, batch_sizes in targets:
        for batch_size in batch_sizes:
            ratio = median_ratio(results, top, bottom, batch_size)
            if ratio is not None:
                verdict = "met" if ratio >= least else "NOT met"
                lines.append(
                    f"- batch {batch_size}: {top} / {bottom} = {ratio:.3g}x "
                    f"(target >= {least:g}x: {verdict})"
                )
    return lines


def context_lines(context_ratios: list, results: dict) -> list[str]:
    """The ratios to the never-reshuffling loop d2, and what a shuffle costs against it."""
    lines = []
    for batch_size in BATCH_SIZES:
        shuffles = [
            m.parts.get("shuffle + gather") for m in results.get(("hand_shuffle", batch_size), [])
        ]
        fixed = median_of(results, "hand_fixed", batch_size, "seconds_per_epoch")
        if shuffles and None not in shuffles and fixed:
            lines.append(
                f"- batch {batch_size}: d1's shuffle and gather alone take "
                f"{statistics.median(shuffles) / fixed:.3g}x d2's whole epoch"
            )
    for top, bottom in context_ratios:
        ratios = [median_ratio(results, top, bottom, batch_size) for batch_size in BATCH_SIZES]
        if any(ratio is not None for ratio in ratios):
            cells = ", ".join(
                f"{'–' if ratio is None else f'{ratio:.3g}x'} at batch {batch_size}"
                for ratio, batch_size in zip(ratios, BATCH_SIZES)
            )
            lines.append(f"- {top} / {bottom}: {cells}")
    return lines


def callback_rows(results: dict, label: str, key: str) -> list[tuple[str, str, str | None]]:
    """Breakdown rows of a kerasclf path: the whole epoch, each callback, and the rest."""
    names = []
    for batch_size in BATCH_SIZES:
        for measurement in results.get((key, batch_size), []):
            names += [name for name in measurement.parts if name not in names]
    return [
        (label, key, None),
        *[(f"  of which {name}.on_epoch_end", key, name) for name in names],
        ("  of which the rest (pipeline, train step, fit)", key, "rest"),
    ]


def breakdown_cell(results: dict, key: str, batch_size: int, part: str | None) -> str:
    """Median ms per epoch: the whole epoch (None), one part, or what no part covers ("rest")."""
    measurements = results.get((key, batch_size))
    if not measurements:
        return "–"
    if part is None:
        values = [m.seconds_per_epoch for m in measurements]
    elif part == "rest":
        values = [m.seconds_per_epoch - sum(m.parts.values()) for m in measurements]
    else:
        values = [m.parts.get(part, 0.0) for m in measurements]
    return f"{1000 * statistics.median(values):.1f}"


def breakdown_table(results: dict, settings: Settings) -> str:
    """Milliseconds per epoch, by part: where kerasclf's time goes."""
    callback_size = format_samples(settings.callback_samples)
    fast_size = format_samples(settings.fast_samples)
    # (label, path key, part): part None is the whole epoch, "rest" what no part covers.
    rows = callback_rows(
        results, f"kerasclf.train, default callbacks ({callback_size} points)", "kerasclf"
    )
    rows.append((f"hand-written d1 ({callback_size} points)", "hand_shuffle_callback_size", None))
    rows += callback_rows(
        results, f"kerasclf.train, images/histograms off ({fast_size} points)", "kerasclf_lean"
    )
    rows += [
        ("fit, kerasclf pipeline, no callbacks", "fused_fit", None),
        ("fit, cached fixed blocks, no callbacks", "fused_fixed", None),
        ("hand-written d1, shuffle + gather + XLA loop", "hand_shuffle", None),
        ("  of which shuffle + gather (before the XLA loop)", "hand_shuffle", "shuffle + gather"),
        ("hand-written d2, fixed batches", "hand_fixed", None),
    ]
    table = [
        [label, *[breakdown_cell(results, key, b, part) for b in BATCH_SIZES]]
        for label, key, part in rows
    ]
    return format_table(
        ["ms per epoch", *[f"batch {b}" for b in BATCH_SIZES]],
        [row for row in table if any(value != "–" for value in row[1:])],
    )


def process_table(results: dict) -> str:
    """The wall seconds and final cost of each whole-process run."""
    headers = ["100-epoch full-batch run, whole process", "median s", "all s", "final summed cost"]
    rows = []
    for entry in results.values():
        cost = "–" if entry["cost"] is None else f"{entry['cost']:.4f}"
        median = f"{statistics.median(entry['seconds']):.2f}" if entry["seconds"] else "–"
        runs = ", ".join(f"{seconds:.2f}" for seconds in entry["seconds"])
        if entry["error"] is not None:
            runs = (runs + "; " if runs else "") + f"failed ({entry['error'][:120]})"
        rows.append([entry["label"], median, runs, cost])
    return format_table(headers, rows)


def process_ratio_table(results: dict) -> str:
    """The median of per-repeat wall-time ratios between whole-process runs."""
    pairs = [
        ("kerasclf", "stock"),
        ("kerasclf", "hand_written"),
        ("kerasclf", "numpy"),
        ("kerasclf", "sklearn"),
        ("mlp_kerasclf", "mlp_stock"),
        ("kerasclf_no_images", "stock"),
        ("kerasclf", "kerasclf_no_images"),
    ]
    rows = []
    for numerator, denominator in pairs:
        pairs_of_runs = list(
            zip(
                results.get(numerator, {}).get("seconds", []),
                results.get(denominator, {}).get("seconds", []),
            )
        )
        if pairs_of_runs:
            ratios = [top / bottom for top, bottom in pairs_of_runs]
            rows.append([f"{numerator} / {denominator}", f"{statistics.median(ratios):.3g}x"])
    return format_table(["wall-time ratio", "median"], rows)

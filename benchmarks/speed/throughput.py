"""Timing the paths of the throughput table, interleaved within each repeat.

At each batch size every path's runner is built once, then each repeat runs
every path in turn, so that a ratio taken within one repeat compares figures
measured under the same machine state.
"""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.report import format_rate
from benchmarks.speed.paths import PATHS, Path
from benchmarks.speed.settings import BATCH_SIZES, Settings
from benchmarks.speed.timing import Measurement, Runner, describe_error, progress


def build_runners(
    paths: list[Path], batch_size: int, settings: Settings, logdir: str, failures: dict
) -> dict[str, Runner]:
    """Each path's runner at one batch size; a path that fails to build goes to `failures`."""
    runners = {}
    for path in paths:
        progress(f"batch {batch_size}: building {path.key}")
        try:
            num_samples = settings.samples(path.size, batch_size)
            runners[path.key] = path.make_runner(num_samples, batch_size, settings, logdir)
        except Exception as error:
            failures[(path.key, batch_size)] = describe_error(error)
            progress(f"batch {batch_size}: {path.key} failed: {describe_error(error)}")
    return runners


def run_repeat(
    runners: dict[str, Runner], batch_size: int, label: str, results: dict, failures: dict
) -> None:
    """Runs every runner once; a runner that fails is reported and dropped from `runners`."""
    for key in list(runners):
        try:
            measurement: Measurement = runners[key]()
        except Exception as error:
            failures[(key, batch_size)] = describe_error(error)
            progress(f"batch {batch_size}: {key} failed: {describe_error(error)}")
            del runners[key]
            continue
        results.setdefault((key, batch_size), []).append(measurement)
        progress(
            f"batch {batch_size} repeat {label}: {key:<17} "
            f"{format_rate(measurement.samples_per_second)} samples/s, "
            f"first epoch {measurement.first_epoch_seconds:.2f} s"
        )


def measure_throughput(
    settings: Settings,
    logdir: str,
    keys: Sequence[str] | None = None,
    batch_sizes: Sequence[int] = BATCH_SIZES,
) -> tuple[dict, dict]:
    """Times the paths at each batch size, the paths interleaved within each repeat.

    A path that fails (the tree may be mid-edit) is reported and skipped; the
    others still run.

    Args:
        settings: Sizes and repeats.
        logdir: Where kerasclf's runs write.
        keys: The paths to time (`Path.key`); default all.
        batch_sizes: The batch sizes to time them at.

    Returns:
        `({(key, batch_size): [Measurement per repeat]}, {(key, batch_size): error})`.

    Example:
        >>> from benchmarks.speed.settings import QUICK_SETTINGS
        >>> results, failures = measure_throughput(QUICK_SETTINGS, "", ["numpy"], [32])
        >>> list(results), failures
        ([('numpy', 32)], {})
    """
    results: dict[tuple[str, int], list[Measurement]] = {}
    failures: dict[tuple[str, int], str] = {}
    for batch_size in batch_sizes:
        paths = [
            path
            for path in PATHS
            if batch_size in path.batch_sizes and (keys is None or path.key in keys)
        ]
        runners = build_runners(paths, batch_size, settings, logdir, failures)
        for repeat in range(settings.repeats):
            label = f"{repeat + 1}/{settings.repeats}"
            run_repeat(runners, batch_size, label, results, failures)
        runners.clear()
    return results, failures

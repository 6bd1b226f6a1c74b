"""The fixed cost of the seminar's default run, as a whole process.

Measures, side by side in one run, the wall time of whole processes:

- `python -c "import keras"`, the floor: what any Keras program pays to start
  (which imports TensorFlow);
- `python -c "import kerasclf"` (lazy: imports no TensorFlow);
- TensorFlow and Keras as kerasclf imports them, with Keras's scikit-learn
  wrappers left for first use (`kerasclf.deferred_keras_wrappers`), which
  `import keras` loads with scikit-learn where it is installed;
- `kerasclf train` (the README's first command: `seminar_blobs`, logistic
  regression, full-batch gradient descent, 100 epochs, every default
  callback), with XLA's persistent compilation cache warm, as a student's
  second and later runs find it;
- the same with an empty cache (a fresh `XDG_CACHE_HOME`), a student's first
  run (with `--cold-cache`);
- the same warm run with scikit-learn imported first, so that Keras loads it
  as before the deferral;
- the same warm run ended by the ordinary `sys.exit`, i.e. with the
  interpreter's teardown that the CLI now skips (`kerasclf.cli.process_exit`;
  about 0.9 s for any process that loaded TensorFlow).

The processes run interleaved, several repeats each, so that machine noise
hits every command alike. It prints each command's median, every time, and
the median of the per-repeat ratios to `import keras`. The target is at most
1.25x for the default run.

With `--breakdown` it runs one default run in a child process, instrumented,
and prints where its time goes: importing TensorFlow and Keras, preparing the
data and model, AutoGraph's conversion of Python functions, each XLA
compilation (from TensorFlow's own log, `device_compilation_profiler`), each
callback's hooks, fitting, the summary and saving.

Run it:

    python -m benchmarks.run_overhead [--repeats 5] [--breakdown] [--cold-cache]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.arguments import BenchmarkParser, integer, parse_or_exit

# TensorFlow and kerasclf are imported only by the child of `--breakdown`: the
# whole-process timing must not load TensorFlow into this process.

MODULE = "benchmarks.run_overhead"
TARGET_RATIO = 1.25
FLOOR = "python -c 'import keras'"
COMPILE_LINE = re.compile(r"Compiled (\S+) \d+ times, compile time: (\d+) us")
# `kerasclf train --logdir LOGDIR` ended by `sys.exit`: the interpreter's teardown, as before.
ORDINARY_EXIT = (
    "import sys; from kerasclf.cli.main import main; "
    "sys.exit(main(['train', '--logdir', sys.argv[1]]))"
)
# `kerasclf train --logdir LOGDIR` with scikit-learn already loaded: Keras's wrappers not deferred.
SKLEARN_FIRST = (
    "import runpy, sys, sklearn; sys.argv = ['kerasclf', 'train', '--logdir', sys.argv[1]]; "
    "runpy.run_module('kerasclf.cli.main', run_name='__main__')"
)


def time_process(command: list[str], environment: dict[str, str]) -> float:
    """Wall seconds of one process, its output discarded."""
    started = time.perf_counter()
    subprocess.run(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **environment},
        check=True,
    )
    return time.perf_counter() - started


def measure(repeats: int, cold_cache: bool) -> dict[str, list[float]]:
    """Every command's wall seconds, `repeats` times, interleaved."""
    python = sys.executable
    seconds = collections.defaultdict(list)
    with tempfile.TemporaryDirectory() as scratch:
        warm_cache = os.path.join(scratch, "warm-cache")
        train = [python, "-m", "kerasclf.cli.main", "train", "--logdir"]
        # One untimed run fills the warm cache, as a student's first run does.
        time_process(train + [os.path.join(scratch, "fill")], {"XDG_CACHE_HOME": warm_cache})
        for repeat in range(repeats):
            logdir = os.path.join(scratch, f"logs-{repeat}")
            commands = {
                FLOOR: ([python, "-c", "import keras"], {}),
                "python -c 'import kerasclf'": ([python, "-c", "import kerasclf"], {}),
                "TensorFlow and Keras as kerasclf imports them (scikit-learn deferred)": (
                    [python, "-c", "import kerasclf.quiet_tensorflow, keras"],
                    {},
                ),
                "kerasclf train (XLA cache warm)": (
                    train + [logdir + "-warm"],
                    {"XDG_CACHE_HOME": warm_cache},
                ),
            }
            commands["kerasclf train, scikit-learn loaded with Keras (before)"] = (
                [python, "-c", SKLEARN_FIRST, logdir + "-sklearn"],
                {"XDG_CACHE_HOME": warm_cache},
            )
            # What the CLI did before `exit_process`: the interpreter's teardown.
            commands["kerasclf train, with the interpreter's teardown (before)"] = (
                [python, "-c", ORDINARY_EXIT, logdir + "-exit"],
                {"XDG_CACHE_HOME": warm_cache},
            )
            if cold_cache:
                fresh = os.path.join(scratch, f"cold-cache-{repeat}")
                commands["kerasclf train (first run: empty XLA cache)"] = (
                    train + [logdir + "-cold"],
                    {"XDG_CACHE_HOME": fresh},
                )
            for name, (command, environment) in commands.items():
                seconds[name].append(time_process(command, environment))
    return dict(seconds)


def report(seconds: dict[str, list[float]]) -> str:
    """Medians, every time, and the median per-repeat ratio to the floor."""
    floor = seconds[FLOOR]
    lines = [
        f"| command | median s | ratio to {FLOOR} | <= {TARGET_RATIO}x | all s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, values in seconds.items():
        ratio = statistics.median(value / base for value, base in zip(values, floor))
        verdict = (
            ""
            if name == FLOOR or "kerasclf train" not in name
            else ("yes" if ratio <= TARGET_RATIO else "NO")
        )
        all_seconds = ", ".join(f"{value:.2f}" for value in values)
        lines.append(
            f"| {name} | {statistics.median(values):.2f} | {ratio:.2f}x | {verdict} | "
            f"{all_seconds} |"
        )
    return "\n".join(lines)


def child(logdir: str) -> None:
    """One default run in this process, instrumented; prints its breakdown as JSON."""
    times = collections.defaultdict(float)
    started = time.perf_counter()
    import keras  # noqa: F401

    times["import TensorFlow and Keras"] = time.perf_counter() - started
    mark = time.perf_counter()
    from tensorflow.python.autograph.impl import api as autograph_api

    import kerasclf.run.callback_isolation as isolation
    import kerasclf.run.training as training

    times["import kerasclf's run layer"] = time.perf_counter() - mark
    converted = [0]
    timed(autograph_api, "_convert_actual", times, "AutoGraph conversion (nested, overlaps)")
    original_convert = autograph_api._convert_actual

    def counting_convert(*arguments, **keywords):
        converted[0] += 1
        return original_convert(*arguments, **keywords)

    autograph_api._convert_actual = counting_convert
    for name, label in (
        ("prepare_run", "data, model, compile (prepare_run)"),
        ("fit_run", "fit (callbacks included)"),
        ("summarize", "summary"),
        ("save_outputs", "save model.keras, weights.json, summary.json"),
    ):
        timed(training, name, times, label)
    hook_times = collections.defaultdict(float)
    original_run, original_end = isolation.Isolated._run, isolation.Isolated.on_train_end

    def timed_run(self, hook, *arguments, **keywords):
        mark = time.perf_counter()
        try:
            return original_run(self, hook, *arguments, **keywords)
        finally:
            phase = hook if hook in ("on_train_begin",) else "per-epoch hooks"
            key = f"{type(self.callback).__name__}.{phase}"
            hook_times[key] += time.perf_counter() - mark

    def timed_end(self, logs=None):
        mark = time.perf_counter()
        try:
            return original_end(self, logs)
        finally:
            hook_times[f"{type(self.callback).__name__}.on_train_end"] += time.perf_counter() - mark

    isolation.Isolated._run, isolation.Isolated.on_train_end = timed_run, timed_end
    mark = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        training.train(logdir=logdir, stream=quiet)
    times["kerasclf.train, all of it"] = time.perf_counter() - mark
    times["AutoGraph: functions converted (count)"] = converted[0]
    times["whole child process so far"] = time.perf_counter() - started
    print(json.dumps({"phases": times, "callbacks": hook_times}))


def timed(module, name: str, times: dict, label: str) -> None:
    """Replaces `module.name` by a wrapper that adds its wall time to `times[label]`."""
    original = getattr(module, name)

    def wrapper(*arguments, **keywords):
        mark = time.perf_counter()
        try:
            return original(*arguments, **keywords)
        finally:
            times[label] += time.perf_counter() - mark

    setattr(module, name, wrapper)


def breakdown(cache_home: str | None) -> str:
    """Runs `child` in a fresh process and formats where its time went."""
    environment = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "0",
        "TF_CPP_VMODULE": "device_compilation_profiler=1",
    }
    if cache_home is not None:
        environment["XDG_CACHE_HOME"] = cache_home
    with tempfile.TemporaryDirectory() as logdir:
        started = time.perf_counter()
        finished = subprocess.run(
            [sys.executable, "-m", "benchmarks.run_overhead", "--child", logdir],
            capture_output=True,
            text=True,
            env=environment,
            check=True,
        )
        wall = time.perf_counter() - started
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    lines = [f"whole process: {wall:.2f} s (TensorFlow's logging on)", "", "phases:"]
    lines += [f"  {name}: {value:.3f}" for name, value in result["phases"].items()]
    own = result["phases"]["whole child process so far"]
    lines += [f"  Python's start and the interpreter's teardown: {wall - own:.3f}"]
    compiles = COMPILE_LINE.findall(finished.stderr)
    total = sum(int(micro) for _, micro in compiles) / 1e6
    lines += ["", f"XLA compilations: {len(compiles)}, {total:.3f} s in all"]
    lines += [f"  {name}: {int(micro) / 1e3:.1f} ms" for name, micro in compiles]
    lines += ["", "callbacks (s):"]
    ranked = sorted(result["callbacks"].items(), key=lambda item: -item[1])
    lines += [f"  {name}: {value:.3f}" for name, value in ranked if value >= 0.005]
    return "\n".join(lines)


def parse_arguments(argv=None):
    """The command line, checked: bad input raises a one-line ValueError (see `main`)."""
    parser = BenchmarkParser(MODULE, __doc__)
    parser.add_argument(
        "--repeats",
        type=integer(minimum=0),
        default=5,
        help="runs of each command (0: none, e.g. with --breakdown alone)",
    )
    parser.add_argument("--breakdown", action="store_true", help="also time a run's parts")
    parser.add_argument("--cold-cache", action="store_true", help="also time first runs")
    parser.add_argument("--child", metavar="LOGDIR", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    arguments = parse_or_exit(MODULE, parse_arguments, argv)
    if arguments.child:
        child(arguments.child)
        return
    print(f"load: {os.getloadavg()}")
    if arguments.breakdown:
        with tempfile.TemporaryDirectory() as cache_home:
            print("== breakdown, empty XLA cache ==")
            print(breakdown(cache_home))
            print("\n== breakdown, XLA cache warm ==")
            print(breakdown(cache_home))
    if arguments.repeats:
        print(report(measure(arguments.repeats, arguments.cold_cache)))
    print(f"load: {os.getloadavg()}")


if __name__ == "__main__":
    main()

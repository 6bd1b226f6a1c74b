"""The training-speed report as Markdown: method, tables, ratios and targets.

The tables themselves are made in `benchmarks.report`; this module writes the
prose around them and puts the sections in order. The text is both what
`python -m benchmarks.training_speed` prints and the `# Training speed`
section of BENCHMARKS.md.
"""

from __future__ import annotations

import datetime
import textwrap

from benchmarks.report import (
    breakdown_table,
    context_lines,
    first_epoch_table,
    format_samples,
    format_table,
    process_ratio_table,
    process_table,
    ratio_table,
    target_lines,
    throughput_table,
)
from benchmarks.speed.kerasclf_engine import image_period
from benchmarks.speed.paths import CONTEXT_RATIOS, PATHS, RATIOS, SHUFFLE_TARGETS, TARGETS
from benchmarks.speed.settings import BATCH_SIZES, LEARNING_RATE, MOMENTUM, Settings


def method_text(settings: Settings) -> str:
    """How every figure is taken, with the settings' sizes and repeats."""
    steps_per_execution = " / ".join(
        str(settings.samples("slow", batch_size) // batch_size) for batch_size in BATCH_SIZES
    )
    method = f"""\
        Each figure trains logistic regression (Dense(1, sigmoid); the MLP rows: 16-16 tanh) on
        the `hand_line` data with SGD, momentum {MOMENTUM}, learning rate {LEARNING_RATE:g} on the
        cross-entropy summed over the minibatch: the same update rule on every path
        (scikit-learn's has no momentum). It times whole epochs after a warm-up epoch until at
        least {settings.min_seconds:g} s have passed; kerasclf runs with images are timed over a
        multiple of {image_period()} epochs so that they hold their share of images. Figures are
        medians over {settings.repeats} repeats, the paths interleaved within each repeat; each
        ratio is taken within one repeat, then the median is given. Sample counts are powers of
        two, so no path has a partial last minibatch.

        kerasclf with its default callbacks trains on {format_samples(settings.callback_samples)}
        points: every epoch its callbacks evaluate the cost and the gradient norm over the whole
        training set at the epoch's weights, and every few epochs draw the images (the error
        surface on a fixed sample of at most 4096 points). Those callbacks put the epoch's loss and
        accuracy into the logs, so its train step, like the two "kerasclf model ... under fit" rows,
        skips Keras's running means of them (`StepSettings.step_metrics`). The row below it is the
        hand-written loop on the same points, for a same-work ratio. The MLP and plain-engine rows
        run kerasclf with images and histograms off: an MLP's error surface redraws a
        loss-landscape slice per image, and the plain engine's per-step speed would make those
        rows take minutes.

        The "steps_per_execution" rows are what an expert would try first on stock Keras: the
        stock model and data, compiled with `jit_compile=True` and `steps_per_execution` = the
        minibatches per epoch ({steps_per_execution} at batch {" / ".join(map(str, BATCH_SIZES))}),
        so that one call runs a whole epoch of XLA-compiled steps (no cap).

        The machine is shared and noisy (2 cores; other engineers may have been running tests at
        the same time: see the load averages): trust ratios more than absolute figures, and
        measure again before relying on a number."""
    return textwrap.dedent(method)


def throughput_sections(throughput: dict, failures: dict, settings: Settings) -> list[str]:
    """The sections of the in-process figures: throughput, ratios, breakdown, compile."""
    failed = "".join(
        f"\n\nFailed: {key} at batch {batch_size}: `{error}`"
        for (key, batch_size), error in failures.items()
    )
    return [
        "## Training throughput, samples/s (median)\n\n"
        + throughput_table(PATHS, throughput, failures, settings)
        + failed,
        "## Ratios (median of per-repeat ratios)\n\n"
        + ratio_table(RATIOS, throughput)
        + "\n\nThe issue's targets: kerasclf at least 0.5x the hand-written XLA loop that does the "
        "same training (d1: a new shuffle every epoch, which kerasclf's engines must do), with "
        "the default callbacks on, and at least 3x scikit-learn's SGD at batch 1:\n\n"
        + "\n".join(target_lines(TARGETS, throughput))
        + "\n\nFor context, the loop that never reshuffles (d2). It does less work than any "
        "run with a per-epoch shuffle. fused_fixed is Keras's own `fit` over cached, "
        "never-shuffled blocks with no callbacks at all, fused_fit the same over kerasclf's "
        "shuffled blocks; hand_feistel (d3) and "
        "hand_feistel_per_minibatch (d4) are issue #22's design alone, the Feistel permutation "
        "and the gather fused with the training loop in one XLA program, with no callbacks:\n\n"
        + "\n".join(context_lines(CONTEXT_RATIOS, throughput))
        + "\n\nIssue #22's targets for the epoch's permutation (a keyed Feistel permutation "
        "computed inside the XLA program that gathers each block, instead of a stateless "
        "shuffle before it): kerasclf with its default callbacks at least 0.5x the loop that "
        "never reshuffles (d2) at batch 1024, and at batch 1 and 32 at least the ratio it had "
        "before (0.679x, 0.601x on 2026-11-27). Measured alone by "
        "`python -m benchmarks.training_speed --paths kerasclf,hand_fixed --skip-processes`:\n\n"
        + "\n".join(target_lines(SHUFFLE_TARGETS, throughput)),
        "## Where an epoch goes, ms (median)\n\n"
        + breakdown_table(throughput, settings)
        + "\n\n`of which` rows time each default callback's `on_epoch_end`; the rest is the "
        "pipeline, the compiled train step and Keras's per-epoch work in `fit`.",
        "## Compile + first epoch, s (first repeat)\n\n"
        + first_epoch_table(PATHS, throughput)
        + "\n\nkerasclf.train rows compile in every repeat; the others build once, so only their "
        "first repeat compiles.",
    ]


def process_section(processes: dict, settings: Settings) -> str:
    """The section of the whole-process runs of the seminar's default training."""
    return (
        f"## The seminar's default run, whole process (median over {settings.process_repeats})"
        "\n\n200 `seminar_blobs` points, full-batch gradient descent, learning rate 0.001 on "
        "the summed cost, zeros init, 100 epochs (scikit-learn: 100 epochs of batch-1 SGD; "
        "the MLP rows: Glorot init). Wall time of the process, imports included.\n\n"
        + process_table(processes)
        + "\n\n"
        + process_ratio_table(processes)
    )


def training_speed_report(
    command: str,
    settings: Settings,
    throughput: dict,
    failures: dict,
    processes: dict,
    machine: list,
    wall_seconds: float,
) -> str:
    """The whole report, as Markdown; also what is printed.

    Args:
        command: The command line that made it.
        settings: The sizes and repeats it ran with.
        throughput: `{(path key, batch size): [Measurement per repeat]}`.
        failures: `{(path key, batch size): error line}`.
        processes: The whole-process runs (`benchmarks.speed.processes`); {} if skipped.
        machine: `benchmarks.report.machine_description` rows.
        wall_seconds: How long the whole benchmark took.

    Returns:
        The `# Training speed` section, ending in a newline.
    """
    sections = [
        "# Training speed",
        f"Generated by `benchmarks/training_speed.py` on {datetime.date.today().isoformat()} "
        f"in {wall_seconds / 60:.1f} min"
        + (" with the quick smoke settings: not representative." if settings.quick else "."),
        f"Command:\n\n```bash\n{command}\n```",
        "## Machine\n\n" + format_table(["", ""], machine),
        "## Method\n\n" + method_text(settings),
        *throughput_sections(throughput, failures, settings),
    ]
    if processes:
        sections.append(process_section(processes, settings))
    return "\n\n".join(sections) + "\n"

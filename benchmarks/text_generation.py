"""What a character of generated text costs: the graph's step against XLA's.

Day 3's character models write text in TensorBoard's Text tab while they
train (`callbacks.generated_text`: 200 characters at each of two
temperatures, at step 0 and every epoch) and `kerasclf generate` writes it
from a saved run. Each character is one call of the model on the last
`context` characters (`kerasclf.models.text_sampling.TextSampler`).

Measures, side by side in one run, for each of Day 3's character models
(its `MODELS`, untrained: the cost does not depend on the weights), the
milliseconds per character of `TextSampler.sample` drawing `LENGTH`
characters after a 4-character prompt with a context of `CONTEXT`:

- **graph**: `jit_compile=False`, every window run by the traced graph,
  whose recurrent loop runs op by op over the time steps (as kerasclf
  sampled every character before XLA did; that graph was then called as a
  `tf.function`, now as its concrete function, about 0.2 ms a call less);
- **xla**: `jit_compile="auto"`, as kerasclf samples now: the windows of
  full length (all but the first `CONTEXT - 4` characters) run one XLA
  program, the shorter ones the graph.

The variants alternate, `--repeats` times each, after one untimed sample of
each that traces and compiles; XLA's compile time is that first sample's
extra time, printed apart (XLA's persistent cache makes it shorter for a
second run of the same model). It prints the median milliseconds per
character of each and the median of the per-repeat ratios graph / xla.

Run it:

    python -m benchmarks.text_generation [--repeats 5]
"""

from __future__ import annotations

import statistics
import time

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import keras

from benchmarks.arguments import parse_repeats
from kerasclf.data.vocabulary import Vocabulary
from kerasclf.models.recurrent_architecture import check_recurrent_architecture
from kerasclf.models.registry import build_model
from kerasclf.models.text_sampling import TextSampler

# Day 3's character models: (name, model, units). `char_lm` trains the LSTM of 128 units
# (64 with --quick, as `truncated_bptt --quick` does), `recurrent` compares all three at 32.
MODELS = (
    ("char_lm", "lstm", 128),
    ("char_lm --quick", "lstm", 64),
    ("recurrent: lstm", "lstm", 32),
    ("recurrent: gru", "gru", 32),
    ("recurrent: rnn", "rnn", 32),
)
CONTEXT = 40  # `char_lm`'s window: the characters the model sees.
LENGTH = 200  # The characters each sample writes, as `GeneratedTextLogger` does.
PROMPT = "the "
TEMPERATURE = 0.5
VARIANTS = {"graph": False, "xla": "auto"}
VOCABULARY = Vocabulary(tuple(" .abcdefghijklmnopqrstuvwxyz"))


def character_model(model: str, units: int) -> keras.Model:
    """An untrained character model as kerasclf builds it: token ids in, next character out."""
    recurrent = check_recurrent_architecture(units=units, layers=1)
    return build_model(
        model,
        (CONTEXT,),
        VOCABULARY.size,
        recurrent=recurrent,
        vocabulary_size=VOCABULARY.size,
    )


def milliseconds_per_character(sampler: TextSampler) -> float:
    """The wall time of one sample of `LENGTH` characters, per character."""
    start = time.perf_counter()
    sampler.sample(PROMPT, LENGTH, TEMPERATURE)
    return (time.perf_counter() - start) / LENGTH * 1e3


def measure(model: keras.Model, repeats: int) -> dict[str, list[float]]:
    """Each variant's milliseconds per character, interleaved; "first" holds the first samples."""
    samplers = {
        name: TextSampler(model, VOCABULARY, CONTEXT, jit_compile=jit_compile)
        for name, jit_compile in VARIANTS.items()
    }
    times = {name: [] for name in VARIANTS}
    times["first"] = [milliseconds_per_character(sampler) for sampler in samplers.values()]
    for _ in range(repeats):
        for name, sampler in samplers.items():
            times[name].append(milliseconds_per_character(sampler))
    return times


def main(argv=None) -> dict[str, float]:
    repeats = parse_repeats("benchmarks.text_generation", __doc__, 5, argv)
    print(
        f"ms per character: {LENGTH} characters after {PROMPT!r}, context {CONTEXT}, "
        f"median of {repeats}; graph / xla is the median of the per-repeat ratios"
    )
    print("| model | units | graph | xla | graph / xla | XLA's compile, s |")
    print("|---|---|---|---|---|---|")
    ratios = {}
    for label, name, units in MODELS:
        times = measure(character_model(name, units), repeats)
        graph, xla = statistics.median(times["graph"]), statistics.median(times["xla"])
        ratios[label] = statistics.median(g / x for g, x in zip(times["graph"], times["xla"]))
        # The first XLA sample compiled; the first graph sample traced as the timed ones did not.
        compile_seconds = (times["first"][1] - xla) * LENGTH / 1e3
        print(
            f"| {label} | {units} | {graph:.3f} | {xla:.3f} | {ratios[label]:.2f}x "
            f"| {compile_seconds:.2f} |"
        )
    return ratios


if __name__ == "__main__":
    main()

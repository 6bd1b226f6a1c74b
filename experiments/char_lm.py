"""Day 3: a character-level LSTM language model, and the text it writes as it learns.

What it shows: an LSTM reads windows of 40 characters of the `grammar` text
(sentences such as "the big cat sees two dogs.") and predicts the next
character. Each epoch, TensorBoard's Text tab (`generated_text`) shows the
model continuing a fixed prompt at temperatures 0.5 and 1: gibberish at step
0, then words, then sentences. The table counts the share of generated words
that are words of the grammar, from the untrained model to the last epoch,
read back from the logged text. At the end, the saved run generates a fresh
continuation, as `kerasclf generate --run RUN_DIR --prompt "the "` does.

Run it:

    python -m experiments.char_lm [--quick]
"""

import os
import re
import shlex

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from kerasclf.callbacks.generated_text import TAG, sample_from_markdown
from kerasclf.cli.tensorboard_command import program_command
from kerasclf.data.sequence_tasks import grammar_words
from kerasclf.run.generation import generate_from_run

from ._experiment import Run, experiment_directory, run_experiment
from ._script import main_guard, parse_arguments

# Settings: an LSTM of 128 units on windows of 40 characters, Adam on minibatches of 32.
SETTINGS = {"dataset": "grammar", "model": "lstm", "units": 128, "epochs": 10, "seed": 0}
# Quick: a shorter text and fewer epochs.
QUICK = {"num_samples": 8000, "epochs": 2, "units": 64}
# The prompt the saved model continues at the end, and how much it writes.
PROMPT, LENGTH, TEMPERATURE = "the ", 200, 0.5


def word_share(text: str) -> float:
    """The share of the text's words that are words of the grammar.

    Example:
        >>> word_share("the cat sees xq.")
        0.75
    """
    words = re.findall(r"[^\s.]+", text)
    known = set(grammar_words())
    return sum(word in known for word in words) / max(len(words), 1)


def logged_word_shares(run_dir: str, temperature: float = 0.5) -> dict[int, float]:
    """The word share of the text logged at each step, at one temperature."""
    events = EventAccumulator(os.path.join(run_dir, "train"), size_guidance={"tensors": 0})
    events.Reload()
    shares = {}
    for event in events.Tensors(TAG):
        markdown = tf.make_ndarray(event.tensor_proto).item().decode()
        shares[event.step] = word_share(sample_from_markdown(markdown, temperature))
    return shares


def main(argv=None):
    arguments = parse_arguments(__doc__, argv)
    settings = {**SETTINGS, **(QUICK if arguments.quick else {})}
    directory = experiment_directory(arguments.logdir, "char_lm")
    outcomes = run_experiment(directory, [Run("lstm", settings)])
    run_dir = outcomes[0].result.run_dir
    shares = logged_word_shares(run_dir)
    print("share of generated words that are words (temperature 0.5):")
    for step, share in shares.items():
        print(f"  epoch {step:>3}: {share:.2f}")
    text = generate_from_run(run_dir, PROMPT, LENGTH, TEMPERATURE, seed=settings["seed"])
    command = [program_command("kerasclf"), "generate", "--run", run_dir, "--prompt", PROMPT]
    print(shlex.join([*command, "--temperature", str(TEMPERATURE)]))
    print(PROMPT + text)
    outcomes[0].word_shares, outcomes[0].generated = shares, text
    return outcomes


if __name__ == "__main__":
    main_guard(main)

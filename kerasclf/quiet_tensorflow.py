"""Imports TensorFlow without its native start-up lines, which are not for students.

TensorFlow writes a few lines as it loads (oneDNN, "Could not find cuda
drivers", CPU features) before it reads TF_CPP_MIN_LOG_LEVEL, straight to
file descriptor 2, so only redirecting that descriptor while it loads stops
them. After that, TF_CPP_MIN_LOG_LEVEL=3 (set by `kerasclf.tensorflow_log`
unless the user chose a level) keeps its C++ log to FATAL messages, e.g. no
"failed call to cuInit" on a machine without a GPU. Set
TF_CPP_MIN_LOG_LEVEL=0 to see everything.

Every module of kerasclf that imports TensorFlow or Keras imports this module
first (`tests/test_cli_startup.py` checks it), so a script that imports one of
them directly, `from kerasclf.models.registry import build_model`, is as quiet
as `kerasclf.train`. An import error still raises as usual; only the native
lines written while TensorFlow loads are dropped.

It also points XLA's persistent compilation cache at the user's cache
directory (`kerasclf.xla_cache`) before TensorFlow reads its flags, when
TensorFlow's C++ log hides errors: for every program it loads from that
cache, TensorFlow logs three error lines ("Error parsing text-format
tensorflow.XlaSerializedCacheEntry", "could lead to execution errors such as
SIGILL"), harmless but alarming. A script that imports TensorFlow before
kerasclf, without TF_CPP_MIN_LOG_LEVEL=3, has TensorFlow's log on: its runs
compile without the cache.

And it has Keras load its scikit-learn wrappers on first use rather than with
Keras (`kerasclf.deferred_keras_wrappers`): about 0.8 s of every process.
"""

import os
import sys

from kerasclf.deferred_keras_wrappers import defer_keras_wrappers
from kerasclf.tensorflow_log import LEVEL_VARIABLE, QUIET, errors_hidden
from kerasclf.xla_cache import use_xla_cache


def import_tensorflow_quietly() -> None:
    """Imports TensorFlow with file descriptor 2 pointing at /dev/null meanwhile.

    Nothing happens if TensorFlow is already imported, or if the user set
    TF_CPP_MIN_LOG_LEVEL below 3 to see its messages.

    Example:
        >>> import_tensorflow_quietly()
        >>> "tensorflow" in sys.modules
        True
    """
    if "tensorflow" in sys.modules or os.environ[LEVEL_VARIABLE] != QUIET:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)


defer_keras_wrappers()
import_tensorflow_quietly()
import tensorflow  # noqa: E402 (imported quietly just above, unless the user wants its lines)

if errors_hidden():  # Else each program loaded from the cache logs three errors.
    use_xla_cache(tensorflow.__version__)

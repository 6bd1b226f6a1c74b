"""Functions that TensorFlow traces as written, without AutoGraph's rewriting.

tf.data runs AutoGraph on every function passed to `Dataset.map`, and
`tf.function` does by default. kerasclf's own functions branch only on Python
values and loop with `tf.while_loop`, so they need none of it: converting the
pipeline's and the default callbacks' functions cost about 0.5 s of every run
(261 functions; `python -m benchmarks.run_overhead --breakdown`). The pipeline,
the evaluation loop and the cost and weight loggers pass `autograph=False` to
`tf.function`; mapped functions go through `as_written`. (The panel callbacks'
small functions keep AutoGraph: `MinibatchCost` loops with `for ... in tf.range`.)
"""

from __future__ import annotations

import kerasclf.quiet_tensorflow  # noqa: F401 (first: TensorFlow's start-up lines silenced)
import tensorflow as tf


def as_written(function):
    """`function` for `Dataset.map`, traced as written: AutoGraph does not rewrite it.

    Example:
        >>> [int(x) for x in tf.data.Dataset.range(2).map(as_written(lambda x: x + 1))]
        [1, 2]
    """
    return tf.autograph.experimental.do_not_convert(function)

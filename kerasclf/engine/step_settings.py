"""`StepSettings`: how the fused engine's train step runs (`Classifier.configure_step`).

- `record_minibatch_costs`: the step also returns the cost of every
  minibatch it ran, computed inside the compiled loop, as the vector
  `logs["minibatch_costs"]` (see `callbacks.MinibatchCostLogger`).
- `step_metrics=False`: the block step skips Keras's running means of the
  loss and the compiled metrics (`logs["loss"]`, ...). They take about a third
  of the step at batch 1024 and a sixth at batch 1: without them the step
  never needs the loss's value, only its gradient, and XLA drops the
  logarithms. The step's logs then hold only `iterations`, the optimizer's
  iteration count. `kerasclf.train` turns them off when `callbacks.CostLogger`
  puts the loss and the accuracy at each epoch's final weights into the logs.
- `minibatches_per_iteration`: how many minibatches one iteration of the
  loop runs (the same updates in the same order); None, the default, lets
  `kerasclf.engine.unrolling` choose: 4 for small XLA-compiled steps, whose
  loop otherwise pays XLA's concurrent executor every minibatch, else 1.
  `kerasclf.train` sets 1 for a run of fewer than
  `kerasclf.engine.unrolling.MIN_UNROLLED_RUN_STEPS` minibatch steps, too
  short to win back the unrolled program's longer compile.
"""

from __future__ import annotations

import dataclasses

from kerasclf.validation import check_integer


@dataclasses.dataclass(frozen=True)
class StepSettings:
    """How the fused train step runs (see the module docstring).

    Attributes:
        record_minibatch_costs: Return each minibatch's cost as
            `logs["minibatch_costs"]`.
        step_metrics: Keep Keras's running means of the loss and metrics.
        minibatches_per_iteration: Minibatches per iteration of the block's
            loop (an integer >= 1); None to let
            `kerasclf.engine.unrolling.minibatches_per_iteration` choose.

    Example:
        >>> StepSettings(record_minibatch_costs=True)
        StepSettings(record_minibatch_costs=True, step_metrics=True, minibatches_per_iteration=None)
    """

    record_minibatch_costs: bool = False
    step_metrics: bool = True
    minibatches_per_iteration: int | None = None

    def __post_init__(self):
        if self.minibatches_per_iteration is not None:
            check_integer("minibatches_per_iteration", self.minibatches_per_iteration)

"""The slide's hand-set line: the cost and accuracy of y = x^T w + b, set by hand.

Day 1 starts before any training: the student picks w and b, and
`evaluate_linear` scores that line on two-class points as a trained logistic
regression would be scored (`kerasclf.engine.evaluation.evaluate_model`),
after checking the weights and the points.
"""

from __future__ import annotations


import numpy as np

from kerasclf.data import Data
from kerasclf.data.labelled import check_data
from kerasclf.engine.evaluation import evaluate_model
from kerasclf.engine.hand_set_line_checks import check_line_inputs
from kerasclf.models.registry import build_model
from kerasclf.validation import FLOAT32_LIMIT, check_number, suggests_keywords


@suggests_keywords
def evaluate_linear(weights, bias: float, data: Data) -> dict[str, float]:
    """Cost and accuracy of the hand-set decision function y = x^T w + b.

    The slide's check: p = sigmoid(x^T w + b), classify 1 where p > 0.5.

    Args:
        weights: One weight per feature.
        bias: The bias b.
        data: Labelled points with two classes.

    Example:
        >>> from kerasclf.data import make_dataset
        >>> result = evaluate_linear([1.23, 1.0], -0.55, make_dataset("hand_line"))
        >>> result["accuracy"]
        1.0
    """
    check_data(data)
    weights = check_line_inputs(weights, data)
    # float32 holds the model's weights: beyond its range a value becomes inf.
    bias = check_number("bias", bias, -FLOAT32_LIMIT, FLOAT32_LIMIT)
    model = build_model("logistic", data.num_features)
    model.set_weights([weights.reshape(-1, 1), np.array([bias], dtype=np.float32)])
    return evaluate_model(model, data)

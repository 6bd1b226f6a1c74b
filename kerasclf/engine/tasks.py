"""The tasks a model trains for, and the cost of each: the table behind `--task` (no TensorFlow).

classification  J = -sum_i log p_i,l_i            integer labels, sigmoid or softmax output
regression      J = sum_i mean_j (y_ij - yhat_ij)^2   float targets, linear output

Example:
    >>> sorted(TASKS)
    ['classification', 'regression']
"""

# The tasks, and the cost each trains on (kerasclf.engine.losses implements them).
TASKS = {
    "classification": "cross-entropy of the class probabilities (sigmoid or softmax output)",
    "regression": "squared error of the numbers predicted (linear output)",
}

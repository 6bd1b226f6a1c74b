"""The cost's reductions, by name: the table behind `--cost` (no TensorFlow needed).

sum   J = -sum_i [l_i log p_i + (1 - l_i) log(1 - p_i)]   the slides' cost
mean  J / n, over the n real samples
"""

# Cost reductions: the name users pass, and the Keras reduction that implements it.
REDUCTIONS = {
    # J = -sum_i [l log p + (1 - l) log(1 - p)], the slides' cost.
    "sum": "sum",
    # J / n, n the minibatch's samples, as Keras's default reduction: class
    # weights scale each sample's term, not the count (fit(class_weight=...)).
    "mean": "sum_over_batch_size",
}

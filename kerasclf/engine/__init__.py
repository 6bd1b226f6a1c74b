"""The engine layer: how a compiled model trains and is evaluated.

    classifier     Classifier: the fused train step, many minibatches per XLA call
    losses         the seminar's cross-entropy, summed or averaged (reductions: the table)
    optimizers     the optimizer presets (presets: their table and formulas, no TensorFlow)
    evaluation     the cost and accuracy of a model over whole data, compiled
    distribution   tf.distribute strategies; multiworker: kerasclf's own loop for them
                   (cluster: TF_CONFIG, no TensorFlow)

This package imports nothing; the command line reads its TF-free tables.
"""

"""The model layer: built-in models by name, the user's own, feature maps.

    registry       build_model(name, input_shape, num_classes): the built-in models
    logistic, mlp  one builder per model, registered in registry.BUILDERS;
    cnn, recurrent recurrent: the rnn, lstm and gru, on sequences or token ids
    architecture   their names, options and default initializers (no TensorFlow)
    recurrent_architecture  the rnn, lstm and gru's units, layers and input (no TensorFlow)
    user           a user's model: FILE.py:FUNCTION, a function or a keras.Model, checked
    sources        the text forms of the `model` setting, parsed (no TensorFlow)
    inspection     what kerasclf reads off a model: probabilities or numbers out, a line's w and b
    features       the fixed feature maps phi(x)

Import each from its module; this package imports nothing, so that the
command line reads the TF-free tables without loading TensorFlow.
"""

"""The run layer: a config in, a run directory out.

    config, config_fields, config_checks   the run's settings, each parsed once by its field
    preparation    data, model, class weights and strategy, checked; nothing written
    training       train(config): the named steps of a run
    fitting        the engine's dataset and Keras's fit; how training ended
    default_callbacks, callback_isolation   the TensorBoard callbacks a run turns on
    directory, checkpoint, interruption     the run directory, resuming, signals
    outputs, summary, export               config.json, summary.json, model.keras
    config_json_keys                       config.json's keys beyond the settings, for resume
    model          the run's model: built-in or the user's, compiled
    evaluation, prediction, prediction_paths   a trained run, evaluated and used

This package imports nothing; the command line reads the config without TensorFlow.
"""

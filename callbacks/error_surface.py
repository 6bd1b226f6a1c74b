"""Placeholder being replaced by the image helper."""
import keras


class ErrorSurfaceLogger(keras.callbacks.Callback):
    def __init__(self, logdir, x, y, cost="sum", every=10, stream=None):
        super().__init__()

"""The shell command that opens a log directory in TensorBoard, as it works from here.

TensorBoard keeps 10 images (and text entries) per tag unless told otherwise,
so the command asks for up to 1000 (`TENSORBOARD_ARGUMENTS`).
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys

# TensorBoard keeps 10 images per tag by default, a random sample of the steps;
# these keep up to 1000, so the step slider animates the images frame by frame.
TENSORBOARD_ARGUMENTS = ("--samples_per_plugin", "images=1000,text=1000")


def tensorboard_command(logdir: str) -> str:
    """The shell command that opens `logdir` in TensorBoard, as it works from here.

    The program is `tensorboard` when it is on PATH (an activated venv), else
    the one installed beside this Python, as the README writes it
    (`.venv/bin/tensorboard`, relative to the current directory when inside it).
    Words a shell would split are quoted.

    Example:
        >>> tensorboard_command("logs").endswith("--samples_per_plugin images=1000,text=1000")
        True
        >>> tensorboard_command("my logs").split(" --logdir ")[1].startswith("'my logs'")
        True
    """
    words = [program_command("tensorboard"), "--logdir", os.fspath(logdir), *TENSORBOARD_ARGUMENTS]
    return shlex.join(words)  # A path with spaces is quoted, so the line pastes as it is.


def program_command(name: str) -> str:
    """How to call a program of this Python's environment from here, as the README does.

    `name` alone when PATH finds the one beside this Python (an activated
    venv), else that one's path: `.venv/bin/NAME` from the checkout, absolute
    from elsewhere.

    Example:
        >>> program_command("python").endswith("python")
        True
    """
    beside = os.path.join(os.path.dirname(sys.executable), name)
    on_path = shutil.which(name)
    if not os.path.isfile(beside) or (on_path and os.path.abspath(on_path) == beside):
        return name
    relative = os.path.relpath(beside)
    return relative if not relative.startswith("..") else beside

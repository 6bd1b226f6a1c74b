"""The README's front page works as written, and every page's links lead somewhere.

Every shell command in the README's ```bash blocks is either run here (the
short ones, with a temporary log directory) or skipped by a named rule below;
the skipped set is asserted exactly, so a new command cannot slip through
untested. Commands are written as `.venv/bin/X`; here that is the venv of the
running interpreter, so the test works wherever the venv lives. They run from
the repository root with the venv not on PATH, as the README promises.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, "README.md")
VENV_PREFIX = ".venv/bin/"
VENV_BIN = os.path.dirname(sys.executable)
INSTALL = (
    'python3 -m venv .venv && .venv/bin/pip install -q -e ".[test]" && .venv/bin/kerasclf train'
)
TENSORBOARD = ".venv/bin/tensorboard --logdir logs --samples_per_plugin images=1000,text=1000"

# Commands not run here, each by a rule with its reason.
SKIP_RULES = {
    "install (CI runs it: .ci/run)": lambda tokens: tokens[:3] == ["python3", "-m", "venv"],
    "the test suite itself": lambda tokens: tokens == [".venv/bin/python", "-m", "pytest"],
    "a server (TensorBoard)": lambda tokens: tokens[0] == ".venv/bin/tensorboard",
    "a long experiment": lambda tokens: (
        tokens[:2] == [".venv/bin/python", "-m"] and tokens[2].startswith("experiments.")
    ),
    # tests/test_day2_runs.py trains the same CNN on fewer images and epochs.
    "a long run (Day 2's CNN)": lambda tokens: "--dataset" in tokens and "fonts" in tokens,
}
EXPECTED_SKIPPED = {
    "install (CI runs it: .ci/run)": [INSTALL],
    "the test suite itself": [".venv/bin/python -m pytest"],
    "a server (TensorBoard)": [TENSORBOARD],
    "a long experiment": [
        ".venv/bin/python -m experiments.momentum",
        ".venv/bin/python -m experiments.day2",
    ],
    "a long run (Day 2's CNN)": [".venv/bin/kerasclf train --dataset fonts --model cnn"],
}
# Every other command, and a word its output must hold.
EXPECTED_OUTPUT = {
    ".venv/bin/kerasclf train --help": "--learning-rate",
    ".venv/bin/kerasclf presets": "nesterov",
    ".venv/bin/kerasclf datasets": "seminar_blobs",
    ".venv/bin/kerasclf experiments": "momentum",
    ".venv/bin/kerasclf train --optimizer momentum --batch-size 8 --epochs 20": "Epoch 0/20",
}


def front_page_commands(path: str = README) -> list[str]:
    """The commands of the ```bash blocks, comments removed, continuation lines joined."""
    with open(path, encoding="utf-8") as file:
        blocks = re.findall(r"^```bash\n(.*?)^```", file.read(), flags=re.MULTILINE | re.DOTALL)
    commands = []
    for block in blocks:
        for line in block.replace("\\\n", " ").splitlines():
            tokens = shlex.split(line, comments=True)
            if tokens:
                commands.append(line.split(" #")[0].strip() if " #" in line else line.strip())
    return commands


def skip_reason(command: str) -> str | None:
    tokens = shlex.split(command, comments=True)
    return next((name for name, rule in SKIP_RULES.items() if rule(tokens)), None)


def test_every_front_page_command_is_run_or_skipped_by_a_rule():
    commands = front_page_commands()
    skipped = {}
    for command in commands:
        reason = skip_reason(command)
        if reason is not None:
            skipped.setdefault(reason, []).append(command)
    assert skipped == EXPECTED_SKIPPED
    run = [command for command in commands if skip_reason(command) is None]
    assert sorted(run) == sorted(EXPECTED_OUTPUT)


def test_quickstart_is_what_ci_runs():
    with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as file:
        ci_lines = file.read().splitlines()
    assert INSTALL in ci_lines
    assert ".venv/bin/python -m pytest" in ci_lines


def test_every_command_uses_the_venv():
    for command in front_page_commands():
        for part in command.split("&&"):
            program = shlex.split(part)[0]
            assert program.startswith(VENV_PREFIX) or program == "python3", command


def run_command(command: str, logdir: str) -> subprocess.CompletedProcess:
    """Runs a README command from the repository root, `.venv/bin/` resolved, venv not on PATH."""
    tokens = shlex.split(command, comments=True)
    if tokens[0].startswith(VENV_PREFIX):
        tokens[0] = os.path.join(VENV_BIN, tokens[0][len(VENV_PREFIX) :])
    if tokens[1:2] == ["train"] and "--help" not in tokens:
        if "--epochs" not in tokens:
            tokens += ["--epochs", "2"]
        tokens += ["--logdir", logdir]
    path = os.environ.get("PATH", "").split(os.pathsep)
    environment = {
        **os.environ,
        "PATH": os.pathsep.join(p for p in path if os.path.abspath(p or ".") != VENV_BIN),
    }
    environment.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        tokens, check=False, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600
    )


@pytest.mark.parametrize("command", sorted(EXPECTED_OUTPUT))
def test_front_page_command_runs(command, tmp_path):
    assert command in front_page_commands()
    logdir = str(tmp_path / "logs")
    result = run_command(command, logdir)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # The epoch lines pad the epoch number; compare with single spaces.
    assert EXPECTED_OUTPUT[command] in re.sub(r" +", " ", output), output
    if command.split()[1:2] == ["train"] and "--help" not in command:
        check_tensorboard_command(result.stdout, logdir)


def check_tensorboard_command(stdout: str, logdir: str) -> None:
    """The run ends by printing the README's TensorBoard command, for its own log directory."""
    assert TENSORBOARD in front_page_commands()
    printed = [line for line in stdout.splitlines() if line.startswith("open it with: ")]
    assert len(printed) == 1, stdout
    program, *arguments = shlex.split(printed[0][len("open it with: ") :])
    readme_program, *readme_arguments = shlex.split(TENSORBOARD)
    assert arguments == [logdir if word == "logs" else word for word in readme_arguments]
    # Bare `tensorboard` only when one is on PATH anyway (another install).
    if program != "tensorboard":
        assert program == readme_program or os.path.isabs(program), program
        expected = os.path.join(VENV_BIN, "tensorboard")
        assert os.path.realpath(os.path.join(ROOT, program)) == os.path.realpath(expected)


# Links: every relative link of the README and docs/ leads to a file, and its #anchor to a heading.
PAGES = [README] + sorted(
    os.path.join(ROOT, "docs", name)
    for name in os.listdir(os.path.join(ROOT, "docs"))
    if name.endswith(".md")
)
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def without_code(text: str) -> str:
    """The text with fenced code blocks and inline code removed."""
    text = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    return re.sub(r"`[^`\n]*`", "", text)


def anchors(path: str) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    with open(path, encoding="utf-8") as file:
        text = re.sub(r"^```.*?^```", "", file.read(), flags=re.MULTILINE | re.DOTALL)
    found = set()
    for heading in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda page: os.path.relpath(page, ROOT))
def test_relative_links_lead_to_files(page):
    with open(page, encoding="utf-8") as file:
        targets = LINK.findall(without_code(file.read()))
    for target in targets:
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        resolved = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
        assert os.path.exists(resolved), f"{os.path.relpath(page, ROOT)}: {target}"
        if anchor and resolved.endswith(".md"):
            assert anchor in anchors(resolved), f"{os.path.relpath(page, ROOT)}: {target}"


def test_the_readme_links_every_docs_page():
    with open(README, encoding="utf-8") as file:
        targets = set(LINK.findall(file.read()))
    for page in PAGES[1:]:
        assert os.path.relpath(page, ROOT) in targets

"""XLA's persistent compilation cache: a second process reuses it, a changed program does not."""

import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from kerasclf.xla_cache import (
    CACHE_FLAG,
    cache_entries,
    is_whole_entry,
    machine_name,
    remove_damaged_entries,
    trim_xla_cache,
    use_xla_cache,
    xla_cache_directory,
)

# Compiles one small program per argument, the argument its constant, and prints their values.
PROGRAM = """
import sys
import kerasclf.quiet_tensorflow
import tensorflow as tf

for argument in sys.argv[1:]:
    scale = float(argument)

    @tf.function(jit_compile=True)
    def scaled(x):
        return tf.reduce_sum(tf.tanh(x) * scale)

    print(float(scaled(tf.ones([5]))))
"""


def run_programs(scales: list[float], cache_home: str) -> list[float]:
    """The programs' values, computed in a fresh process with `cache_home` as its cache."""
    environment = {key: value for key, value in os.environ.items() if key != "TF_XLA_FLAGS"}
    environment.pop("KERASCLF_XLA_CACHE", None)
    environment["XDG_CACHE_HOME"] = cache_home
    finished = subprocess.run(
        [sys.executable, "-c", PROGRAM, *map(str, scales)],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    return [float(line) for line in finished.stdout.split()]


def cache_files(cache_home: str) -> dict[str, int]:
    """Each cached program's file name: its modification time in nanoseconds."""
    root = os.path.join(cache_home, "kerasclf", "xla")
    return {path: os.stat(path).st_mtime_ns for path in cache_entries(root)}


SCALES = [2.0, 3.0, 4.0]


@pytest.fixture(scope="module")
def three_programs(tmp_path_factory) -> str:
    """A cache home with the programs of `SCALES`, compiled by one process (copy it to change)."""
    cache_home = str(tmp_path_factory.mktemp("three_programs"))
    value = 5 * float(np.tanh(np.float32(1.0)))
    assert run_programs(SCALES, cache_home) == pytest.approx([s * value for s in SCALES], rel=1e-6)
    return cache_home


def copied(cache_home: str, tmp_path) -> str:
    """A copy of a cache home, to change without changing the original."""
    copy = str(tmp_path / "cache_home")
    shutil.copytree(cache_home, copy)
    return copy


def test_second_process_reuses_the_cache_and_a_changed_program_compiles_anew(
    tmp_path, three_programs
):
    cache_home = copied(three_programs, tmp_path)
    first = cache_files(cache_home)
    assert len(first) == len(SCALES)  # The first process kept each program it compiled.
    folder = os.path.join(cache_home, "kerasclf", "xla", f"tf-{tf.__version__}", machine_name())
    assert {os.path.dirname(path) for path in first} == {folder}

    # A second process: the same program's file is neither added nor rewritten,
    # although that process does write the cache: the changed program gets its own file.
    value = 5 * float(np.tanh(np.float32(1.0)))
    assert run_programs([2.0, 5.0], cache_home) == pytest.approx([2 * value, 5 * value], rel=1e-6)
    second = cache_files(cache_home)
    assert len(second) == len(SCALES) + 1
    assert {path: second[path] for path in first} == first


def test_a_script_that_imported_tensorflow_first_compiles_without_the_cache(
    tmp_path, three_programs
):
    """Its TensorFlow log is on, and would show three error lines per program loaded."""
    cache_home = copied(three_programs, tmp_path)  # The program of 2.0 is in the cache.
    environment = {key: value for key, value in os.environ.items() if key != "TF_XLA_FLAGS"}
    environment.pop("TF_CPP_MIN_LOG_LEVEL", None)
    environment["XDG_CACHE_HOME"] = cache_home
    tensorflow_first = "import os, tensorflow\n" + PROGRAM + "print(os.environ.get('TF_XLA_FLAGS'))"
    finished = subprocess.run(
        [sys.executable, "-c", tensorflow_first, "2.0"],
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    value, flags = finished.stdout.split()
    assert float(value) == pytest.approx(10 * float(np.tanh(np.float32(1.0))), rel=1e-6)
    assert flags == "None"
    assert "XlaSerializedCacheEntry" not in finished.stderr
    assert "cpu_aot_loader" not in finished.stderr
    assert "XLA service" in finished.stderr  # TensorFlow's log is on: it would show them.


def test_cache_directory_follows_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    machine = machine_name()
    assert xla_cache_directory("9.9") == os.path.join(
        str(tmp_path), "kerasclf", "xla", "tf-9.9", machine
    )
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert xla_cache_directory("9.9") == os.path.join(
        str(tmp_path / "home"), ".cache", "kerasclf", "xla", "tf-9.9", machine
    )


def test_each_processors_instruction_sets_have_a_folder_of_their_own(tmp_path):
    """A lab's shared home: a program compiled with AVX-512 must not load where it is missing."""
    lines = "processor\t: {0}\nvendor_id\t: AuthenticAMD\nflags\t\t: {1}\n\n"

    def name(*processors):
        path = tmp_path / "cpuinfo"
        path.write_text("".join(lines.format(i, flags) for i, flags in enumerate(processors)))
        return machine_name(str(path))

    base = "fpu sse sse2 avx avx2"
    with_avx512 = name(base + " avx512f", base + " avx512f")
    assert name(base) != with_avx512 != name(base + " avx512f avx512bw")
    assert with_avx512 == name("avx512f " + base)  # The same sets in another order.
    assert with_avx512 == name(base + " avx512f", base)  # The first processor's.
    arm, arm_with_sve = tmp_path / "arm", tmp_path / "arm_sve"
    arm.write_text("processor\t: 0\nFeatures\t: fp asimd\n")
    arm_with_sve.write_text("processor\t: 0\nFeatures\t: fp asimd sve\n")
    assert machine_name(str(arm)) != machine_name(str(arm_with_sve))
    assert re.fullmatch(r"[\w.-]+-[0-9a-f]{8}", with_avx512), with_avx512
    # No cpuinfo (not Linux): the processor's name stands in, the same every time.
    assert machine_name(str(tmp_path / "missing")) == machine_name(str(tmp_path / "absent"))


def test_use_xla_cache_sets_the_flag_and_keeps_the_users_choice(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("KERASCLF_XLA_CACHE", raising=False)
    monkeypatch.setenv("TF_XLA_FLAGS", "--tf_xla_auto_jit=0")
    use_xla_cache("9.9")
    directory = xla_cache_directory("9.9")
    assert os.environ["TF_XLA_FLAGS"] == f"--tf_xla_auto_jit=0 {CACHE_FLAG}={directory}"
    assert os.path.isdir(directory)

    monkeypatch.setenv("TF_XLA_FLAGS", f"{CACHE_FLAG}=/elsewhere")
    use_xla_cache("9.9")
    assert os.environ["TF_XLA_FLAGS"] == f"{CACHE_FLAG}=/elsewhere"

    monkeypatch.setenv("KERASCLF_XLA_CACHE", "off")
    monkeypatch.delenv("TF_XLA_FLAGS")
    use_xla_cache("9.9")
    assert "TF_XLA_FLAGS" not in os.environ


def test_trim_deletes_the_oldest_programs_down_to_half_the_limit(tmp_path):
    old_version, new_version = tmp_path / "tf-1", tmp_path / "tf-2"
    old_version.mkdir()
    new_version.mkdir()
    paths = []
    for age, folder in enumerate([old_version, old_version, new_version, new_version]):
        path = folder / f"xla_compile_cache__{age}__0__XLA_CPU_JIT.pb"
        path.write_bytes(b"x" * 100)
        os.utime(path, (1000 + age, 1000 + age))  # Written in this order.
        paths.append(path)
    in_progress = new_version / "xla_compile_cache__9.tmp"  # Being written: never deleted.
    in_progress.write_bytes(b"x" * 1000)

    trim_xla_cache(str(tmp_path), limit_bytes=400)  # 400 bytes of programs: within the limit.
    assert all(path.exists() for path in paths)
    trim_xla_cache(str(tmp_path), limit_bytes=399)  # Over it: trimmed to 199 bytes, oldest first.
    assert [path.exists() for path in paths] == [False, False, False, True]
    assert in_progress.exists()


def test_damaged_programs_are_deleted_and_compiled_again(tmp_path, three_programs):
    """An empty, a truncated and a foreign file, one program each, in one cache.

    TensorFlow fails a run that reads such a file ("Can't parse ... as binary
    proto", "Serialized cache key does not match").
    """
    cache_home = copied(three_programs, tmp_path)
    scales = SCALES
    wholes = {path: open(path, "rb").read() for path in cache_files(cache_home)}
    assert len(wholes) == 3 and all(map(is_whole_entry, wholes))
    damages = {"empty": b"", "truncated": b"", "other bytes": b"x" * 100}
    for (path, whole), damage in zip(sorted(wholes.items()), damages):
        open(path, "wb").write(whole[:-1] if damage == "truncated" else damages[damage])
        assert not is_whole_entry(path), damage

    value = 5 * float(np.tanh(np.float32(1.0)))
    assert run_programs(scales, cache_home) == pytest.approx([s * value for s in scales], rel=1e-6)
    for (path, whole), damage in zip(sorted(wholes.items()), damages):
        assert is_whole_entry(path), damage  # Compiled again, and kept again.
        assert abs(os.path.getsize(path) - len(whole)) < 64, damage


def test_only_damaged_files_written_since_the_last_check_are_deleted(tmp_path):
    entry = bytes([0x0A, 1, 0, 0x12, 0, 0x1A, 2, 7, 7])  # Key, HLO module, executable.
    names = [f"xla_compile_cache__{number}__0__XLA_CPU_JIT.pb" for number in range(4)]
    for name, content in zip(names, [entry, entry[:-1], entry[:3], entry + b"\x08\x01"]):
        (tmp_path / name).write_bytes(content)
    (tmp_path / "xla_compile_cache__9.tmp").write_bytes(b"")  # Being written: never read.
    removed = remove_damaged_entries(str(tmp_path))
    assert sorted(os.path.basename(path) for path in removed) == names[1:]
    kept = [".checked", names[0], "xla_compile_cache__9.tmp"]
    assert sorted(os.listdir(tmp_path)) == sorted(kept)

    # A file from before the check is not read again; one renamed in since is.
    old, new = tmp_path / names[1], tmp_path / names[2]
    old.write_bytes(b"")
    mark = os.path.getmtime(tmp_path / ".checked")
    os.utime(old, (mark - 10, mark - 10))
    new.write_bytes(b"")
    os.utime(new, (mark + 10, mark + 10))
    assert [os.path.basename(path) for path in remove_damaged_entries(str(tmp_path))] == [names[2]]

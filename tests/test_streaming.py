"""Streamed data: CSV shards and generated chunks, trained block by block."""

import io
import os
import re
import signal

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import numpy_cost
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

import kerasclf
import kerasclf.atomic_files
from kerasclf import pipeline
from kerasclf.cli.main import main
from kerasclf.data.csv_files import _first_non_utf8_byte
from kerasclf.run.config_making import make_config
from kerasclf.data import load_data, make_dataset
from kerasclf.engine.losses import CrossEntropy
from kerasclf.models.architecture import check_architecture
from kerasclf.engine.classifier import Classifier
from kerasclf.models.registry import build_model
from kerasclf.engine.optimizers import make_optimizer
from kerasclf.engine.presets import PRESETS
from kerasclf.data.files import STREAM_ABOVE_SAMPLES
from kerasclf.data.csv_streams import open_csv_file, open_csv_shards
from kerasclf.data.streaming import GENERATED_CHUNK_SAMPLES, generated_stream


def write_shards(directory, data, sizes, header_in=(1,)):
    """Writes `data` as CSV shards of the given sizes; shard i gets a header if i in header_in."""
    directory.mkdir(exist_ok=True)
    start = 0
    for index, size in enumerate(sizes):
        rows = slice(start, start + size)
        header = "x1,x2,label" if index in header_in else ""
        np.savetxt(
            directory / f"part-{index}.csv",
            np.c_[data.features[rows], data.labels[rows]],
            delimiter=",",
            fmt="%.9g",
            header=header,
            comments="",
        )
        start += size
    return str(directory / "*.csv")


@pytest.fixture
def shards(tmp_path):
    """250 seminar points in shards of 100, 90 and 60, with the same points as one array."""
    data = make_dataset("seminar_blobs", num_samples=250, seed=4)
    return write_shards(tmp_path / "shards", data, [100, 90, 60]), data


def epoch_points(elements):
    """The real (features, labels, minibatch) rows of an epoch's blocks or parts."""
    rows, labels, minibatches, current = [], [], [], 0
    for element in elements:
        for batch_x, batch_y, *_ in pipeline.block_minibatches(element):
            rows.append(batch_x)
            labels.append(batch_y)
            minibatches.append(np.full(len(batch_y), current))
            if "ends_batch" not in element or bool(element["ends_batch"]):
                current += 1
    return np.concatenate(rows), np.concatenate(labels), np.concatenate(minibatches)


def sorted_rows(features, labels):
    table = np.c_[features, labels]
    return table[np.lexsort(table.T[::-1])]


def test_csv_shards_stream_every_row_once_per_epoch(shards):
    pattern, data = shards
    stream = open_csv_shards(pattern)
    assert (stream.num_samples, stream.num_features, stream.num_classes) == (250, 2, 2)
    orders = []
    for batch_size, max_block in [(7, 28), (1, 64), (40, 40)]:
        _, steps = pipeline.stream_layout(250, batch_size, max_block)
        dataset = pipeline.stream_blocks(stream, batch_size, 3, 2, max_block_samples=max_block)
        for epoch in range(2):
            features, labels, _ = epoch_points(dataset.skip(epoch * steps).take(steps))
            np.testing.assert_allclose(
                sorted_rows(features, labels), sorted_rows(data.features, data.labels), rtol=1e-6
            )
            orders.append(features[:, 0])
    assert not np.array_equal(orders[0], orders[1]), "each epoch has its own order"
    again = pipeline.stream_blocks(stream, 7, 3, 1, max_block_samples=28)
    np.testing.assert_array_equal(epoch_points(again)[0][:, 0], orders[0])


def test_minibatches_larger_than_a_block_arrive_as_parts(shards):
    pattern, _ = shards
    stream = open_csv_shards(pattern)
    part_sizes, steps = pipeline.stream_layout(250, 100, max_block_samples=32)
    assert part_sizes == [32, 32, 32, 4] and steps == 2 * 4 + 2  # The last 50: 32 + 18.
    elements = list(pipeline.stream_blocks(stream, 100, 0, 1, max_block_samples=32))
    assert len(elements) == steps
    ends = [False, False, False, True, False, False, False, True, False, True]
    assert [bool(element["ends_batch"]) for element in elements] == ends
    assert [float(e["batch_samples"]) for e in elements] == [100.0] * 8 + [50.0] * 2
    features, labels, minibatches = epoch_points(elements)
    assert np.bincount(minibatches).tolist() == [100, 100, 50]


def per_step_reference(dataset, steps, epochs, optimizer, cost, model_name, num_samples):
    """Stock Keras per-step training on the minibatches the stream produced."""
    batches = [epoch_points(dataset.skip(e * steps).take(steps)) for e in range(epochs)]
    model = compiled_model("plain", optimizer, cost, model_name, num_samples)
    for features, labels, minibatches in batches:
        for index in np.unique(minibatches):
            rows = minibatches == index
            model.train_on_batch(features[rows], labels[rows])
    return model


def compiled_model(engine, optimizer, cost, model_name, num_samples):
    """A seeded model; the MLP has an L2 penalty, which must count once per update."""
    keras.utils.set_random_seed(0)
    architecture = check_architecture([8, 8], "tanh", 0.0, 0.01, 0.0)
    model = build_model(model_name, 2, init="random", seed=0, architecture=architecture)
    model = Classifier.from_model(model)
    model.compile(
        optimizer=make_optimizer(optimizer, num_samples, learning_rate=0.003),
        loss=CrossEntropy(cost),
        jit_compile=engine == "fused",
    )
    return model


# Minibatches of 7 in parts of 28 points, a partial last minibatch in parts of 32, the full batch.
LAYOUTS = [(7, 28), (100, 32), (250, 64)]


# Every preset, and every layout twice: the layout is the stream's, the update the optimizer's.
@pytest.mark.parametrize(
    "optimizer, batch_size, max_block",
    [(name, *LAYOUTS[index % len(LAYOUTS)]) for index, name in enumerate(sorted(PRESETS))],
)
def test_streamed_training_equals_per_step_keras(shards, optimizer, batch_size, max_block):
    pattern, _ = shards
    stream = open_csv_shards(pattern)
    epochs = 2
    _, steps = pipeline.stream_layout(250, batch_size, max_block)
    dataset = pipeline.stream_blocks(stream, batch_size, 1, epochs, max_block_samples=max_block)
    fused = compiled_model("fused", optimizer, "sum", "logistic", 250)
    fused.fit(dataset, epochs=epochs, steps_per_epoch=steps, verbose=0, shuffle=False)
    reference = per_step_reference(dataset, steps, epochs, optimizer, "sum", "logistic", 250)
    assert int(fused.optimizer.iterations.numpy()) == int(reference.optimizer.iterations.numpy())
    for got, expected in zip(fused.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_parts_of_an_mlp_with_mean_cost_and_l2_equal_per_step_keras(shards):
    pattern, _ = shards
    stream = open_csv_shards(pattern)
    _, steps = pipeline.stream_layout(250, 100, 32)
    dataset = pipeline.stream_blocks(stream, 100, 1, 2, max_block_samples=32)
    fused = compiled_model("fused", "momentum", "mean", "mlp", 250)
    assert fused.losses, "the L2 penalty is part of the model"
    fused.fit(dataset, epochs=2, steps_per_epoch=steps, verbose=0, shuffle=False)
    reference = per_step_reference(dataset, steps, 2, "momentum", "mean", "mlp", 250)
    for got, expected in zip(fused.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


def test_full_batch_over_shards_equals_in_memory_plain_training(shards, tmp_path, monkeypatch):
    pattern, data = shards
    np.savetxt(tmp_path / "all.csv", np.c_[data.features, data.labels], delimiter=",")
    settings = dict(epochs=5, images=False, logdir=str(tmp_path / "logs"), optimizer="momentum")
    in_memory = kerasclf.train(data=str(tmp_path / "all.csv"), engine="plain", **settings)
    monkeypatch.setattr(
        "kerasclf.pipeline.streamed.MAX_BLOCK_SAMPLES", 64
    )  # 250 points: four parts.
    streamed = kerasclf.train(data=pattern, **settings)
    assert streamed.summary["iterations"] == 5 == in_memory.summary["iterations"]
    np.testing.assert_allclose(streamed.weights, in_memory.weights, rtol=1e-5)
    np.testing.assert_allclose(streamed.bias, in_memory.bias, rtol=1e-5, atol=1e-7)
    assert streamed.summary["cost"] == pytest.approx(in_memory.summary["cost"], rel=1e-6)


def test_streamed_run_logs_the_cost_over_every_shard(shards, tmp_path):
    pattern, data = shards
    result = kerasclf.train(
        data=pattern, epochs=3, batch_size=16, logdir=str(tmp_path), run_name="streamed"
    )
    accumulator = EventAccumulator(os.path.join(result.run_dir, "train"), {"tensors": 0})
    accumulator.Reload()
    costs = {e.step: float(tf.make_ndarray(e.tensor_proto)) for e in accumulator.Tensors("cost")}
    assert sorted(costs) == [0, 1, 2, 3]
    # config.json says it streamed: a shard glob streams, whatever `streaming` says.
    config = kerasclf.atomic_files.read_json(os.path.join(result.run_dir, "config.json"))
    assert result.config.streaming is False and config["streaming"] is True
    expected = numpy_cost(result.weights, result.bias, data.features, data.labels)
    assert costs[3] == pytest.approx(expected, rel=1e-5)
    assert costs[0] == pytest.approx(250 * np.log(2), rel=1e-6)
    tags = accumulator.Tags()["tensors"]
    assert {"decision_boundary", "error_surface"} <= set(tags)


def test_generated_stream_is_a_fixed_seeded_set():
    stream = generated_stream("seminar_blobs", 3 * GENERATED_CHUNK_SAMPLES + 5, seed=7)
    assert stream.num_chunks == 4
    chunks = [(x.numpy(), y.numpy()) for x, y in stream.chunks()]
    assert [len(y) for _, y in chunks] == [GENERATED_CHUNK_SAMPLES] * 3 + [5]
    again = [
        (x.numpy(), y.numpy())
        for x, y in generated_stream(
            "seminar_blobs", 3 * GENERATED_CHUNK_SAMPLES + 5, seed=7
        ).chunks()
    ]
    for (x, y), (x_again, y_again) in zip(chunks, again):
        np.testing.assert_array_equal(x, x_again)
        np.testing.assert_array_equal(y, y_again)
    assert not np.array_equal(chunks[0][0], chunks[1][0])
    features = np.concatenate([x for x, _ in chunks])
    labels = np.concatenate([y for _, y in chunks])
    # The seminar's blobs: means (-4,-4) and (4,4), variance 20 on each axis.
    np.testing.assert_allclose(features[labels == 0].mean(0), [-4, -4], atol=0.05)
    np.testing.assert_allclose(features[labels == 1].mean(0), [4, 4], atol=0.05)
    np.testing.assert_allclose(features[labels == 1].var(0), [20, 20], rtol=0.02)
    # Each epoch visits the chunks in its own order, drawn from (seed, epoch).
    first_rows = [tuple(x[0]) for x, _ in chunks]
    orders = []
    for epoch in range(4):
        reordered = stream.chunks(order_key=pipeline.epoch_key(0, epoch))
        orders.append([tuple(x[0].numpy()) for x, _ in reordered])
        assert sorted(orders[-1]) == sorted(first_rows)
    assert len({tuple(order) for order in orders}) > 1


def test_generated_stream_trains_with_the_fused_engine(tmp_path, capsys):
    code = main(
        [
            "train",
            "--num-samples", "200000",
            "--streaming", "true",
            "--batch-size", "1024",
            "--optimizer", "momentum",
            "--epochs", "2",
            "--logdir", str(tmp_path),
            "--run-name", "generated",
            "--images", "false",
        ]
    )  # fmt: skip
    assert code == 0
    summary = kerasclf.atomic_files.read_json(tmp_path / "generated" / "summary.json")
    config = kerasclf.atomic_files.read_json(tmp_path / "generated" / "config.json")
    assert config["engine_used"] == "fused" and summary["iterations"] == 2 * 196
    assert summary["accuracy"] > 0.85


def test_large_generated_sets_stream_automatically(tmp_path, monkeypatch):
    assert make_config(num_samples=STREAM_ABOVE_SAMPLES + 1).streamed
    assert not make_config(num_samples=STREAM_ABOVE_SAMPLES).streamed
    # The fallback says so in one line, and trains: here above a lowered threshold.
    monkeypatch.setattr("kerasclf.run.config.STREAM_ABOVE_SAMPLES", 1000)
    stream = io.StringIO()
    result = kerasclf.train(
        num_samples=3000, batch_size=100, epochs=1, images=False, logdir=str(tmp_path),
        stream=stream,
    )  # fmt: skip
    notes = [line for line in stream.getvalue().splitlines() if line.startswith("note:")]
    assert notes == [
        "note: 3000 points from dataset 'seminar_blobs' stream chunk by chunk instead of loading "
        "into memory; the epoch order is shuffled within blocks."
    ]
    assert result.summary["iterations"] == 30 and result.summary["epochs"] == 1


def test_a_shard_glob_streams(shards):
    pattern, _ = shards
    assert make_config(data=pattern).streamed


def test_shard_sample_keeps_both_classes(shards):
    pattern, _ = shards
    sample = open_csv_shards(pattern).sample(size=64)
    assert sample.num_samples == 64 and set(sample.labels.tolist()) == {0, 1}


def test_a_byte_order_mark_and_quoted_numbers_are_data(tmp_path):
    rows = np.array([[1.0, 2.0, 0], [-1.0, 0.5, 1], [3.0, -2.0, 1], [0.25, 4.0, 0]])
    directory = tmp_path / "shards"
    directory.mkdir()
    lines = [",".join(f"{value:g}" for value in row) for row in rows]
    (directory / "part-0.csv").write_text("\ufeff" + "\n".join(lines[:2]) + "\n")
    quoted = [",".join(f'"{value:g}"' for value in row) for row in rows[2:]]
    (directory / "part-1.csv").write_text("\n".join(quoted) + "\n")
    stream = open_csv_shards(str(directory / "*.csv"))
    assert stream.num_samples == 4  # No first row taken for a header.
    features, labels = (np.concatenate(parts) for parts in zip(*stream.chunks()))
    np.testing.assert_array_equal(
        sorted_rows(features, labels), sorted_rows(rows[:, :2], rows[:, 2])
    )


def bad_shards(tmp_path, contents):
    directory = tmp_path / "bad"
    directory.mkdir()
    for index, text in enumerate(contents):
        (directory / f"part-{index}.csv").write_text(text)
    return str(directory / "*.csv")


BAD_STREAMS = [
    ([], "glob matches no files"),
    (["1,2,0\n3,4,1\n", "1,2,3,0\n"], "different column counts"),
    (["1,2,0\n3,4,1\n", "1,2,0\n5,x,1\n"], "line 2, column 2: expected a number"),
    (["1,2,0\n3,4,1\n", "1,2,0.5\n"], "labels must be integers 0..k-1. Received 0.5"),
    (["1,2,0\n3,4,1\n", "1,nan,1\n"], "features must be finite"),
    (["1,2,0\n", "3,4,0\n"], "every class present"),
    (["x1,x2,label\n"], "no data rows"),
    (["1,2,0\n3,4,1\n", "1,2,1e10\n"], "Received 10000000000.0 in data row 1"),
]


@pytest.mark.parametrize("contents, message", BAD_STREAMS)
def test_bad_shards_exit_2_with_one_line_and_write_nothing(tmp_path, capsys, contents, message):
    pattern = bad_shards(tmp_path, contents)
    logdir = tmp_path / "logs"
    assert main(["train", "--data", pattern, "--logdir", str(logdir)]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert not logdir.exists()


@pytest.mark.parametrize("chunk_lines", [1, 7, 100, 1000])
@pytest.mark.parametrize("newline, last", [("\n", "\n"), ("\r\n", "\r\n"), ("\n", "")])
def test_one_csv_file_streams_in_chunks_of_lines(tmp_path, chunk_lines, newline, last):
    data = make_dataset("seminar_blobs", num_samples=250, seed=4)
    rows = zip(data.features, data.labels)
    lines = ["x1,x2,label", *(f"{x1:.9g},{x2:.9g},{label}" for (x1, x2), label in rows)]
    lines.insert(50, "")  # A blank line is no row.
    path = tmp_path / "points.csv"
    path.write_bytes(("\ufeff" + newline.join(lines) + last).encode())
    stream = open_csv_file(str(path), chunk_lines=chunk_lines)
    assert stream.num_chunks == -(-len(lines) // chunk_lines)  # Every line in one chunk.
    assert (stream.num_samples, stream.num_features, stream.num_classes) == (250, 2, 2)
    chunks = list(stream.chunks())
    assert max(len(labels) for _, labels in chunks) <= chunk_lines
    features, labels = (np.concatenate(parts) for parts in zip(*chunks))
    np.testing.assert_array_equal(features, data.features)  # Every row once, in order.
    np.testing.assert_array_equal(labels, data.labels)


@pytest.mark.parametrize(
    "line, message",
    [
        ("1,x,1", "points.csv: line 5, column 2: expected a number. Received 'x'"),
        ("1,2,3,1", "points.csv: line 5 has 4 columns, expected 3"),
        ("1,nan,1", "a NaN or infinity in data row 4 (line 5, not counting blank lines)"),
        ("1,2,0.5", "Received 0.5 in data row 4 (line 5, not counting blank lines)"),
        ("1;2;0", "line 5 has 1 columns, expected 3 like the first row. The cells are separated"),
    ],
)
def test_a_bad_row_of_a_streamed_file_is_named_by_its_line(tmp_path, capsys, line, message):
    rows = ["x1,x2,label", "1,2,0", "3,4,1", "5,6,0", line, "7,8,1"]
    path = tmp_path / "points.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(ValueError, match="^" + re.escape(str(path))) as error:
        open_csv_file(str(path), chunk_lines=2)  # The bad row is in the third chunk.
    assert message in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize(
    "path, chunk_lines, message",
    [
        ("points.csv", 0, "`chunk_lines` must be an integer >= 1. Received: chunk_lines=0."),
        ("points.csv", 2.5, "`chunk_lines` must be an integer"),
        ("missing.csv", 10, "CSV file does not exist. Received: path="),
    ],
)
def test_open_csv_file_checks_its_arguments(tmp_path, path, chunk_lines, message):
    (tmp_path / "points.csv").write_text("1,2,0\n3,4,1\n")
    with pytest.raises((ValueError, TypeError), match=re.escape(message)):
        open_csv_file(str(tmp_path / path), chunk_lines=chunk_lines)


def test_bytes_that_are_not_utf8_deep_in_a_streamed_file_are_one_line(tmp_path):
    lines = [b"%d,%d,%d\n" % (i, i + 1, i % 2) for i in range(2000)]  # Past any read buffer.
    path = tmp_path / "points.csv"
    path.write_bytes(b"".join(lines) + b"\xff\xfe,5,1\n")
    with pytest.raises(ValueError) as error:
        open_csv_file(str(path), chunk_lines=100)
    assert str(error.value) == (
        f"{path}: a CSV file must be UTF-8. Received byte 0xff on line 2001, which is not UTF-8 "
        "(invalid start byte). Save the file as UTF-8, e.g. iconv -f latin1 -t utf-8 old.csv > "
        "new.csv."
    )


@pytest.mark.parametrize("streaming", ["false", "true"])
def test_a_latin1_csv_file_is_named_with_its_line_and_the_fix(tmp_path, capsys, streaming):
    path = tmp_path / "points.csv"
    path.write_bytes("x1,x2,label\n1,2,0\n3,4,1\n5,6,0 café\n".encode("latin1"))
    arguments = ["train", "--data", str(path), "--streaming", streaming]
    assert main([*arguments, "--logdir", str(tmp_path / "logs")]) == 2
    error = capsys.readouterr().err
    assert "a CSV file must be UTF-8. Received byte 0xe9 on line 4" in error
    assert "iconv -f latin1 -t utf-8" in error and error.count("\n") == 1
    assert not (tmp_path / "logs").exists()


def test_a_large_csv_file_streams_automatically(tmp_path, monkeypatch):
    data = make_dataset("seminar_blobs", num_samples=3000, seed=1)
    path = tmp_path / "points.csv"
    np.savetxt(path, np.c_[data.features, data.labels], delimiter=",", fmt="%.9g")
    assert not make_config(data=str(path)).streamed
    monkeypatch.setattr("kerasclf.data.files.STREAM_ABOVE_BYTES", path.stat().st_size - 1)
    assert make_config(data=str(path)).streamed
    stream = io.StringIO()
    result = kerasclf.train(
        data=str(path), batch_size=100, epochs=1, images=False, logdir=str(tmp_path / "logs"),
        stream=stream,
    )  # fmt: skip
    notes = [line for line in stream.getvalue().splitlines() if line.startswith("note:")]
    assert notes == [
        f"note: 3000 points from {path} stream chunk by chunk instead of loading into memory; "
        "the epoch order is shuffled within blocks."
    ]
    assert result.summary["iterations"] == 30
    # The cost is taken over the whole file at the final weights.
    assert result.summary["cost"] == pytest.approx(
        numpy_cost(result.weights, result.bias, data.features, data.labels), rel=1e-5
    )


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--validation-split", "0.2"], "evaluate the run on it after training (kerasclf"),
        (["--engine", "plain"], "trains on the fused engine only"),
        (
            ["--strategy", "mirrored"],
            "trains on one device. Received: strategy='mirrored'. Drop --strategy.\n",
        ),
        (["--streaming", "yes please"], "`streaming` must be true or false"),
    ],
)
def test_streamed_data_rejects_what_it_cannot_serve(shards, tmp_path, capsys, flags, message):
    pattern, _ = shards
    logdir = tmp_path / "logs"
    assert main(["train", "--data", pattern, "--logdir", str(logdir), *flags]) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1
    assert not logdir.exists()


@pytest.mark.parametrize(
    "flags, fix",
    [  # Data that streams only because --streaming says so fits in memory without it.
        (["--streaming", "true"], "Drop --streaming to hold the data in memory.\n"),
        (["--num-samples", str(2**24 + 1)], "(kerasclf evaluate --run RUN --data FILE), or train"),
    ],
)
def test_a_streamed_validation_split_names_a_fix_that_applies(tmp_path, capsys, flags, fix):
    logdir = tmp_path / "logs"
    assert main(["train", *flags, "--validation-split", "0.1", "--logdir", str(logdir)]) == 2
    error = capsys.readouterr().err
    assert "`validation_split` needs the data in memory" in error and fix in error
    assert not logdir.exists()


def test_streaming_a_single_npz_file_is_rejected(tmp_path, capsys):
    data = make_dataset("seminar_blobs")
    np.savez(tmp_path / "points.npz", X=data.features, y=data.labels)
    path = str(tmp_path / "points.npz")
    assert load_data(path).num_samples == 200
    assert main(["train", "--data", path, "--streaming", "true", "--logdir", str(tmp_path)]) == 2
    assert "`streaming` reads CSV files only" in capsys.readouterr().err


class InterruptAfterEpoch(keras.callbacks.Callback):
    """Sends this process a SIGINT at the end of the second epoch, as Ctrl-C would."""

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            os.kill(os.getpid(), signal.SIGINT)


def test_an_interrupted_streamed_run_resumes_to_the_uninterrupted_weights(shards, tmp_path):
    pattern, _ = shards
    settings = dict(
        data=pattern,
        batch_size=16,
        optimizer="momentum",
        epochs=5,
        images=False,
        logdir=str(tmp_path),
        stream=io.StringIO(),
    )
    cut = kerasclf.train(run_name="cut", callbacks=[InterruptAfterEpoch()], **settings)
    assert cut.summary["status"] == "interrupted" and 2 <= cut.summary["epochs"] < 5
    assert main(["train", "--resume", cut.run_dir]) == 0
    resumed = kerasclf.atomic_files.read_json(os.path.join(cut.run_dir, "summary.json"))
    straight = kerasclf.train(run_name="straight", **settings)
    assert resumed["status"] == "completed" and resumed["epochs"] == 5
    assert resumed["weights"] == straight.weights and resumed["bias"] == straight.bias


def test_parts_under_mixed_precision_scale_the_loss_as_stock_keras(shards):
    """Mixed float16: each part's gradient is of the scaled loss, unscaled once per update."""
    pattern, _ = shards
    stream = open_csv_shards(pattern)
    _, steps = pipeline.stream_layout(250, 100, 32)
    dataset = pipeline.stream_blocks(stream, 100, 1, 2, max_block_samples=32)
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        fused = compiled_model("fused", "gd", "mean", "mlp", 250)
        assert isinstance(fused.optimizer, keras.optimizers.LossScaleOptimizer)
        start = [weight.copy() for weight in fused.get_weights()]
        fused.fit(dataset, epochs=2, steps_per_epoch=steps, verbose=0, shuffle=False)
        reference = per_step_reference(dataset, steps, 2, "gd", "mean", "mlp", 250)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    for got, expected, before in zip(fused.get_weights(), reference.get_weights(), start):
        # float16 sums parts and whole minibatches in different orders: compare the steps taken.
        np.testing.assert_allclose(got - before, expected - before, rtol=0.05, atol=1e-5)


@pytest.mark.parametrize("block_size", [3, 5, 7, 1 << 20])
def test_the_non_utf8_scan_reads_blocks_and_splits_no_character(tmp_path, block_size):
    good = tmp_path / "good.csv"
    good.write_bytes(b"a,b\n" * 3 + "é".encode() * 10 + b"\n")  # Characters across blocks.
    assert _first_non_utf8_byte(str(good), block_size) is None
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"1,2\n" * 1000 + "é".encode() + b"\xe9,1\n")
    assert _first_non_utf8_byte(str(bad), block_size) == (0xE9, 1001, "invalid continuation byte")

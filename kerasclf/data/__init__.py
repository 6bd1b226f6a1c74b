"""The data layer: labelled samples of any shape, named datasets, files and streams.

    labelled    Data (features (N, *feature_shape), labels 0..k-1, class names)
    named       make_dataset, make_dataset_splits: the named sets as Data, with a test part
    loading     load_data, load_data_splits: CSV and .npz files (Keras's layout too);
                data_file_kind: what a file holds, from its header
    splits      split_validation, split_stratified
    datasets    the seminar's named synthetic sets: their table, sizes and checks
    point_sets  the 2-D point sets' generators (seminar_blobs, hand_line, xor, ...)
    fonts       the seminar's font-recognition images, rendered from matplotlib's fonts
    checks      the rules labelled data follows, shared by in-memory and streamed data
    csv_files   CSV parsed by numpy, with one-line errors naming the line and cell
    files       which files stream, shard globs (no NumPy parsing, no TensorFlow)
    streaming   Stream: data read or generated chunk by chunk (imports TensorFlow)
    csv_streams CSV shards, or one big CSV file in chunks, as a checked Stream

The names below are the data layer's API, importable from `kerasclf.data`;
nothing here imports TensorFlow.
"""

from kerasclf.data.checks import check_arrays, missing_classes
from kerasclf.data.csv_files import csv_rows_values, read_csv_values
from kerasclf.data.datasets import DATASETS, check_dataset_arguments, describe_datasets
from kerasclf.data.labelled import Data
from kerasclf.data.loading import data_file_kind, load_data, load_data_splits
from kerasclf.data.npz_arrays import available_memory
from kerasclf.data.named import make_dataset, make_dataset_splits
from kerasclf.data.point_sets import SLIDE_LINE
from kerasclf.data.splits import split_stratified, split_validation

__all__ = [
    "DATASETS",
    "SLIDE_LINE",
    "Data",
    "available_memory",
    "check_arrays",
    "check_dataset_arguments",
    "csv_rows_values",
    "data_file_kind",
    "describe_datasets",
    "load_data",
    "load_data_splits",
    "make_dataset",
    "make_dataset_splits",
    "missing_classes",
    "read_csv_values",
    "split_stratified",
    "split_validation",
]

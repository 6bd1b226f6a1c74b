"""CSV files of numbers: the header rule, fast parsing, and errors that name the cell.

A data CSV file holds one sample per row, numbers separated by commas. Its
first non-empty row is a header when none of its cells is a number
(`is_header_row`); rows whose cells are all blank are skipped. Both
`kerasclf.data` (whole files) and `kerasclf.data.csv_streams` (files in chunks) read
the layout here.

`read_csv_values` parses a whole file with numpy's C parser. Only when that
fails does it read the file again row by row in Python, to name the line,
column and cell at fault.

Example:
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as file:
    ...     _ = file.write("x1,x2,label\\n1.5,2,0\\n-1,0.5,1\\n")
    >>> read_csv_values(file.name).tolist()
    [[1.5, 2.0, 0.0], [-1.0, 0.5, 1.0]]
    >>> csv_layout(file.name)
    (1, 3)
    >>> os.remove(file.name)
"""

from __future__ import annotations

import csv
import os
import warnings

import numpy as np

from kerasclf.data.text_encoding import is_utf16, to_utf8_command
from kerasclf.validation import check_file_exists


def is_header_row(cells: list[str]) -> bool:
    """Whether the first non-empty row of a CSV file is a header: no cell is a number.

    A row with numbers and a bad cell (`1,NA,0`, `1,,0`) is a data row, and its
    bad cell is reported, not dropped as a header.

    Example:
        >>> is_header_row(["x1", "x2", "label"]), is_header_row(["1", " 2.5", "0"])
        (True, False)
        >>> is_header_row(["", "x1", "label"]), is_header_row(["1", "NA", "0"])
        (True, False)
    """
    return not any(_is_number(cell) for cell in cells)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _is_blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def _first_row(path: str) -> tuple[list[str] | None, int]:
    """The first non-empty row of a CSV file, and the lines up to its end (0 if none)."""
    try:
        # utf-8-sig: a byte-order mark (as some spreadsheets write) is not data.
        with open(path, newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file)
            for row in reader:
                if not _is_blank(row):
                    return row, reader.line_num
    except (OSError, UnicodeDecodeError) as error:
        raise csv_read_error(path, error) from None
    return None, 0


def csv_read_error(path: str, error: OSError | UnicodeDecodeError) -> ValueError:
    """The one-line error for a CSV file that cannot be read.

    A byte that is not UTF-8 is named with its line, and the fix; the file is
    scanned a block at a time, so a large streamed file is not read whole.

    Example:
        >>> print(csv_read_error("missing.csv", FileNotFoundError("No such file")))
        missing.csv: cannot read the CSV file (No such file). Check that it exists and is readable.
    """
    if isinstance(error, UnicodeDecodeError):
        try:
            found = _first_non_utf8_byte(path)
            with open(path, "rb") as file:
                first_bytes = file.read(2)
        except OSError:
            found = None
        if found is not None:
            byte, line, reason = found
            received = (
                "a UTF-16 file (it begins with UTF-16's byte-order mark)"
                if is_utf16(first_bytes)
                else f"byte {byte:#04x} on line {line}, which is not UTF-8 ({reason})"
            )
            return ValueError(
                f"{path}: a CSV file must be UTF-8. Received {received}. Save the file as "
                f"UTF-8, e.g. {to_utf8_command(first_bytes, '.csv')}."
            )
    return ValueError(
        f"{path}: cannot read the CSV file ({error}). Check that it exists and is readable."
    )


def _first_non_utf8_byte(path: str, block_size: int = 1 << 20) -> tuple[int, int, str] | None:
    """`(byte, line, reason)` of the first byte of `path` that is not UTF-8, or None."""
    lines_before, carried = 0, b""
    with open(path, "rb") as file:
        while block := file.read(block_size):
            data = carried + block
            try:
                data.decode("utf-8")
                carried = b""
            except UnicodeDecodeError as error:
                if error.reason != "unexpected end of data" or error.start < len(data) - 3:
                    line = lines_before + data[: error.start].count(b"\n") + 1
                    return data[error.start], line, error.reason
                carried = data[error.start :]  # A character split between two blocks.
                data = data[: error.start]
            lines_before += data.count(b"\n")
    if carried:
        return carried[0], lines_before + 1, "unexpected end of data"
    return None


def _no_rows_error(path: str) -> ValueError:
    return ValueError(f"{path}: the CSV file holds no data rows. Add rows of features, label.")


def csv_layout(path: str) -> tuple[int, int]:
    """`(header_rows, num_columns)` of a CSV file, from its first non-empty row.

    Raises:
        ValueError: for a file that cannot be read or holds no rows.
    """
    first, _ = _first_row(path)
    if first is None:
        raise _no_rows_error(path)
    return int(is_header_row(first)), len(first)


def csv_column_count(path: str) -> int | None:
    """The columns of an existing `.csv` file; None for another path (its loading says why).

    Example:
        >>> csv_column_count("points.npz") is None
        True
    """
    if not os.fspath(path).lower().endswith(".csv") or not os.path.isfile(path):
        return None
    return csv_layout(path)[1]


def read_csv_values(path: str) -> np.ndarray:
    """The numbers of a CSV file as a float64 array, skipping an optional header.

    Raises:
        ValueError: for a name not ending in .csv, a missing or empty file,
            ragged rows or a non-numeric cell, naming the line and column.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "points.csv")
        >>> _ = open(path, "w").write("x1,x2,label\\n1,2,0\\n3,4.5,1\\n")
        >>> read_csv_values(path).tolist()
        [[1.0, 2.0, 0.0], [3.0, 4.5, 1.0]]
    """
    if os.path.splitext(path)[1].lower() != ".csv":
        raise ValueError(
            f"expected a CSV file of numbers, a name ending in .csv. Received: {path!r}. Save "
            "the points as CSV, e.g. np.savetxt('points.csv', X, delimiter=',')."
        )
    check_file_exists("data", path)
    first, lines_through_first = _first_row(path)
    if first is None:
        raise _no_rows_error(path)
    header_lines = lines_through_first if is_header_row(first) else 0
    try:
        with open(path, encoding="utf-8-sig") as file, warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Input contained no data".
            values = np.loadtxt(
                file,
                dtype=np.float64,
                delimiter=",",
                comments=None,
                quotechar='"',
                skiprows=header_lines,
                ndmin=2,
            )
    except (OSError, UnicodeDecodeError) as error:
        raise csv_read_error(path, error) from None
    except ValueError:
        # numpy names no line in its file; the row scan names the cell (or, for
        # what only Python reads, such as blank rows of commas, returns the values).
        values = _scan_csv_file(path)
    if not len(values):
        raise _no_rows_error(path)
    return values


def _scan_csv_file(path: str) -> np.ndarray:
    """The numbers of a CSV file read row by row in Python, naming any bad cell."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as file:
            rows = [row for row in csv.reader(file) if not _is_blank(row)]
    except (OSError, UnicodeDecodeError) as error:
        raise csv_read_error(path, error) from None
    first_line = 1
    if rows and is_header_row(rows[0]):
        rows, first_line = rows[1:], 2
    if not rows:
        raise _no_rows_error(path)
    return csv_rows_values(rows, path, first_line)


def csv_rows_values(rows: list[list[str]], path: str, first_line: int, width=None) -> np.ndarray:
    """CSV rows (cells as text) as a float64 array; every row must be `width` numbers.

    Args:
        rows: The non-empty data rows.
        path: The file, for messages.
        first_line: The line number of `rows[0]` in the file, for messages.
        width: The columns each row must have; default, as many as the first.

    Raises:
        ValueError: for a ragged row or a non-numeric cell, naming the line and column.

    Example:
        >>> csv_rows_values([["1", "2"], ["3", "x"]], "points.csv", 1)
        Traceback (most recent call last):
        ...
        ValueError: points.csv: line 2, column 2: expected a number. Received 'x'.
    """
    width = len(rows[0]) if width is None else width
    values = np.empty((len(rows), width), dtype=np.float64)
    for offset, row in enumerate(rows):
        line = first_line + offset
        if len(row) != width:
            raise ValueError(
                f"{path}: line {line} has {len(row)} columns, expected {width} like the first "
                f"row.{separator_hint(''.join(row))}"
            )
        for column, cell in enumerate(row):
            try:
                values[offset, column] = float(cell)
            except ValueError:
                raise ValueError(
                    f"{path}: line {line}, column {column + 1}: expected a number. "
                    f"Received {cell!r}.{separator_hint(cell)}"
                ) from None
    return values


# Separators of spreadsheet exports that are not CSV's comma, with their names.
OTHER_SEPARATORS = {";": "';'", "\t": "tabs"}


def separator_hint(cell: str) -> str:
    """The fix for a cell that holds several values split by another separator, or "".

    Example:
        >>> separator_hint("1,5;2,3;0").split(":")[0]
        " The cells are separated by ';'"
        >>> separator_hint("x")
        ''
    """
    for separator, name in OTHER_SEPARATORS.items():
        if separator in cell:
            return (
                f" The cells are separated by {name}: save the file with commas between cells "
                "and '.' in numbers."
            )
    return ""

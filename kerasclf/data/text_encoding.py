r"""The one text encoding data files take, UTF-8, and how to convert a file to it.

A CSV or text file that is not UTF-8 is refused with the command that saves
it as UTF-8: from UTF-16 where the file begins with UTF-16's byte-order mark
(as Excel's "Unicode Text" and Windows' Notepad save), else from Latin-1, the
usual encoding of older files.

Example:
    >>> to_utf8_command(b"\xff\xfex\x001\x00", ".csv")
    'iconv -f utf-16 -t utf-8 old.csv > new.csv'
    >>> to_utf8_command(b"caf\xe9", ".txt")
    'iconv -f latin1 -t utf-8 old.txt > new.txt'
"""

from __future__ import annotations

# The byte-order marks of UTF-16, little- and big-endian.
UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def is_utf16(first_bytes: bytes) -> bool:
    """Whether a file's first bytes are UTF-16's byte-order mark."""
    return first_bytes[:2] in UTF16_MARKS


def to_utf8_command(first_bytes: bytes, extension: str) -> str:
    """The `iconv` command that saves a file beginning with `first_bytes` as UTF-8."""
    source = "utf-16" if is_utf16(first_bytes) else "latin1"
    return f"iconv -f {source} -t utf-8 old{extension} > new{extension}"

import asyncio
import io

import pytest
from fastapi import UploadFile

from app.errors import Invalid, PayloadTooLarge
from app.kit.uploads import format_size, read_upload


class _CountingFile(io.BytesIO):
    """Records how much was read, to prove an oversized file is not read to the end."""

    read_total = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.read_total += len(chunk)
        return chunk


def test_read_upload_returns_the_bytes() -> None:
    upload = UploadFile(io.BytesIO(b"a,b\n1,2\n"), filename="x.csv")
    assert asyncio.run(read_upload(upload, max_bytes=100)) == b"a,b\n1,2\n"


def test_read_upload_stops_reading_past_the_limit() -> None:
    raw = _CountingFile(b"x" * (5 * 1024 * 1024))
    upload = UploadFile(raw, filename="big.csv")  # size unknown: must count while reading
    with pytest.raises(PayloadTooLarge) as caught:
        asyncio.run(read_upload(upload, max_bytes=1024 * 1024))
    assert caught.value.detail == "The file is larger than the 1 MB limit: send a smaller file."
    assert raw.read_total <= 2 * 1024 * 1024


def test_read_upload_known_size_is_refused_before_reading() -> None:
    raw = _CountingFile(b"x" * 10)
    upload = UploadFile(raw, filename="big.csv", size=int(31.2 * 1024 * 1024))
    with pytest.raises(PayloadTooLarge) as caught:
        asyncio.run(read_upload(upload, max_bytes=20 * 1024 * 1024))
    assert (
        caught.value.detail
        == "The file is 31.2 MB, larger than the 20 MB limit: send a smaller file."
    )
    assert raw.read_total == 0


def test_read_upload_empty_file_is_invalid() -> None:
    with pytest.raises(Invalid) as caught:
        asyncio.run(read_upload(UploadFile(io.BytesIO(b""), filename="e.csv"), max_bytes=10))
    assert caught.value.detail == "The file e.csv is empty: choose a file with some rows in it."


@pytest.mark.parametrize(
    ("size", "text"), [(512, "512 bytes"), (1536, "1.5 KB"), (20 * 1024 * 1024, "20 MB")]
)
def test_format_size_reads_naturally(size: int, text: str) -> None:
    assert format_size(size) == text

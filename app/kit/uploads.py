"""Reading uploaded files within a size limit, shared by every importer."""

from pathlib import PurePosixPath, PureWindowsPath

from fastapi import UploadFile

from app.errors import Invalid, PayloadTooLarge

CHUNK_BYTES = 1024 * 1024


def base_name(filename: str | None) -> str:
    """The file's own name, without any folder a browser or client sent with it."""
    return PureWindowsPath(PurePosixPath(filename or "").name).name


def format_size(size: int) -> str:
    """A byte count for people, e.g. '31.2 MB' or '20 MB'."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            value = f"{size / factor:.1f}".removesuffix(".0")
            return f"{value} {unit}"
    return f"{size} bytes"


def too_large(max_bytes: int, size: int | None = None) -> str:
    """What a person reads when their file is over the limit (its size, when it is known)."""
    limit = format_size(max_bytes)
    if size is None:
        return f"The file is larger than the {limit} limit: send a smaller file."
    return f"The file is {format_size(size)}, larger than the {limit} limit: send a smaller file."


async def read_upload(file: UploadFile, *, max_bytes: int) -> bytes:
    """The file's bytes; refuses an empty file, and a too large one before reading it all."""
    if file.size is not None and file.size > max_bytes:
        raise PayloadTooLarge(too_large(max_bytes, file.size))
    chunks: list[bytes] = []
    total = 0
    while chunk := await file.read(CHUNK_BYTES):
        total += len(chunk)
        if total > max_bytes:
            raise PayloadTooLarge(too_large(max_bytes))
        chunks.append(chunk)
    if total == 0:
        name = f" {base_name(file.filename)}" if file.filename else ""
        raise Invalid(f"The file{name} is empty: choose a file with some rows in it.")
    return b"".join(chunks)

"""Files people upload (attachments of public comments and of online applications): the one table of the
types madoguchi takes, and the one check that a file's content is what its extension says.

``FILE_TYPES``: extension → (media type, the bytes the file must start with; ``None``: text that must be
UTF-8). A file renamed ``.pdf`` that is a PNG is refused, so a staff member never opens something other
than what the citizen's file claims to be.
"""

from __future__ import annotations

FILE_TYPES: dict[str, tuple[str, tuple[bytes, ...] | None]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".txt": ("text/plain", None),
}


def content_matches(upload, ext: str) -> bool:
    """Whether ``upload`` (a Django ``File``) starts as ``FILE_TYPES[ext]`` says (or is UTF-8 text for
    ``.txt``); the file is left at position 0. ``False`` for an extension not in the table or an unreadable
    file."""
    if ext not in FILE_TYPES:
        return False
    signatures = FILE_TYPES[ext][1]
    try:
        upload.seek(0)
        data = upload.read() if signatures is None else upload.read(16)
        upload.seek(0)
    except (AttributeError, OSError):
        return False
    if signatures is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return data.startswith(signatures)

"""File readers: bytes of an uploaded file → ``RawTable`` (rows of text cells).

Readers are registered by format id in ``READERS`` (the extension point for
more formats); each returns a ``RawTable`` or raises ``IngestError``.
Type inference happens later, in ``datastore.typing``, the same way for all.
"""

from .base import RawTable, sniff_format  # noqa: F401
from .registry import READERS, read_table  # noqa: F401

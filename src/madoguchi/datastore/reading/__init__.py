"""File readers: bytes of an uploaded file → ``RawTable`` (text cells, as rows or columns).

Readers are registered by format id in ``READERS`` (the extension point for
more formats); each returns a ``RawTable`` or raises ``IngestError``. Large
CSV files are read column-wise (``csvfast``) with the same result.
Type inference happens later, in ``datastore.inference``, the same way for all.
"""

from .base import RawTable, sniff_format  # noqa: F401
from .registry import READERS, read_table  # noqa: F401

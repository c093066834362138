"""``PrivacyBlocked``: the gate stopped publishing (an ``IngestError``, code ``privacy_blocked``)."""

from __future__ import annotations

from madoguchi.datastore.services import IngestError

from .detectors import KIND_LABELS


class PrivacyBlocked(IngestError):
    """Personal data was found in a public dataset and not overridden. Nothing was published.

    :param findings: the blocking findings ``[{kind, column, rows, count, message, examples, …}]``
    """

    def __init__(self, findings: list[dict], *, file: str = ""):
        self.findings = findings
        parts = [f"列「{f['column']}」{KIND_LABELS.get(f['kind'], f['kind'])} {f['count']}行" for f in findings]
        message = ("個人情報と思われるデータがあるため公開を止めました: " + "、".join(parts) +
                   "。公開してよい列は、理由を記録して解除できます (personal data found; publishing blocked)")
        super().__init__(message, file=file, column=findings[0]["column"] if findings else None,
                         code="privacy_blocked")

    def as_dict(self) -> dict:
        return {**super().as_dict(), "findings": self.findings}

"""The one table of uploaded file types (madoguchi.uploads): content must match the extension."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from madoguchi.uploads import content_matches

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def test_content_matches__by_first_bytes_and_utf8_text():
    assert content_matches(SimpleUploadedFile("a.png", PNG), ".png")
    renamed = SimpleUploadedFile("a.pdf", PNG)
    assert not content_matches(renamed, ".pdf") and renamed.tell() == 0
    assert content_matches(SimpleUploadedFile("a.txt", "御意見です".encode()), ".txt")
    assert not content_matches(SimpleUploadedFile("a.txt", "御意見".encode("cp932")), ".txt")
    assert not content_matches(SimpleUploadedFile("a.exe", b"MZ"), ".exe")

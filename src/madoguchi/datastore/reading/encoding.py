"""Character encoding detection for Japanese text files.

Japanese open data comes as UTF-8 (with or without BOM), CP932 (Windows
Shift_JIS, the default of Japanese Excel) and occasionally EUC-JP. A generic
guesser alone misjudges short CP932 files, so detection is in two steps:

1. a BOM decides; otherwise every candidate that decodes the whole file
   *strictly* stays in the race (UTF-8 first: CP932 text practically never
   decodes as UTF-8);
2. if more than one legacy encoding decodes, charset-normalizer ranks only
   those (``cp_isolation``), and a Japanese-likeness score breaks ties.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from ..errors import IngestError

CANDIDATES = ("cp932", "euc_jp")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e]")
_RARE = re.compile(r"[\ue000-\uf8ff\u2460-\u24ff\uff61-\uff9f]")  # private use, circled, half-width kana


def _japanese_score(text: str) -> float:
    sample = text[:20000]
    if not sample:
        return 0.0
    return (len(_JAPANESE.findall(sample)) - 3 * len(_RARE.findall(sample))) / len(sample)


def detect_encoding(data: bytes, *, file: str = "") -> tuple[str, str]:
    """Return ``(encoding, text)`` for the bytes of a text file.

    ``encoding`` is a Python codec name: ``utf-8-sig``, ``utf-8``, ``cp932`` or
    ``euc_jp``. ``text`` has the BOM removed.

    :raises IngestError: (code ``encoding``) when no candidate decodes the file;
        the message gives the byte offset and line of the first undecodable byte
        under UTF-8 and CP932.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            return "utf-8-sig", data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _encoding_error(data, file, exc) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", data.decode("utf-16")
    first_error = _fails_early(data, "utf-8")
    if first_error is None:
        try:
            return "utf-8", data.decode("utf-8")
        except UnicodeDecodeError as utf8_error:
            # without its traceback: the traceback's frame would hold ``decoded``
            # (the whole text) in a reference cycle until the next collection
            first_error = utf8_error.with_traceback(None)
    decoded: dict[str, str] = {}
    for enc in CANDIDATES:
        if _fails_early(data, enc) is not None:
            continue
        try:
            decoded[enc] = data.decode(enc)
        except UnicodeDecodeError:
            continue
    if not decoded:
        raise _encoding_error(data, file, first_error)
    if len(decoded) == 1:
        return next(iter(decoded.items()))
    best = from_bytes(data[:200_000], cp_isolation=list(decoded)).best()
    guessed = best.encoding if best else None
    scores = {enc: _japanese_score(text) for enc, text in decoded.items()}
    top = max(scores, key=scores.get)
    if guessed in decoded and scores[guessed] >= scores[top] - 0.05:
        return guessed, decoded[guessed]
    return top, decoded[top]


_PROBE_BYTES = 1 << 16


def streamable_encoding(data: bytes) -> str | None:
    """The one encoding ``detect_encoding`` can choose for ``data``, known from its head.

    That is when ``data`` has no BOM, is not UTF-8 within its first 64 KiB, and
    exactly one of CP932 / EUC-JP reads those 64 KiB. Then ``detect_encoding``
    returns that encoding if it decodes the whole file, and raises otherwise, so
    the file can be decoded (and used) piece by piece. ``None`` when the head
    does not decide.
    """
    if len(data) <= _PROBE_BYTES or data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if _fails_early(data, "utf-8") is None:
        return None
    readable = [enc for enc in CANDIDATES if _fails_early(data, enc) is None]
    return readable[0] if len(readable) == 1 else None


def _fails_early(data: bytes, encoding: str) -> UnicodeDecodeError | None:
    """The error of decoding ``data`` strictly if its first 64 KiB already have one, else ``None``.

    Decoding is left to right, so a byte sequence that is invalid in the head
    (not merely cut off at its end) makes the whole decode fail. Failing on the
    whole of a large file costs time: the error keeps a copy of all the bytes.
    """
    if len(data) <= _PROBE_BYTES:
        return None
    try:
        codecs.getincrementaldecoder(encoding)().decode(data[:_PROBE_BYTES], final=False)
    except UnicodeDecodeError as exc:
        return exc.with_traceback(None)
    return None


def _encoding_error(data: bytes, file: str, exc: UnicodeDecodeError) -> IngestError:
    try:
        data.decode("cp932")
    except UnicodeDecodeError as cp932_exc:
        offset = cp932_exc.start
    else:  # pragma: no cover - cp932 decodes, so not reached
        offset = exc.start
    line = data.count(b"\n", 0, offset) + 1
    return IngestError(
        f"文字コードを判定できません。UTF-8・Shift_JIS(CP932)・EUC-JP のいずれでも読めない"
        f"バイトが {offset} バイト目にあります。UTF-8 で保存し直してください。"
        f" (undecodable byte at offset {offset})",
        file=file, row=line, code="encoding")

"""Masking personal data in free text before it is stored (questions typed to the FAQ assistant, call logs).

``mask_personal_text(text)`` → ``(masked text, kinds found)``. What is masked, and why it differs from the
table scan (``services.scan_table``, which decides whether a column blocks publication):

* ``my_number`` — any 12-digit run (grouped 4-4-4 or not). In a typed question there is no column to
  judge, and a citizen who types 12 digits next to a question is far more likely to type a 個人番号 than
  a code, so the check digit is not required here (a false mask costs nothing).
* ``email`` — every address, public bodies' included (a citizen may quote a staff member's address; the
  log does not need it).
* ``phone`` — every Japanese phone number (0 + 9 or 10 digits, with or without hyphens/brackets):
  mobile, fixed and IP phones alike, since a landline typed into a question is the citizen's own.
* ``person_name`` — SudachiPy tokens tagged 名詞-固有名詞-人名 (surnames and given names) and the word
  before 様/さん/君/ちゃん.

Masks keep the shape readable for staff: ``********9018``, ``y***@example.jp``, ``090-****-5678``, ``〇〇``.
"""

from __future__ import annotations

import re

from .detectors import EMAIL_RE, _tokenizer, mask_email, nfkc

__all__ = ["mask_personal_text"]

_TWELVE = re.compile(r"(?<![0-9])[0-9]{4}[-‐−–\s]?[0-9]{4}[-‐−–\s]?[0-9]{4}(?![0-9])")
_PHONE = re.compile(r"(?<![0-9])(?:\(?0[0-9]{1,4}\)?[-‐−–\s()]?[0-9]{1,4}[-‐−–\s()]?[0-9]{3,4})(?![0-9])")
_HONORIFIC = re.compile(r"([一-龥ぁ-んァ-ヶー]{1,6})(様|さま|さん|君|くん|ちゃん)")
NAME_MASK = "〇〇"
MAX_CHARS = 10_000


def _digits(s: str) -> str:
    return re.sub(r"[^0-9]", "", s)


def _mask_phone(m: re.Match) -> str:
    digits = _digits(m.group(0))
    if not (10 <= len(digits) <= 11):
        return m.group(0)
    return f"{digits[:3]}-****-{digits[-4:]}"


def mask_personal_text(text: str) -> tuple[str, list[str]]:
    """Mask personal data in ``text`` (NFKC-normalised first; at most 10,000 characters are kept).

    :returns: ``(masked, kinds)`` where kinds ⊆ ``["my_number", "email", "phone", "person_name"]`` in
        the order found
    """
    if not text:
        return "", []
    out = nfkc(text)[:MAX_CHARS]
    kinds: list[str] = []

    def note(kind: str) -> None:
        if kind not in kinds:
            kinds.append(kind)

    def email(m: re.Match) -> str:
        note("email")
        return mask_email(m.group(0))

    out = EMAIL_RE.sub(email, out)

    def twelve(m: re.Match) -> str:
        note("my_number")
        return "********" + _digits(m.group(0))[-4:]

    out = _TWELVE.sub(twelve, out)

    def phone(m: re.Match) -> str:
        masked = _mask_phone(m)
        if masked != m.group(0):
            note("phone")
        return masked

    out = _PHONE.sub(phone, out)
    pieces: list[str] = []
    changed = False
    for token in _tokenizer().tokenize(out):
        pos = token.part_of_speech()
        if pos[1] == "固有名詞" and pos[2] == "人名":
            if not pieces or pieces[-1] != NAME_MASK:
                pieces.append(NAME_MASK)
            changed = True
        else:
            pieces.append(token.surface())
    if changed:
        note("person_name")
        out = "".join(pieces)

    def honorific(m: re.Match) -> str:
        if m.group(1) == NAME_MASK or m.group(1).endswith(("お客", "皆", "みな", "職員", "担当")):
            return m.group(0)
        note("person_name")
        return NAME_MASK + m.group(2)

    out = _HONORIFIC.sub(honorific, out)
    return out, kinds

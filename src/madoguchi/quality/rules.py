"""The machine-readability rules a quality report checks, by their official numbers.

Source: 総務省 (2020-12-18)「統計表における機械判読可能なデータ作成に関する表記方法」
(https://www.soumu.go.jp/main_content/000723626.pdf), announced as
「統計表における機械判読可能なデータの表記方法の統一ルールの策定」
(https://www.soumu.go.jp/menu_news/s-news/01toukatsu01_02000186.html), 第1章
「機械判読可能なデータの作成」 チェック項目 1-1 … 1-12: numbers and texts as
quoted by secondary sources (skill-pass.jp, smbiz.asahi.com); the PDF itself
was not at hand. 「データが分断されていないか」 is listed by the same sources
without a number and is kept unnumbered here.

Rules the 総務省 list does not number, each named by its text and source:

* header in the first row — RFC 4180 §2 rule 3 (the header is the first line),
  as the オープンデータ化のための技術ガイド (指針1) puts it for CSV;
* encoding — デジタル庁「自治体標準オープンデータセット」 files are UTF-8
  (CP932 is read, but noted);
* 全国地方公共団体コード — the 6-digit code with check digit (総務省
  「全国地方公共団体コード」), which the standard datasets use for 1-12.

Rules that need a person (1-6 … 1-9 parts the file cannot show) are listed with
``checkable=False`` so the report names them without judging them.
"""

from __future__ import annotations

from dataclasses import dataclass

SOUMU_2020 = "総務省「統計表における機械判読可能なデータ作成に関する表記方法」(2020)"
RFC4180 = "RFC 4180 §2 (CSV の見出し行) / オープンデータ化のための技術ガイド"
DIGITAL_AGENCY = "デジタル庁「自治体標準オープンデータセット」"
LG_CODE = "総務省「全国地方公共団体コード」"


@dataclass(frozen=True)
class Rule:
    id: str
    number: str  # official check number ("1-4"); "" when the source does not number it
    text: str
    source: str
    checkable: bool = True


RULES: list[Rule] = [
    Rule("file_format", "1-1", "ファイル形式は Excel か CSV となっているか", SOUMU_2020),
    Rule("one_value_per_cell", "1-2", "1セル1データとなっているか", SOUMU_2020),
    Rule("numbers_without_text", "1-3", "数値データは数値属性とし、文字列を含まないこと", SOUMU_2020),
    Rule("merged_cells", "1-4", "セルの結合をしていないか", SOUMU_2020),
    Rule("layout_spaces", "1-5", "スペースや改行等で体裁を整えていないか", SOUMU_2020),
    Rule("column_names", "1-6", "項目名等を省略していないか", SOUMU_2020),
    Rule("formulas", "1-7", "数式を使用している場合は、数値データに修正しているか", SOUMU_2020),
    Rule("objects", "1-8", "オブジェクトを使用していないか", SOUMU_2020),
    Rule("units_stated", "1-9", "データの単位を記載しているか", SOUMU_2020, checkable=False),
    Rule("platform_dependent_characters", "1-10", "機種依存文字を使用していないか", SOUMU_2020),
    Rule("western_calendar", "1-11", "e-Stat の時間軸コードの表記、西暦表記又は和暦に西暦の併記がされているか",
         SOUMU_2020),
    Rule("area_codes", "1-12", "地域コード又は地域名称が表記されているか", SOUMU_2020),
    Rule("not_split", "", "データが分断されていないか (1つの表が途中で区切られたり、見出しが繰り返されたりしていないか)",
         SOUMU_2020),
    Rule("header_first_row", "", "見出し (項目名) は表の1行目に置き、上にタイトルや注記を置かない", RFC4180),
    Rule("encoding", "", "文字コードは UTF-8 とする (Shift_JIS/CP932 は機種依存)", DIGITAL_AGENCY),
    Rule("local_government_code", "", "全国地方公共団体コードは検査数字付き6桁で正しく記載する", LG_CODE),
]
RULES_BY_ID = {r.id: r for r in RULES}

#: results of a rule check
PASS, FAIL, NOT_APPLICABLE, NOT_ASSESSED, MANUAL = "pass", "fail", "not_applicable", "not_assessed", "manual"
RESULT_LABELS = {PASS: "〇", FAIL: "×", NOT_APPLICABLE: "対象外", NOT_ASSESSED: "未評価", MANUAL: "要確認"}

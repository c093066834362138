"""madoguchi.codes: the 全国地方公共団体コード check digit and which headings hold such codes
(the one rule normalization and the quality report share)."""

from __future__ import annotations

import pytest

from madoguchi.codes import (LOCAL_GOVERNMENT_CODE_COLUMN, PREFECTURE_CODE_COLUMN, is_valid_local_government_code,
                             local_government_code_check_digit)


@pytest.mark.parametrize("code5, digit", [("01100", "2"), ("01101", "1"), ("22212", "7"), ("13000", "1"),
                                          ("01202", "5"), ("43100", "1")])
def test_check_digit(code5, digit):
    assert local_government_code_check_digit(code5) == digit
    assert is_valid_local_government_code(code5 + digit)
    assert not is_valid_local_government_code(code5 + str((int(digit) + 1) % 10))


@pytest.mark.parametrize("heading, municipal, prefecture", [
    ("全国地方公共団体コード", True, False), ("都道府県コード又は市区町村コード", True, False),
    ("都道府県コ―ド又は市区町村コ―ド", True, False), ("所在地_全国地方公共団体コード", True, False),
    ("市町村コード", True, False), ("lg_code", True, False), ("都道府県コード", True, True),
    ("郵便番号", False, False), ("POIコード", False, False)])
def test_columns_of_codes(heading, municipal, prefecture):
    assert (bool(LOCAL_GOVERNMENT_CODE_COLUMN.search(heading)), bool(PREFECTURE_CODE_COLUMN.search(heading))) == (
        municipal, prefecture)


def test_normalization_completes_codes_in_any_such_column_but_not_prefecture_codes(ingest):
    v = ingest("市町村コード,都道府県コード,名称\n22212,22,焼津市\n".encode(), "c.csv")
    codes = {f["code"]: f["column"] for f in v.report["fixes"]}
    assert codes == {"local_government_code_check_digit_added": "市町村コード"}

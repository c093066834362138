"""Search normalization and Japanese date parsing (rules in madoguchi.text and madoguchi.wareki)."""

import datetime as dt

import pytest

from madoguchi.text import normalize_for_search, search_terms
from madoguchi.wareki import parse_japanese_date


@pytest.mark.parametrize("text", ["ごみ", "ゴミ", "ｺﾞﾐ", " ゴミ　"])
def test_normalize__kana_and_width_fold_to_hiragana(text):
    assert normalize_for_search(text) == "ごみ"


def test_search_terms__split_on_full_width_space():
    assert search_terms("人口　ＡＢＣ  世帯") == ["人口", "abc", "世帯"]


@pytest.mark.parametrize("text,expected", [
    ("令和2年3月1日", dt.date(2020, 3, 1)),
    ("令和 02年05月01日", dt.date(2020, 5, 1)),
    ("令和元年5月1日", dt.date(2019, 5, 1)),
    ("R2.3.1", dt.date(2020, 3, 1)),
    ("r2.3.1", dt.date(2020, 3, 1)),
    ("H31.4.30", dt.date(2019, 4, 30)),
    ("平成31年4月", dt.date(2019, 4, 1)),
    ("昭和64年1月7日", dt.date(1989, 1, 7)),
    ("Ｒ２．３．１", dt.date(2020, 3, 1)),
    ("2020/3/1", dt.date(2020, 3, 1)),
    ("2020-03-01", dt.date(2020, 3, 1)),
    ("2015年03月11日", dt.date(2015, 3, 11)),
])
def test_parse_japanese_date__accepts(text, expected):
    assert parse_japanese_date(text) == expected


@pytest.mark.parametrize("text", ["R2.2.30", "2020.3", "12345", "令和", "令和6年1月1日～令和11年12月31日", "abc", "1,234"])
def test_parse_japanese_date__rejects(text):
    assert parse_japanese_date(text) is None

"""The generated population table used by the benchmarks (``ingest.py``, ``compare.py``).

A CP932 CSV shaped like a city's 町丁別年齢別男女別人口: a title row, then
``全国地方公共団体コード,区名,町丁名,年齢,性別,人口,世帯数,調査日``; ward codes
with a leading zero, full-width 丁目 numbers, ages 0–100 × 男/女, counts written
as statistics offices do (``-`` for 0, ``"1,234"``), the date in 和暦.
Deterministic for a seed.
"""

from __future__ import annotations

import random

SEED = 20240401
TITLE = "令和6年4月1日現在,町丁別年齢別男女別人口,,,,,,"
HEADER = ["全国地方公共団体コード", "区名", "町丁名", "年齢", "性別", "人口", "世帯数", "調査日"]
SURVEY_DATE = "令和6年4月1日"

# 札幌市の区 (団体コード) and town-name stems of each; 丁目 numbers are added.
WARDS = {
    "011011": ("中央区", "大通東 大通西 北一条西 南三条東 南四条西 宮の森 円山西町 伏見 旭ケ丘 山鼻 桑園 盤渓"),
    "011029": ("北区", "北二十四条西 新琴似 屯田 篠路 麻生町 北三十条西 拓北 百合が原 太平 新川"),
    "011037": ("東区", "元町 苗穂町 伏古 栄町 本町 北丘珠 東苗穂 北十条東 中沼 東雁来"),
    "011045": ("白石区", "菊水 本郷通 南郷通 東札幌 栄通 北郷 川下 平和通 中央 川北"),
    "011053": ("豊平区", "平岸 月寒東 美園 豊平 福住 中の島 西岡 羊ケ丘 月寒西 水車町"),
    "011061": ("南区", "真駒内 澄川 藤野 石山 川沿 簾舞 南沢 芸術の森 定山渓 常盤"),
    "011070": ("西区", "発寒 西野 山の手 二十四軒 琴似 八軒 西町北 宮の沢 平和 福井"),
    "011088": ("厚別区", "厚別中央 もみじ台西 厚別東 厚別南 青葉町 厚別北 厚別西 大谷地東 上野幌"),
    "011096": ("手稲区", "前田 富丘 新発寒 手稲本町 星置 稲穂 曙 金山 明日風 西宮の沢"),
    "011100": ("清田区", "清田 北野 里塚 平岡 真栄 美しが丘 有明 里塚緑ケ丘 平岡公園東"),
}
_FW = str.maketrans("0123456789", "０１２３４５６７８９")


# --------------------------------------------------------------------------- data


def _towns():
    """Endless list of (code, ward, town) with full-width 丁目 numbers."""
    towns = []
    for chome in range(1, 100):
        for code, (ward, stems) in WARDS.items():
            for stem in stems.split():
                towns.append((code, ward, f"{stem}{str(chome).translate(_FW)}丁目"))
    return towns


def _number(n: int) -> str:
    """Write n as statistics offices do: "-" for 0, thousands commas in quotes."""
    if n == 0:
        return "-"
    if n >= 1000:
        return f'"{n:,}"'
    return str(n)


def generate_csv(rows: int, seed: int = SEED) -> bytes:
    """Return ``rows`` data rows (plus title and header) as CP932 bytes with CRLF."""
    rng = random.Random(seed)
    towns = _towns()
    per_town = 101 * 2  # ages 0..100 × 男/女
    need = -(-rows // per_town)
    if need > len(towns):  # more rows than 99 丁目 of every stem: add 番地-like suffixes
        base = towns
        towns = [(c, w, t if i < len(base) else f"{t}{i // len(base) + 1}")
                 for i, (c, w, t) in ((i, base[i % len(base)]) for i in range(need))]
    order = towns[:]
    rng.shuffle(order)
    # precomputed strings: numbers 0..9999 as written, and age/sex fragments
    written = [_number(n) for n in range(10_000)]
    age_sex = [f"{age},{sex}," for age in range(101) for sex in ("男", "女")]
    tail = f",{SURVEY_DATE}"
    expo = rng.expovariate
    rand = rng.random
    lines = [TITLE, ",".join(HEADER)]
    append = lines.append
    for t in range(need):
        code, ward, town = order[t]
        prefix = f"{code},{ward},{town},"
        scale = 40 + 400 * rand()  # some towns are big
        big = rand() < 0.05  # a few rows with totals in the thousands ("1,234")
        for k in range(min(per_town, rows - t * per_town)):
            pop = 0 if rand() < 0.03 else min(9999, int(expo(1 / scale)) + (1000 if big else 0))
            hh = min(9999, int(pop * (0.4 + 0.5 * rand())) + (1000 if big and rand() < 0.5 else 0))
            append(prefix + age_sex[k] + written[pop] + "," + written[hh] + tail)
    return ("\r\n".join(lines) + "\r\n").encode("cp932")

"""Standard dataset definitions → Frictionless Table Schema JSON (``schemas/<id>.json``).

Two generations:

* ``v1`` — the 14 推奨データセット 基本編 datasets, converted from NEC's machine-readable
  OpenAPI 3 models (``sources/NN_名前.model.yaml``, MIT © 2021 NEC Corporation; the
  definitions themselves are government publications under 政府標準利用規約).
* ``2024`` — 公衆トイレ一覧, 消防水利施設一覧, イベント一覧 in the layout of the Digital Agency's
  自治体標準オープンデータセット, **reconstructed from files 焼津市 publishes in that layout**
  (no machine-readable copy of the official 定義書 exists; see ``sources/PROVENANCE.md``).
  Types, flags and required marks are carried over from the v1 field of the same name;
  the schema says so in ``x-madoguchi.reconstructed`` and in each field's description.

Field rules (each rule's source is written into the field's ``description``):

* ``name`` exactly as the definition spells it; ``title`` = name; ``description`` = the
  definition's Japanese text.
* ``type``: ``number`` where the definition says number, ``date``/``time`` for
  ``format: date``/``time`` (date ``YYYY-MM-DD``, time ``hh:mm``), ``string`` with
  ``format: uri`` for URLs, otherwise ``string``.
* flags (``enum``): the definition's values; the empty value ``''`` of a flag enumeration
  is not a value but "not applicable", so such a field is a required *column*
  (``x-madoguchi.requiredColumns``) whose cells may be empty.
* ``constraints.required`` for the definition's ``required`` fields (except those flags).
* patterns (``[0-9]``, not ``\\d``, which in Python also matches full-width digits) only where the form is fixed outside the free text: 全国地方公共団体コード (6 digits
  with check digit), 法人番号 (13 digits), 町字ID (7 digits, アドレス・ベース・レジストリ),
  電話番号/FAX番号 (half-width digits separated by hyphens); 緯度/経度 in their range; NO/ID unique.

``build_all()`` makes every schema; ``write_all()`` writes them (``madoguchi build-standard-schemas``).
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
SCHEMAS = HERE / "schemas"

SOURCE_REPO = "https://github.com/NEC-FIWARE/smart-data-models"
SOURCE_COMMIT = "4ae28f2f3e8e"
V1_GENERATION = "v1"
V1_GENERATION_TITLE = "推奨データセット 基本編 (政府CIOポータル)"
NEW_GENERATION = "2024"
NEW_GENERATION_TITLE = "自治体標準オープンデータセット (再構成)"

#: id → source file of the v1 models (``sources/``)
V1_MODELS = {
    "aed-v1": "01_AED設置箇所一覧.model.yaml",
    "care-service-v1": "02_介護サービス事業所一覧.model.yaml",
    "medical-institution-v1": "03_医療機関一覧.model.yaml",
    "cultural-property-v1": "04_文化財一覧.model.yaml",
    "tourism-v1": "05_観光施設一覧.model.yaml",
    "event-v1": "06_イベント一覧.model.yaml",
    "public-wifi-v1": "07_公衆無線LANアクセスポイント一覧.model.yaml",
    "public-toilet-v1": "08_公衆トイレ一覧.model.yaml",
    "fire-water-v1": "09_消防水利施設一覧.model.yaml",
    "evacuation-space-v1": "10_指定緊急避難場所一覧.model.yaml",
    "population-v1": "11_地域・年齢別人口.model.yaml",
    "public-facility-v1": "12_公共施設一覧.model.yaml",
    "childcare-v1": "13_子育て施設一覧.model.yaml",
    "open-data-list-v1": "14_オープンデータ一覧.model.yaml",
}

_ADDRESS = ["所在地_全国地方公共団体コード", "町字ID", "所在地_連結表記", "所在地_都道府県", "所在地_市区町村",
            "所在地_町字", "所在地_番地以下", "建物名等(方書)"]

#: The new-layout headers as published by 焼津市 (sources/PROVENANCE.md), with the v1 model the
#: same-named fields are carried over from.
NEW_LAYOUTS = {
    "public-toilet-2024": {
        "base": "public-toilet-v1", "title": "公衆トイレ一覧", "file": "222127_public_toilet.csv",
        "description": "公衆トイレの所在地・設備。",
        "fields": ["全国地方公共団体コード", "ID", "地方公共団体名", "名称", "名称_カナ", "名称_英語", *_ADDRESS,
                   "設置位置", "緯度", "経度", "高度の種別", "高度の値", "男性トイレ総数", "男性トイレ数（小便器）",
                   "男性トイレ数（和式）", "男性トイレ数（洋式）", "女性トイレ総数", "女性トイレ数（和式）",
                   "女性トイレ数（洋式）", "男女共用トイレ総数", "男女共用トイレ数（和式）", "男女共用トイレ数（洋式）",
                   "バリアフリートイレ数", "車椅子使用者用トイレ有無", "乳幼児用設備設置トイレ有無",
                   "オストメイト設置トイレ有無", "利用開始時間", "利用終了時間", "利用可能時間特記事項", "画像",
                   "画像_ライセンス", "備考"],
    },
    "fire-water-2024": {
        "base": "fire-water-v1", "title": "消防水利施設一覧", "file": "222127_fire_hydrant.csv",
        "description": "消火栓・防火水そう等の消防水利施設。",
        "fields": ["全国地方公共団体コード", "ID", "地方公共団体名", "種別", *_ADDRESS, "緯度", "経度", "口径", "備考"],
    },
    "event-2024": {
        "base": "event-v1", "title": "イベント一覧", "file": "event.csv",
        "description": "地方公共団体が主催・共催・後援するイベント。",
        "fields": ["全国地方公共団体コード", "法人番号", "ID", "地方公共団体名", "イベント名", "言語コード", "イベント通称",
                   "サブタイトル", "イベント名_カナ", "イベント名_英語", "コンテンツURL", "状態", "キーワード", "タグ",
                   "対象となる産業", "開催パターン", "開始日", "終了日", "開始時間", "終了時間", "開始日時特記事項",
                   "所要時間", "掲載開始日", "掲載終了日", "概要", "説明", "サブイベント", "イベント種類", "料金(基本)",
                   "料金(詳細)", "連絡先名称", "連絡先電話番号", "連絡先内線番号", "主催者", "共催団体", "関連組織",
                   "対象者", "対象者備考", "場所名称", "集合（受付）場所", *_ADDRESS, "緯度", "経度", "アクセス方法",
                   "駐車場情報", "駐車場料金", "駐輪場情報", "Web開催", "Web開催URL", "ツール・環境", "定員", "定員備考",
                   "料金種別", "決済種別", "外国語対応", "外国語対応備考", "開催条件", "参加申込終了日", "参加申込終了時間",
                   "参加申込方法", "申込開始日", "申込開始時刻", "申込URL", "URL", "授乳室", "おむつ替えコーナー",
                   "飲食可否", "ベビーカー貸出", "ベビーカー利用", "画像", "画像_ライセンス", "備考", "イベントジャンル"],
    },
}

#: new-layout fields with no same-named v1 field whose type the name itself fixes
_NEW_TYPES = {
    "掲載開始日": "date", "掲載終了日": "date", "申込開始日": "date", "申込開始時刻": "time",
    "コンテンツURL": "uri", "Web開催URL": "uri", "申込URL": "uri", "URL": "uri", "画像": "uri",
    "高度の値": "number", "バリアフリートイレ数": "number",
}
#: v1 field → the new-layout field that takes its place (same meaning, new name)
_RENAMED = {"住所": "所在地_連結表記", "方書": "建物名等(方書)", "NO": "ID",
            "都道府県コード又は市区町村コード": "全国地方公共団体コード"}

COMMON_RULES = "推奨データセット 共通ルール"
LG_CODE = ("6 桁の全国地方公共団体コード (JIS X 0401/0402 の 5 桁 + 検査数字)。形式の出典: 総務省 全国地方公共団体コード、"
           + COMMON_RULES)
PATTERNS = {
    # name → (pattern, note for the description)
    "都道府県コード又は市区町村コード": (r"[0-9]{6}", LG_CODE),
    "市区町村コード": (r"[0-9]{6}", LG_CODE),
    "全国地方公共団体コード": (r"[0-9]{6}", LG_CODE),
    "所在地_全国地方公共団体コード": (r"[0-9]{6}", LG_CODE),
    "法人番号": (r"[0-9]{13}", "13 桁の法人番号 (国税庁 法人番号公表サイト; 行政手続における特定の個人を識別するための番号の利用等に関する法律 第39条)"),
    "町字ID": (r"[0-9]{7}", "7 桁の町字ID (デジタル庁 アドレス・ベース・レジストリ 町字マスター)"),
}
PHONE_PATTERN = r"0[0-9]{1,4}-[0-9]{1,4}-[0-9]{3,4}"
PHONE_NOTE = f"半角数字を市外局番からハイフンで区切る (例 03-1234-5678)。形式の出典: {COMMON_RULES}"
PHONE_FIELDS = ("電話番号", "連絡先電話番号", "FAX番号")
UNIQUE_FIELDS = {"NO": "推奨データセット: 地方公共団体内でデータが一意に決まるよう設定",
                 "ID": "自治体標準オープンデータセット: 地方公共団体内でデータが一意に決まるよう設定"}
RANGES = {"緯度": (-90, 90), "経度": (-180, 180)}
DATE_NOTE = f"日付は YYYY-MM-DD ({COMMON_RULES})"
TIME_FORMAT = "%H:%M"
TIME_NOTE = f"時刻は hh:mm ({COMMON_RULES})"


def load_model(file_name: str) -> tuple[str, dict]:
    """The dataset name and OpenAPI schema object of one ``sources/*.model.yaml``."""
    model = yaml.safe_load((SOURCES / file_name).read_text(encoding="utf-8"))
    ((name, schema),) = model["components"]["schemas"].items()
    for key in schema["properties"]:
        if not isinstance(key, str):  # a YAML 1.1 boolean such as an unquoted NO
            raise ValueError(f"{file_name}: property name {key!r} is not text")
    return name, schema


def _field(name: str, prop: dict, *, required: bool, notes: list[str]) -> tuple[dict, bool]:
    """One Table Schema field; returns ``(field, required_column)``."""
    description = (prop.get("description") or "").strip()
    field: dict = {"name": name, "title": name, "description": description, "type": "string"}
    constraints: dict = {}
    fmt, kind = prop.get("format"), prop.get("type", "string")
    if kind in ("number", "integer"):
        field["type"] = kind
    elif fmt == "date":
        field["type"] = "date"
        notes.append(DATE_NOTE)
    elif fmt == "time":
        field["type"], field["format"] = "time", TIME_FORMAT
        notes.append(TIME_NOTE)
    elif fmt == "uri":
        field["format"] = "uri"
    required_column = required
    enum = prop.get("enum")
    if enum:
        values = [str(v) for v in enum if str(v) != ""]
        constraints["enum"] = values
        if len(values) != len(enum) and required:
            # enum ['1', ''] — the empty value is allowed: the column is required, its cells are not
            notes.append("列は必須、値は「" + "」「".join(values) + "」または空欄")
            required = False
    if required:
        constraints["required"] = True
    if name in PATTERNS:
        constraints["pattern"], note = PATTERNS[name]
        notes.append(note)
    elif name in PHONE_FIELDS:
        constraints["pattern"] = PHONE_PATTERN
        notes.append(PHONE_NOTE)
    if name in UNIQUE_FIELDS:
        constraints["unique"] = True
        notes.append(UNIQUE_FIELDS[name])
    if name in RANGES and field["type"] == "number":
        constraints["minimum"], constraints["maximum"] = RANGES[name]
        notes.append(f"世界測地系の10進数 ({RANGES[name][0]}〜{RANGES[name][1]})")
    if constraints:
        field["constraints"] = constraints
    if notes:
        field["description"] = (description + " " if description else "") + "［" + "。".join(notes) + "］"
    if prop.get("x-ngsi", {}).get("uri") and prop["x-ngsi"]["uri"].endswith("#" + name):
        field["x-ngsi-uri"] = prop["x-ngsi"]["uri"]  # the NGSI attribute of the NEC model
    return field, required_column


def convert_model(standard_id: str, file_name: str) -> dict:
    """The Table Schema (dict) of one v1 model; NGSI-only properties (``location``) are left out."""
    name, schema = load_model(file_name)
    required = set(schema.get("required") or [])
    fields, required_columns = [], []
    for prop_name, prop in schema["properties"].items():
        if prop.get("type") == "object":  # NGSI GeoProperty, not a column of the CSV
            continue
        field, required_column = _field(prop_name, prop, required=prop_name in required, notes=[])
        fields.append(field)
        if required_column:
            required_columns.append(prop_name)
    return {
        "fields": fields,
        "missingValues": [""],
        "x-madoguchi": {
            "id": standard_id, "title": name, "description": (schema.get("description") or "").strip(),
            "generation": V1_GENERATION, "generationTitle": V1_GENERATION_TITLE, "reconstructed": False,
            "requiredColumns": required_columns,
            "source": {"title": f"{V1_GENERATION_TITLE} {name} 項目定義 (NEC による機械可読版)",
                       "repository": SOURCE_REPO, "commit": SOURCE_COMMIT, "file": f"sources/{file_name}",
                       "path": f"cio/{file_name.removesuffix('.model.yaml')}/model.yaml",
                       "license": "MIT © 2021 NEC Corporation; 項目定義は政府標準利用規約"},
        },
    }


def build_new_layout(standard_id: str) -> dict:
    """The Table Schema of one new-layout (2024) dataset, reconstructed from a published header."""
    layout = NEW_LAYOUTS[standard_id]
    base_name, base = load_model(V1_MODELS[layout["base"]])
    base_required = set(base.get("required") or [])
    renamed = {new: old for old, new in _RENAMED.items()}
    fields, required_columns = [], []
    for name in layout["fields"]:
        old = name if name in base["properties"] else renamed.get(name)
        if old in base["properties"]:
            prop = dict(base["properties"][old])
            origin = f"型・必須は {base_name} (v1) の「{old}」から"
        else:
            kind = _NEW_TYPES.get(name)
            prop = {"type": "number"} if kind == "number" else (
                {"type": "string", "format": kind} if kind else {"type": "string"})
            if name in ("緯度", "経度"):
                prop = {"type": "number"}
            prop["description"] = ""
            origin = "v1 に同名の項目なし"
        field, required_column = _field(name, prop, required=old in base_required,
                                        notes=[f"公開ファイルの見出しから再構成 ({origin})"])
        fields.append(field)
        if required_column:
            required_columns.append(name)
    return {
        "fields": fields,
        "missingValues": [""],
        "x-madoguchi": {
            "id": standard_id, "title": layout["title"], "description": layout["description"],
            "generation": NEW_GENERATION, "generationTitle": NEW_GENERATION_TITLE, "reconstructed": True,
            "requiredColumns": required_columns,
            "source": {"title": f"自治体標準オープンデータセット {layout['title']} — 焼津市の公開ファイル "
                                f"({layout['file']}) の見出しから再構成。公式の定義書 (Excel/PDF) ではない",
                       "repository": "https://github.com/yaizu-city/opendata", "file": "sources/PROVENANCE.md",
                       "official": "https://www.digital.go.jp/resources/open_data/municipal-standard-data-set-test",
                       "license": "政府標準利用規約 / 公共データ利用規約 (第1.0版)"},
        },
    }


def build_all() -> dict[str, dict]:
    """Every standard's Table Schema, by id (v1 in definition order, then the 2024 layouts)."""
    schemas = {sid: convert_model(sid, file_name) for sid, file_name in V1_MODELS.items()}
    schemas.update({sid: build_new_layout(sid) for sid in NEW_LAYOUTS})
    return schemas


def dumps(schema: dict) -> str:
    """The committed JSON text of a schema (UTF-8, 2-space indent, trailing newline)."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_all(directory: Path = SCHEMAS) -> list[Path]:
    """Write ``<id>.json`` for every standard into ``directory``; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for sid, schema in build_all().items():
        path = directory / f"{sid}.json"
        path.write_text(dumps(schema), encoding="utf-8")
        paths.append(path)
    return paths

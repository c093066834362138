"""The 5-star level of a resource (Tim Berners-Lee, https://5stardata.info/ja/).

★1 on the Web under an open licence · ★2 structured, machine-readable data ·
★3 a non-proprietary format · ★4 URIs to denote things (RDF) · ★5 linked to
other data. Each star needs the ones before it.

madoguchi's decisions, each stated on the report:

* ★1: the dataset's licence is open (``catalog.licenses.License.open``: CC BY,
  CC0, PDL 1.0 …). "ライセンス未確認" is not → 0 stars.
* ★2: the file is a table or structured data (CSV, XLSX, JSON, GeoJSON, XML,
  ODS, RDF); PDF, images and Word files are not.
* ★3: CSV, JSON, GeoJSON, XML, ODS, Parquet and RDF are open formats. XLSX is
  proprietary in the sense of 5stardata.info ("e.g. CSV instead of Excel"),
  but madoguchi publishes every table it ingests also as CSV (UTF-8) and JSON
  from the same snapshot, on the same resource page and API. The star belongs
  to what users can download, so an XLSX resource with a published table gets
  ★3 and the report says it comes from the platform's CSV/JSON.
* ★4: only if the resource itself is RDF (Turtle, RDF/XML, JSON-LD, N-Triples).
  madoguchi publishes DCAT *metadata* in RDF for every dataset, but the rows
  of a CSV are not RDF and have no URIs: no ★4 for them.
* ★5: an RDF resource that links to other data (``owl:sameAs`` /
  ``rdfs:seeAlso`` or URIs of at least two other hosts; found at ingestion).
"""

from __future__ import annotations

from django.utils.translation import gettext

STRUCTURED = {"csv", "tsv", "xlsx", "xls", "ods", "json", "geojson", "xml", "parquet", "ttl", "rdf", "jsonld",
              "nt", "n3", "owl"}
OPEN_FORMATS = {"csv", "tsv", "ods", "json", "geojson", "xml", "parquet", "ttl", "rdf", "jsonld", "nt", "n3", "owl"}
RDF_FORMATS = {"ttl", "rdf", "jsonld", "nt", "n3", "owl"}


def star_rating(*, license, fmt: str, has_table: bool, rdf_links: bool = False) -> dict:
    """The 5-star level and the reason for each star.

    :param license: the dataset's ``catalog.licenses.License`` (or ``None`` if unknown)
    :param fmt: the version's format id (``csv``, ``xlsx``, ``pdf`` …)
    :param has_table: madoguchi published a table (CSV/JSON downloads) for the version
    :returns: ``{"star_rating": 0..5, "stars": [{"level", "met", "reason"}] (5 items; the first also
        ``"license"``: the licence's title, as published),
        "next": what the next star needs, or "" at 5}``
    """
    fmt = (fmt or "").lower()
    lic_open = bool(license is not None and license.open)
    lic_title = license.title if license is not None else gettext("不明")
    up = fmt.upper()
    # the texts follow the active language (English page, API with Accept-Language: en)
    steps = [
        (lic_open, gettext("オープンなライセンス (%(license)s)") % {"license": lic_title} if lic_open
         else gettext("ライセンスがオープンではありません (%(license)s)") % {"license": lic_title},
         gettext("オープンなライセンス (CC BY 4.0 など) を設定する")),
        (fmt in STRUCTURED, gettext("%(format)s は構造化された機械判読可能な形式") % {"format": up} if fmt in STRUCTURED
         else gettext("%(format)s は機械判読に適しません (表のデータではありません)") % {"format": up or gettext("不明な形式")},
         gettext("PDF や画像ではなく CSV や Excel で表のデータを公開する")),
        (fmt in OPEN_FORMATS or has_table,
         gettext("%(format)s はオープンな形式") % {"format": up} if fmt in OPEN_FORMATS else
         gettext("%(format)s は独自形式ですが、madoguchi が同じデータを CSV・JSON でも配信しています") % {"format": up}
         if has_table else gettext("%(format)s は独自形式です") % {"format": up},
         gettext("CSV などのオープンな形式で公開する")),
        (fmt in RDF_FORMATS, gettext("%(format)s (RDF) で、URI で物事を示しています") % {"format": up} if fmt in RDF_FORMATS else
         gettext("データは RDF ではありません (DCAT のメタデータは RDF で公開していますが、行のデータは URI を持ちません)"),
         gettext("データを RDF で公開し、物事を URI で示す (例: IMI 共通語彙基盤の語彙)")),
        (fmt in RDF_FORMATS and rdf_links, gettext("他のデータへのリンク (owl:sameAs 等) があります") if rdf_links else
         gettext("他のデータへのリンクがありません"),
         gettext("他のデータ (他の自治体・国のデータ) の URI へリンクする")),
    ]
    level = 0
    stars = []
    for i, (met, reason, _) in enumerate(steps, start=1):
        met = met and level == i - 1
        if met:
            level = i
        stars.append({"level": i, "met": met, "reason": reason, **({"license": lic_title} if i == 1 else {})})
    nxt = steps[level][2] if level < 5 else ""
    return {"star_rating": level, "stars": stars, "next": nxt}


def rdf_links(data: bytes) -> bool:
    """An RDF file links to other data: ``owl:sameAs`` / ``rdfs:seeAlso`` or URIs of two or more hosts."""
    import re

    head = data[: 8 << 20]
    if re.search(rb"sameAs|seeAlso", head):
        return True
    hosts = {m.group(1).lower() for m in re.finditer(rb"https?://([A-Za-z0-9.-]+)", head)}
    hosts -= {b"www.w3.org", b"purl.org", b"xmlns.com", b"schema.org"}
    return len(hosts) >= 2

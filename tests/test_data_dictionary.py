"""The data dictionary of a resource (issue #13 part 4): per column label, notes and type override,
kept across versions, edited by staff on a page or through CKAN ``datastore_create``, served in
/api/v1, CKAN ``datastore_search``/``datastore_info`` and the Data Package."""

from __future__ import annotations

import ckanapi
import frictionless
import pytest
from django.contrib.auth import get_user_model

from madoguchi.catalog.models import Resource
from madoguchi.ckan.models import ApiToken
from madoguchi.datastore import services as datastore
from madoguchi.datastore.models import ColumnInfo, IngestJob

#: 人数 has one cell that is not a number (21行目, 「約30」), so it is inferred as string
ROWS = "\n".join(f"地区{i},{i * 10}" for i in range(1, 20))
CSV = ("地区,人数\n" + ROWS + "\n地区X,約30\n").encode()
CLEAN = ("地区,人数\n" + ROWS + "\n地区X,30\n").encode()


def _values(version, column: str) -> list:
    return [r[column] for r in datastore.all_records(version, [column])]


@pytest.fixture
def table(make_dataset, ingest):
    """Resource 「人数表」 of public dataset ``dict-test``, version 1 with 人数 as string."""
    version = ingest(CSV, "ninzu.csv", dataset=make_dataset("dict-test", standard=""), resource="人数表")
    assert {c["name"]: c["type"] for c in version.columns} == {"地区": "string", "人数": "string"}
    return version.resource


@pytest.fixture
def clerk(db):
    return get_user_model().objects.create_user("dict-clerk", password="x", is_staff=True)


def _current(resource) -> Resource:
    return Resource.objects.select_related("current_version").get(pk=resource.pk)


# --- services --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_labels_and_notes__persist_across_a_new_upload(table, ingest, clerk):
    assert datastore.save_data_dictionary(table, {"地区": {"label": "地区名", "notes": "町丁目の名前"}},
                                          user=clerk) is None  # no type change: nothing re-ingested
    assert table.versions.count() == 1
    ingest(CLEAN, "ninzu2.csv", dataset=table.dataset, resource="人数表")
    resource = _current(table)
    assert resource.current_version.number == 2
    assert datastore.data_dictionary(resource) == [
        {"id": "地区", "type": "string", "label": "地区名", "notes": "町丁目の名前", "type_override": ""},
        {"id": "人数", "type": "integer", "label": "", "notes": "", "type_override": ""}]


@pytest.mark.django_db
def test_save__refuses_unknown_column_and_type(table):
    with pytest.raises(datastore.DictionaryError) as exc:
        datastore.save_data_dictionary(table, {"人口": {"label": "x"}})
    assert exc.value.field == "column"
    with pytest.raises(datastore.DictionaryError) as exc:
        datastore.save_data_dictionary(table, {"人数": {"type_override": "numeric"}})
    assert exc.value.field == "type_override"
    assert not ColumnInfo.objects.exists()


@pytest.mark.django_db
def test_type_override__unfit_fails_and_keeps_the_version_then_blank_unfit_publishes(table, clerk):
    job = datastore.save_data_dictionary(table, {"人数": {"type_override": "integer"}}, user=clerk)
    job.refresh_from_db()
    assert job.state == IngestJob.State.FAILED and job.error["code"] == "type_override_unfit"
    assert "21行目" in job.error["text"] and "約30" in job.error["text"]
    resource = _current(table)
    assert resource.current_version.number == 1  # the previous version stays current
    assert datastore.data_dictionary(resource)[1]["type_override"] == ""  # saved only when published

    datastore.rerun_job(job, blank_unfit=True)  # 「合わない値を空欄にして公開する」
    job.refresh_from_db()
    assert job.state == IngestJob.State.DONE, job.error
    resource = _current(table)
    version = resource.current_version
    assert version.number == 2 and {c["name"]: c["type"] for c in version.columns}["人数"] == "integer"
    assert _values(version, "人数") == [i * 10 for i in range(1, 20)] + [None]
    blanked = [w for w in version.report["warnings"] if w["code"] == "type_override_blanked"]
    assert blanked and blanked[0]["rows"] == [21]
    assert datastore.data_dictionary(resource)[1]["type_override"] == "integer"


@pytest.mark.django_db
def test_saved_override__applies_to_later_uploads_and_can_be_removed(table, ingest, clerk):
    datastore.save_data_dictionary(table, {"人数": {"type_override": "number"}}, user=clerk, blank_unfit=True)
    assert _current(table).current_version.number == 2
    # a later upload (any path: CLI, CKAN, bundle all go through services.ingest_file) keeps the type
    v3 = ingest(CLEAN, "ninzu3.csv", dataset=table.dataset, resource="人数表")
    assert {c["name"]: c["type"] for c in v3.columns}["人数"] == "number"
    assert v3.report["options"]["types"] == {"人数": "number"}
    # a later file without the column is still ingested (the saved override is skipped)
    v4 = ingest("地区\n北\n".encode(), "ninzu4.csv", dataset=table.dataset, resource="人数表")
    assert [c["name"] for c in v4.columns] == ["地区"]
    # back to inferred
    datastore.save_data_dictionary(_current(table), {"地区": {"type_override": ""}})  # unchanged: no job
    v5 = ingest(CSV, "ninzu5.csv", dataset=table.dataset, resource="人数表")
    assert {c["name"]: c["type"] for c in v5.columns}["人数"] == "number"  # blank_unfit saved with it
    job = datastore.save_data_dictionary(_current(table), {"人数": {"type_override": ""}})
    job.refresh_from_db()
    assert job.state == IngestJob.State.DONE, job.error
    assert {c["name"]: c["type"] for c in _current(table).current_version.columns}["人数"] == "string"


# --- /api/v1 and the Data Package --------------------------------------------------------------------

@pytest.mark.django_db
def test_api_resource__columns_have_label_and_description(table, client):
    datastore.save_data_dictionary(table, {"地区": {"label": "地区名", "notes": "町丁目の名前"}})
    columns = client.get(f"/api/v1/resources/{table.pk}").json()["columns"]
    assert columns == [
        {"name": "地区", "type": "string", "role": None, "label": "地区名", "description": "町丁目の名前",
         "type_override": None},
        {"name": "人数", "type": "string", "role": None, "label": "", "description": "", "type_override": None}]


@pytest.mark.django_db(transaction=True)
def test_datapackage__fields_have_title_and_description_and_validate(table, live_server, client):
    datastore.save_data_dictionary(table, {"地区": {"label": "地区名", "notes": "町丁目の名前"},
                                           "人数": {"notes": "住民基本台帳による"}})
    package = client.get("/datasets/dict-test/datapackage.json").json()
    fields = {f["name"]: f for f in package["resources"][0]["schema"]["fields"]}
    assert (fields["地区"]["title"], fields["地区"]["description"]) == ("地区名", "町丁目の名前")
    assert "title" not in fields["人数"] and fields["人数"]["description"] == "住民基本台帳による"
    report = frictionless.validate(f"{live_server.url}/datasets/dict-test/datapackage.json")
    assert report.valid, report.flatten(["type", "note"])


# --- the staff page ------------------------------------------------------------------------------------

def _form(resource, **changes) -> dict:
    """The page's POST data: every column as shown, with ``changes`` (``c<i>-<key>``) applied."""
    data = {}
    for i, e in enumerate(datastore.data_dictionary(resource)):
        data.update({f"c{i}-label": e["label"], f"c{i}-notes": e["notes"], f"c{i}-type_override": e["type_override"]})
    data.update({k.replace("__", "-"): v for k, v in changes.items()})
    return data


@pytest.mark.django_db
def test_page__labels_saved_without_a_new_version(table, client, clerk):
    client.force_login(clerk)
    url = f"/staff/resources/{table.pk}/dictionary/"
    page = client.get(url)
    assert page.status_code == 200 and "列「人数」" in page.content.decode()
    response = client.post(url, _form(table, c0__label="地区名", c1__notes="人"))
    assert response.status_code == 302 and response["Location"] == url
    assert "データ辞書を保存しました" in client.get(url).content.decode()
    assert [(e["label"], e["notes"]) for e in datastore.data_dictionary(table)] == [("地区名", ""), ("", "人")]
    assert table.versions.count() == 1
    bad = client.post(url, _form(table, c1__type_override="money"))
    assert bad.status_code == 400


@pytest.mark.django_db
def test_page__type_override_lists_unfit_cells_then_publishes_with_blanks(table, client, clerk):
    client.force_login(clerk)
    response = client.post(f"/staff/resources/{table.pk}/dictionary/", _form(table, c1__type_override="integer"))
    assert response.status_code == 302 and "/staff/jobs/" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert 'data-state="failed"' in page and "約30" in page and "21行目" in page
    assert "合わない値を空欄にして公開する" in page and "前の版はそのまま" in page
    assert _current(table).current_version.number == 1
    job = IngestJob.objects.get()
    client.post(f"/staff/jobs/{job.pk}/", {"action": "blank_unfit"})
    page = client.get(f"/staff/jobs/{job.pk}/").content.decode()
    assert 'data-state="done"' in page and "第2版" in page
    version = _current(table).current_version
    assert {c["name"]: c["type"] for c in version.columns}["人数"] == "integer"
    assert _values(version, "人数")[-1] is None
    # the page now shows the saved override
    form = client.get(f"/staff/resources/{table.pk}/dictionary/").content.decode()
    assert '<option value="integer" selected>' in form


@pytest.mark.django_db
def test_page__type_override_that_fits_publishes_a_new_version(make_dataset, ingest, client, clerk):
    version = ingest(CLEAN, "n.csv", dataset=make_dataset("dict-fit", standard=""), resource="表")
    client.force_login(clerk)
    response = client.post(f"/staff/resources/{version.resource_id}/dictionary/",
                           _form(version.resource, c1__type_override="number", c1__label="人数（人）"))
    job = IngestJob.objects.get()
    assert response["Location"] == f"/staff/jobs/{job.pk}/"
    assert job.state == IngestJob.State.DONE and job.version.number == 2
    assert {c["name"]: c["type"] for c in job.version.columns}["人数"] == "number"
    assert _values(job.version, "人数")[:2] == [10.0, 20.0]
    assert datastore.data_dictionary(job.version.resource)[1]["label"] == "人数（人）"


@pytest.mark.django_db
def test_page__blank_unfit_checkbox_publishes_at_once(table, client, clerk):
    client.force_login(clerk)
    client.post(f"/staff/resources/{table.pk}/dictionary/",
                {**_form(table, c1__type_override="integer"), "blank_unfit": "on"})
    job = IngestJob.objects.get()
    assert job.state == IngestJob.State.DONE and job.options["blank_unfit"] is True
    assert _values(_current(table).current_version, "人数")[-2:] == [190, None]


@pytest.mark.django_db
def test_page__who_may_edit(table, client, clerk, make_dataset, ingest):
    url = f"/staff/resources/{table.pk}/dictionary/"
    anonymous = client.post(url, _form(table, c0__label="x"))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    citizen = get_user_model().objects.create_user("citizen", password="x")
    client.force_login(citizen)
    assert client.get(url).status_code == 302
    assert client.post(url, _form(table, c0__label="x")).status_code == 302
    assert not ColumnInfo.objects.exists()
    client.force_login(clerk)
    assert client.get(url).status_code == 200
    private = ingest(CSV, "p.csv", dataset=make_dataset("dict-private", private=True, standard=""), resource="p")
    assert client.get(f"/staff/resources/{private.resource_id}/dictionary/").status_code == 200
    from madoguchi.catalog import services as catalog
    catalog.delete_dataset(private.resource.dataset)
    assert client.get(f"/staff/resources/{private.resource_id}/dictionary/").status_code == 404
    assert client.get("/staff/resources/999999/dictionary/").status_code == 404


# --- CKAN, with the real ckanapi client -------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_ckan__fields_info_and_datastore_create(table, live_server, clerk):
    token = ApiToken.issue(clerk, "dict")[1]
    anonymous = ckanapi.RemoteCKAN(live_server.url)
    ckan = ckanapi.RemoteCKAN(live_server.url, apikey=token)
    rid = str(table.pk)
    with pytest.raises(ckanapi.NotAuthorized):
        anonymous.action.datastore_create(resource_id=rid, fields=[{"id": "地区", "info": {"label": "x"}}])

    # labels and notes only: saved, no new version
    result = ckan.action.datastore_create(resource_id=rid, force=True, fields=[
        {"id": "地区", "type": "text", "info": {"label": "地区名", "notes": "町丁目の名前"}}])
    assert "datastore_job" not in result and _current(table).current_version.number == 1
    info = anonymous.action.datastore_info(id=rid)
    assert info["meta"]["count"] == 20
    assert [(f["id"], f["type"], f.get("info")) for f in info["fields"]] == [
        ("地区", "text", {"label": "地区名", "notes": "町丁目の名前", "type_override": ""}), ("人数", "text", None)]
    search = anonymous.action.datastore_search(resource_id=rid, limit=1)
    assert search["fields"][1] == {"id": "地区", "type": "text",
                                   "info": {"label": "地区名", "notes": "町丁目の名前", "type_override": ""}}

    # a type that does not fit: refused, naming the cell; the version stays
    with pytest.raises(ckanapi.ValidationError) as exc:
        ckan.action.datastore_create(resource_id=rid, fields=[{"id": "人数", "info": {"type_override": "int"}}])
    assert "約30" in exc.value.error_dict["fields"][0]
    assert _current(table).current_version.number == 1

    # with blank_unfit: a new version with the typed column (the job answered as resource_create does)
    result = ckan.action.datastore_create(resource_id=rid, blank_unfit=True,
                                          fields=[{"id": "人数", "info": {"type_override": "int"}}])
    assert result["datastore_job"]["state"] == "done"
    assert {f["id"]: f["type"] for f in result["fields"]}["人数"] == "int"
    records = anonymous.action.datastore_search(resource_id=rid, sort="_id desc", limit=2)["records"]
    assert [r["人数"] for r in records] == [None, 190]
    assert anonymous.action.datastore_info(id=rid)["fields"][1]["info"]["type_override"] == "int"

    # CKAN's own way: a new column type in ``type`` (blank_unfit is chosen again for a new type)
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_create(resource_id=rid, fields=[{"id": "人数", "type": "numeric"}])
    result = ckan.action.datastore_create(resource_id=rid, fields=[{"id": "人数", "type": "numeric"}],
                                          blank_unfit=True)
    assert {f["id"]: f["type"] for f in result["fields"]}["人数"] == "numeric"
    assert _current(table).current_version.number == 3

    with pytest.raises(ckanapi.ValidationError) as exc:
        ckan.action.datastore_create(resource_id=rid, fields=[{"id": "人口", "info": {"label": "x"}}])
    assert "人口" in exc.value.error_dict["fields"][0]
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_create(resource_id=rid, records=[{"地区": "x"}])
    with pytest.raises(ckanapi.NotFound):
        ckan.action.datastore_info(id="999999")

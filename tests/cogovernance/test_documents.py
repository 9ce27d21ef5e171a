"""The village documents pages (村规民约, 公约, docs/cogovernance.md): a document with its first text in one form,
new versions numbered in order and never adopted before the previous one, the printed current text, archiving,
who may open what, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cogovernance import services
from cogovernance.models import AdoptedBy, DocumentKind, DocumentVersion, VillageDocument

D = datetime.date
FIRST = (("第一条 旧文本", datetime.date(2024, 1, 5)),)


def make_document(village, by, *, title="村规民约", kind=DocumentKind.RULES, texts=FIRST):
    document = services.document_save(by=by, document=VillageDocument(village=village, kind=kind, title=title))
    for text, adopted_on in texts:
        version = DocumentVersion(
            text=text, adopted_on=adopted_on, adopted_by=AdoptedBy.VILLAGERS_MEETING, copies=1000, adoption_note=""
        )
        services.document_adopt(by=by, document=document, version=version)
    return document


def _new_post(**over) -> dict:
    data = {
        "title": "村庄清洁公约",
        "kind": DocumentKind.CONVENTION,
        "text": "一、垃圾分类投放。\n二、门前三包。",
        "adopted_on": "2026-02-01",
        "adopted_by": AdoptedBy.REPRESENTATIVES,
        "adoption_note": "应到 45 人，实到 41 人，赞成 41 人",
        "copies": "1200",
    }
    data.update(over)
    return data


def _version_post(**over) -> dict:
    data = {
        "text": "第一条 新文本",
        "adopted_on": "2026-03-01",
        "adopted_by": AdoptedBy.VILLAGERS_MEETING,
        "copies": "1500",
    }
    data.update(over)
    return data


# --- a new document --------------------------------------------------------------------------------------


def test_staff_register_a_document_with_its_first_text(client, world, staff):
    client.force_login(staff)
    url = reverse("cogovernance:document-new", args=[world.village.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _new_post())
    document = VillageDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cogovernance:document-detail", args=[document.pk])
    version = document.versions.get()
    assert (version.number, version.copies, version.adopted_by, version.recorded_by) == (
        1,
        1200,
        AdoptedBy.REPRESENTATIVES,
        staff,
    )
    page = client.get(response["Location"]).content.decode()
    assert "垃圾分类投放" in page and "应到 45 人" in page


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"text": ""}, "text"),
        ({"adopted_on": ""}, "adopted_on"),
        ({"adopted_on": "2999-01-01"}, "adopted_on"),
        ({"title": ""}, "title"),
        ({"copies": "-1"}, "copies"),
    ],
)
def test_both_or_neither(client, world, staff, over, field):
    client.force_login(staff)
    response = client.post(reverse("cogovernance:document-new", args=[world.village.pk]), _new_post(**over))
    assert response.status_code == 400
    assert not VillageDocument.objects.exists() and not DocumentVersion.objects.exists()
    errors = {**response.context["form"].errors, **response.context["version_form"].errors}
    assert field in errors
    assert "垃圾分类投放" in response.content.decode() or over.get("text") == ""  # the input kept


def test_a_refused_first_version_leaves_no_document(client, world, staff, monkeypatch):
    """The service refuses the text after the document was saved: the document goes too (one transaction)."""
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"adopted_on": "不行"})

    monkeypatch.setattr(services, "document_adopt", refuse)
    client.force_login(staff)
    response = client.post(reverse("cogovernance:document-new", args=[world.village.pk]), _new_post())
    assert response.status_code == 400
    assert response.context["version_form"].errors["adopted_on"] == ["不行"]
    assert not VillageDocument.objects.exists()
    assert 'value="村庄清洁公约"' in response.content.decode()


def test_the_same_title_twice_is_refused_on_the_field(client, world, staff):
    make_document(world.village, staff, title="村庄清洁公约")
    client.force_login(staff)
    response = client.post(reverse("cogovernance:document-new", args=[world.village.pk]), _new_post())
    assert response.status_code == 400
    assert "同名" in " ".join(response.context["form"].errors["title"])
    assert VillageDocument.objects.count() == 1 and DocumentVersion.objects.count() == 1


# --- versions --------------------------------------------------------------------------------------------


def test_new_versions_are_numbered_in_order(client, world, staff):
    document = make_document(world.village, staff)
    client.force_login(staff)
    url = reverse("cogovernance:document-adopt", args=[document.pk])
    form = client.get(url).context["form"]
    assert form.initial["text"] == "第一条 旧文本"  # amended from the current text
    assert client.post(url, _version_post()).status_code == 302
    assert client.post(url, _version_post(text="第一条 第三版", adopted_on="2026-03-01")).status_code == 302
    assert list(document.versions.order_by("number").values_list("number", "text")) == [
        (1, "第一条 旧文本"),
        (2, "第一条 新文本"),
        (3, "第一条 第三版"),
    ]
    page = client.get(reverse("cogovernance:document-detail", args=[document.pk])).content.decode()
    assert "第 3 版（现行）" in page and "第 1 版" in page


def test_adopted_before_the_previous_version_is_refused(client, world, staff):
    document = make_document(world.village, staff, texts=[("旧", D(2024, 1, 5)), ("新", D(2025, 6, 1))])
    client.force_login(staff)
    response = client.post(
        reverse("cogovernance:document-adopt", args=[document.pk]), _version_post(adopted_on="2025-05-31")
    )
    assert response.status_code == 400
    assert "2025-06-01" in " ".join(response.context["form"].errors["adopted_on"])
    assert 'value="2025-05-31"' in response.content.decode()
    assert document.versions.count() == 2


def test_an_archived_document_takes_no_new_version(client, world, staff):
    document = make_document(world.village, staff)
    client.force_login(staff)
    response = client.post(reverse("cogovernance:document-archive", args=[document.pk]))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.is_archived
    response = client.post(reverse("cogovernance:document-adopt", args=[document.pk]), _version_post())
    assert response.status_code == 302 and document.versions.count() == 1
    url = reverse("cogovernance:document-list", args=[world.village.pk])
    assert [d.pk for d in client.get(url).context["page"].object_list] == []
    assert [d.pk for d in client.get(url, {"archived": "true"}).context["page"].object_list] == [document.pk]


def test_archive_is_post_only(client, world, staff):
    document = make_document(world.village, staff)
    client.force_login(staff)
    assert client.get(reverse("cogovernance:document-archive", args=[document.pk])).status_code == 405


# --- printing --------------------------------------------------------------------------------------------


def test_print_shows_only_the_current_text(client, world, staff):
    document = make_document(
        world.village, staff, texts=[("第一条 旧文本", D(2024, 1, 5)), ("第一条 新文本", D(2025, 6, 1))]
    )
    client.force_login(staff)
    response = client.get(reverse("cogovernance:document-print", args=[document.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "第一条 新文本" in page and "旧文本" not in page
    assert "css/print.css" in page and 'class="mainnav"' not in page  # paper: no navigation
    assert "2025年6月1日" in page


def test_print_of_a_document_without_a_text_goes_back(client, world, staff):
    document = make_document(world.village, staff, texts=[])
    client.force_login(staff)
    response = client.get(reverse("cogovernance:document-print", args=[document.pk]))
    assert response.status_code == 302


# --- the list --------------------------------------------------------------------------------------------


def test_list_shows_the_current_version_of_each(client, world, staff, outsider):
    make_document(world.village, staff, texts=[("旧", D(2024, 1, 5)), ("新", D(2025, 6, 1))])
    make_document(world.village, staff, title="村社公路管护村规民约", kind=DocumentKind.CONVENTION)
    make_document(world.other_village, outsider, title="外村公约")
    client.force_login(staff)
    url = reverse("cogovernance:document-list", args=[world.village.pk])
    rows = {d.title: d for d in client.get(url).context["page"].object_list}
    assert set(rows) == {"村规民约", "村社公路管护村规民约"}
    first = rows["村规民约"]
    assert (first.n_versions, first.current_number, first.adopted_on, first.copies) == (2, 2, D(2025, 6, 1), 1000)
    assert first.adopted_by_label == "村民会议"
    titles = [d.title for d in client.get(url, {"kind": "convention"}).context["page"].object_list]
    assert titles == ["村社公路管护村规民约"]
    titles = [d.title for d in client.get(url, {"q": "公路"}).context["page"].object_list]
    assert titles == ["村社公路管护村规民约"]


@pytest.mark.parametrize("n", [2, 20])
def test_document_list_query_count_is_constant(client, world, staff, django_assert_num_queries, n):
    for i in range(n):
        make_document(world.village, staff, title=f"公约{i}", texts=[("一", D(2024, 1, 5)), ("二", D(2025, 1, 5))])
    client.force_login(staff)
    url = reverse("cogovernance:document-list", args=[world.village.pk])
    client.get(url)
    # session, user, scope, the village; count, page ids, page rows (their current version in subqueries);
    # the inbox count.
    with django_assert_num_queries(QUERIES_DOCUMENT_LIST):
        assert client.get(url).status_code == 200


QUERIES_DOCUMENT_LIST = 7


@pytest.mark.parametrize("n", [2, 20])
def test_document_detail_query_count_is_constant(client, world, staff, django_assert_num_queries, n):
    document = make_document(world.village, staff, texts=[(f"第{i}版", D(2024, 1, 5)) for i in range(n)])
    client.force_login(staff)
    url = reverse("cogovernance:document-detail", args=[document.pk])
    client.get(url)
    # session, user, scope; the document, its versions; the inbox count.
    with django_assert_num_queries(QUERIES_DOCUMENT_DETAIL):
        assert client.get(url).status_code == 200


QUERIES_DOCUMENT_DETAIL = 6


# --- who may ---------------------------------------------------------------------------------------------


def test_the_town_reads_but_cannot_change(client, world, staff, town):
    document = make_document(world.village, staff)
    client.force_login(town)
    page = client.get(reverse("cogovernance:document-list", args=[world.village.pk]))
    assert page.status_code == 200 and "村规民约" in page.content.decode()
    assert reverse("cogovernance:document-new", args=[world.village.pk]) not in page.content.decode()
    detail = client.get(reverse("cogovernance:document-detail", args=[document.pk]))
    assert detail.status_code == 200
    assert reverse("cogovernance:document-adopt", args=[document.pk]) not in detail.content.decode()
    assert client.get(reverse("cogovernance:document-print", args=[document.pk])).status_code == 200
    assert client.get(reverse("cogovernance:document-new", args=[world.village.pk])).status_code == 403
    assert client.post(reverse("cogovernance:document-new", args=[world.village.pk]), _new_post()).status_code == 403
    assert client.post(reverse("cogovernance:document-adopt", args=[document.pk]), _version_post()).status_code == 403
    assert client.post(reverse("cogovernance:document-archive", args=[document.pk])).status_code == 403
    document.refresh_from_db()
    assert not document.is_archived and document.versions.count() == 1 and VillageDocument.objects.count() == 1


def test_out_of_scope_ids_are_404(client, world, staff, outsider, worker):
    document = make_document(world.village, staff)
    for user in (outsider, worker):
        client.force_login(user)
        for url in (
            reverse("cogovernance:document-list", args=[world.village.pk]),
            reverse("cogovernance:document-new", args=[world.village.pk]),
            reverse("cogovernance:document-detail", args=[document.pk]),
            reverse("cogovernance:document-adopt", args=[document.pk]),
            reverse("cogovernance:document-print", args=[document.pk]),
        ):
            assert client.get(url).status_code == 404, (user, url)
        assert client.post(reverse("cogovernance:document-archive", args=[document.pk])).status_code == 404
        assert (
            client.post(reverse("cogovernance:document-adopt", args=[document.pk]), _version_post()).status_code == 404
        )
    document.refresh_from_db()
    assert not document.is_archived and document.versions.count() == 1


def test_today_is_the_default_adoption_day(client, world, staff):
    document = make_document(world.village, staff)
    client.force_login(staff)
    form = client.get(reverse("cogovernance:document-adopt", args=[document.pk])).context["form"]
    assert form.initial["adopted_on"] == timezone.localdate()

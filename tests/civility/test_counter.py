"""The points supermarket's pages (docs/civility.md): the counter redeems through services.redeem, a refusal
shows the service's message and changes nothing, awards through services.award, the ledger equals the
balance, the town office reads but may not redeem or award, a household out of scope is a 404."""

from __future__ import annotations

import io
import uuid

import pytest
from django.contrib.messages import get_messages
from django.db.models import Sum
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import ExportRecord
from civility import services
from civility.models import EntryKind, PointsEntry, StockItem
from tests.conftest import make_household

pytestmark = pytest.mark.django_db


def ledger_sum(household) -> int:
    return PointsEntry.objects.filter(account__household=household).aggregate(s=Sum("points"))["s"] or 0


def shelf_item(village, name="洗衣液", points=30, stock=10) -> StockItem:
    return StockItem.objects.create(village=village, name=name, points=points, stock=stock)


def said(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def redeem_url(household) -> str:
    return reverse("civility:points-redeem", kwargs={"household": household.pk})


def test_the_counter_finds_the_village_households_by_number_name_or_phone(client, world, staff):
    world.household1.phone = "13800001111"
    world.household1.save(update_fields=["phone"])
    services.award(household=world.household1, points=40, kind=EntryKind.RULE, reason="门前三包", by=staff)
    client.force_login(staff)
    url = reverse("civility:points-counter", kwargs={"pk": world.village.pk})
    for q in ("0001", "张三", "13800001111"):
        page = client.get(url, {"q": q}).content.decode()
        assert f'data-household="{world.household1.pk}"' in page and "40" in page
        assert f'data-household="{world.other_household.pk}"' not in page  # 0001 in the other village too
    assert f'data-household="{world.household2.pk}"' in client.get(url, {"q": "李四"}).content.decode()
    assert "没有找到" in client.get(url, {"q": "王五"}).content.decode()  # another village's resident


def test_the_household_page_lists_what_it_can_afford_first_and_confirms_one_item(client, world, staff):
    services.award(household=world.household1, points=50, kind=EntryKind.RULE, reason="x", by=staff)
    rice = shelf_item(world.village, "大米", points=80)
    soap = shelf_item(world.village, "香皂", points=10)
    shelf_item(world.other_village, "外村的油", points=5)
    client.force_login(staff)
    url = reverse("civility:points-household", kwargs={"household": world.household1.pk})
    page = client.get(url).content.decode()
    assert page.index(f'data-item="{soap.pk}"') < page.index(f'data-item="{rice.pk}"')
    assert "外村的油" not in page and "data-balance>50<" in page
    confirm = client.get(url, {"item": soap.pk}).content.decode()
    assert 'id="confirm"' in confirm and "兑换后余额" in confirm and ">40 " in confirm


def test_a_redemption_through_the_page_takes_the_points_and_the_stock(client, world, staff):
    services.award(household=world.household1, points=50, kind=EntryKind.RULE, reason="x", by=staff)
    soap = shelf_item(world.village, points=30, stock=2)
    client.force_login(staff)
    token = str(uuid.uuid4())
    response = client.post(redeem_url(world.household1), {"item": soap.pk, "quantity": 1, "token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("civility:points-household", kwargs={"household": world.household1.pk})
    assert "余额 20 分" in said(response)
    again = client.post(redeem_url(world.household1), {"item": soap.pk, "quantity": 1, "token": token})
    assert again.status_code == 302  # the same confirmation twice (a double tap): redeemed once
    assert services.balance_of(world.household1) == 20 == ledger_sum(world.household1)
    assert StockItem.objects.get(pk=soap.pk).stock == 1
    entry = PointsEntry.objects.get(kind=EntryKind.REDEMPTION)
    assert (entry.by, entry.item, entry.points) == (staff, soap, -30)


@pytest.mark.parametrize("case", ["balance", "stock", "another village", "archived"])
def test_a_refused_redemption_shows_the_reason_and_changes_nothing(client, world, staff, case):
    services.award(household=world.household1, points=50, kind=EntryKind.RULE, reason="x", by=staff)
    item = {
        "balance": lambda: shelf_item(world.village, "电饭煲", points=90),
        "stock": lambda: shelf_item(world.village, "毛巾", points=10, stock=0),  # someone took the last one
        "another village": lambda: shelf_item(world.other_village, "外村的油", points=5),
        "archived": lambda: services.stock_archive(by=staff, item=shelf_item(world.village, "旧货", points=5)),
    }[case]()
    client.force_login(staff)
    response = client.post(redeem_url(world.household1), {"item": item.pk, "quantity": 1, "token": str(uuid.uuid4())})
    assert response.status_code == 302
    expected = {
        "balance": "积分不足",
        "stock": "库存只剩 0 件",
        "another village": "不属于本村",
        "archived": "不属于本村",
    }
    assert expected[case] in said(response)
    assert services.balance_of(world.household1) == 50 == ledger_sum(world.household1)
    assert PointsEntry.objects.count() == 1
    assert StockItem.objects.get(pk=item.pk).stock == item.stock
    page = client.get(response["Location"]).content.decode()
    assert "data-balance>50<" in page


def test_the_town_reads_the_lists_but_may_not_redeem_or_award(client, world, staff, town):
    services.award(household=world.household1, points=50, kind=EntryKind.RULE, reason="x", by=staff)
    soap = shelf_item(world.village)
    client.force_login(town)
    assert client.get(reverse("civility:points-ledger", kwargs={"pk": world.village.pk})).status_code == 200
    ledger = reverse("civility:points-household-ledger", kwargs={"household": world.household1.pk})
    assert client.get(ledger).status_code == 200
    assert client.post(redeem_url(world.household1), {"item": soap.pk, "quantity": 1}).status_code == 403
    award = reverse("civility:points-award", kwargs={"household": world.household1.pk})
    assert client.post(award, {"points": 5, "kind": "rule", "reason": "x"}).status_code == 403
    assert services.balance_of(world.household1) == 50 and PointsEntry.objects.count() == 1


def test_a_household_out_of_scope_is_a_404(client, world, staff, worker):
    soap = shelf_item(world.village)
    client.force_login(staff)
    for name in ("civility:points-household", "civility:points-household-ledger", "civility:points-award"):
        assert client.get(reverse(name, kwargs={"household": world.other_household.pk})).status_code == 404
    assert client.post(redeem_url(world.other_household), {"item": soap.pk}).status_code == 404
    client.force_login(worker)  # the grid's worker sees the household in the registry, not at the counter
    assert (
        client.get(reverse("civility:points-household", kwargs={"household": world.household1.pk})).status_code == 404
    )


def test_an_award_goes_through_the_service_and_the_ledger_equals_the_balance(client, world, staff):
    client.force_login(staff)
    url = reverse("civility:points-award", kwargs={"household": world.household1.pk})
    response = client.post(url, {"points": 25, "kind": "rule", "reason": "门前三包"})
    assert response.status_code == 302
    client.post(url, {"points": 5, "kind": "correction", "reason": "补记三月清洁日"})
    bad = client.post(url, {"points": 0, "kind": "redemption", "reason": " "})
    assert bad.status_code == 400
    assert "form-errors" in bad.content.decode() or "field-error" in bad.content.decode()
    assert services.balance_of(world.household1) == 30 == ledger_sum(world.household1)
    page = client.get(reverse("civility:points-household-ledger", kwargs={"household": world.household1.pk}))
    text = page.content.decode()
    assert "门前三包" in text and "+25" in text and "+5" in text and 'id="balance">30<' in text
    assert [e.balance_after for e in PointsEntry.objects.order_by("pk")] == [25, 30]


def test_the_ledger_sorts_by_balance_and_exports(client, world, staff):
    services.award(household=world.household2, points=70, kind=EntryKind.RULE, reason="x", by=staff)
    services.award(household=world.household1, points=10, kind=EntryKind.RULE, reason="x", by=staff)
    client.force_login(staff)
    url = reverse("civility:points-ledger", kwargs={"pk": world.village.pk})
    page = client.get(url).content.decode()
    assert page.index(f'data-household="{world.household2.pk}"') < page.index(f'data-household="{world.household1.pk}"')
    page = client.get(url, {"ordering": "balance"}).content.decode()
    assert page.index(f'data-household="{world.household1.pk}"') < page.index(f'data-household="{world.household2.pk}"')
    assert f'data-household="{world.household2.pk}"' not in client.get(url, {"q": "张三"}).content.decode()
    response = client.get(reverse("civility:points-export", kwargs={"pk": world.village.pk}))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == "0002" and rows[1][-1] == 70 and len(rows) == 3
    assert ExportRecord.objects.get().kind == "civility_points"


def test_the_shelf_restocks_and_never_goes_below_zero(client, world, staff):
    client.force_login(staff)
    new = reverse("civility:stock-new", kwargs={"pk": world.village.pk})
    assert client.post(new, {"name": "洗衣液", "points": 30, "add": 5}).status_code == 302
    item = StockItem.objects.get(name="洗衣液")
    assert (item.village, item.stock) == (world.village, 5)
    edit = reverse("civility:stock-edit", kwargs={"item": item.pk})
    assert client.post(edit, {"name": "洗衣液 2kg", "points": 35, "add": 3}).status_code == 302
    refused = client.post(edit, {"name": "洗衣液 2kg", "points": 35, "add": -20})
    assert refused.status_code == 400 and "库存只有 8 件" in refused.content.decode()
    item.refresh_from_db()
    assert (item.name, item.points, item.stock) == ("洗衣液 2kg", 35, 8)
    client.post(reverse("civility:stock-archive", kwargs={"item": item.pk}))
    assert StockItem.objects.get(pk=item.pk).is_archived
    listed = client.get(reverse("civility:stock-list", kwargs={"pk": world.village.pk})).content.decode()
    assert f'data-item="{item.pk}"' not in listed


def _households(world, staff, n):
    for i in range(n):
        h = make_household(world.micro1, world.group1, f"9{i:03d}", f"张庄{100 + i}号")
        services.award(household=h, points=i + 1, kind=EntryKind.RULE, reason="x", by=staff)


@pytest.mark.parametrize("n", [2, 20])
def test_ledger_query_count_is_constant(client, world, staff, django_assert_num_queries, n):
    _households(world, staff, n)
    client.force_login(staff)
    url = reverse("civility:points-ledger", kwargs={"pk": world.village.pk})
    client.get(url)
    # session, user, scope, the village; count, page ids, page rows (head and balance joined in); the inbox
    # count.
    with django_assert_num_queries(QUERIES_LEDGER):
        assert client.get(url).status_code == 200


QUERIES_LEDGER = 7


@pytest.mark.parametrize("n", [2, 20])
def test_counter_and_shelf_query_counts_are_constant(client, world, staff, django_assert_num_queries, n):
    _households(world, staff, n)
    for i in range(n):
        shelf_item(world.village, f"物品{i}", points=i + 1)
    client.force_login(staff)
    counter = reverse("civility:points-counter", kwargs={"pk": world.village.pk})
    household = reverse("civility:points-household", kwargs={"household": world.household1.pk})
    stock = reverse("civility:stock-list", kwargs={"pk": world.village.pk})
    for url in (counter, household, stock):
        client.get(url, {"q": "张庄"})
    # session, user, scope, the village; the households found; the inbox count.
    with django_assert_num_queries(QUERIES_COUNTER):
        assert client.get(counter, {"q": "张庄"}).status_code == 200
    # session, user, scope, the household; the balance, the shelf, the head, the last entries; the inbox;
    #
    with django_assert_num_queries(QUERIES_HOUSEHOLD):
        assert client.get(household).status_code == 200
    # session, user, scope, the village; count, page ids, page rows; the inbox.
    with django_assert_num_queries(QUERIES_STOCK):
        assert client.get(stock).status_code == 200


QUERIES_COUNTER = 6
QUERIES_HOUSEHOLD = 9
QUERIES_STOCK = 7


def test_bad_filters_and_pages_are_never_a_500(client, world, staff):
    client.force_login(staff)
    v = {"pk": world.village.pk}
    for name in ("civility:points-ledger", "civility:stock-list", "civility:selection-list"):
        for params in ({"ordering": "nonsense"}, {"page": "abc"}, {"page": "999"}, {"year": "１９"}, {"q": "%_'"}):
            assert client.get(reverse(name, kwargs=v), params).status_code == 200, (name, params)
    for params in ({"ordering": "nonsense"}, {"year": "x"}):
        assert client.get(reverse("civility:points-export", kwargs=v), params).status_code == 200
        assert client.get(reverse("civility:selection-export", kwargs=v), params).status_code == 200
    household = reverse("civility:points-household", kwargs={"household": world.household1.pk})
    assert client.get(household, {"item": "abc"}).status_code == 200
    assert client.get(household, {"item": "999999"}).status_code == 200
    bad = client.post(redeem_url(world.household1), {"item": "abc", "quantity": "-1"})
    assert bad.status_code == 302 and PointsEntry.objects.count() == 0

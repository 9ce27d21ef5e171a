"""The points supermarket's ledger (civility/services.py) on PostgreSQL: append-only, the balance never below
zero and always the ledger's sum, stock never below zero; two counters at once cannot overspend."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from civility import services
from civility.models import EntryKind, Honour, ModelSelection, PointsAccount, PointsEntry, StockItem

pytestmark = pytest.mark.django_db


def ledger_sum(household) -> int:
    return PointsEntry.objects.filter(account__household=household).aggregate(s=Sum("points"))["s"] or 0


def item(village, name="洗衣液", points=30, stock=10) -> StockItem:
    return StockItem.objects.create(village=village, name=name, points=points, stock=stock)


def test_awards_and_a_redemption_leave_the_ledgers_sum(world, staff):
    services.award(household=world.household1, points=50, kind=EntryKind.RULE, reason="门前三包", by=staff)
    services.award(household=world.household1, points=20, kind=EntryKind.ACTIVITY, reason="参加清洁日", by=staff)
    soap = item(world.village)
    entry = services.redeem(household=world.household1, item=soap, quantity=2, by=staff)
    assert (entry.points, entry.balance_after, entry.by, entry.kind) == (-60, 10, staff, EntryKind.REDEMPTION)
    assert services.balance_of(world.household1) == 10 == ledger_sum(world.household1)
    assert StockItem.objects.get(pk=soap.pk).stock == 8


def test_a_redemption_the_balance_or_stock_does_not_cover_is_told_and_changes_nothing(world, staff):
    services.award(household=world.household1, points=50, kind=EntryKind.RULE, reason="门前三包", by=staff)
    soap = item(world.village, points=30, stock=1)
    with pytest.raises(ValidationError) as refused:
        services.redeem(household=world.household1, item=soap, quantity=2, by=staff)
    assert "库存只剩 1 件" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        services.redeem(household=world.household1, item=item(world.village, "米", points=60), by=staff)
    assert "积分不足" in str(refused.value) and "余额 50 分" in str(refused.value)
    assert services.balance_of(world.household1) == 50 == ledger_sum(world.household1)
    assert StockItem.objects.get(pk=soap.pk).stock == 1 and PointsEntry.objects.count() == 1


def test_another_villages_shelf_and_bad_awards_are_refused(world, staff):
    services.award(household=world.household1, points=50, kind=EntryKind.RULE, reason="x", by=staff)
    with pytest.raises(ValidationError):
        services.redeem(household=world.household1, item=item(world.other_village), by=staff)
    for points, reason, kind in ((0, "x", EntryKind.RULE), (5, " ", EntryKind.RULE), (5, "x", EntryKind.REDEMPTION)):
        with pytest.raises(ValidationError):
            services.award(household=world.household1, points=points, kind=kind, reason=reason, by=staff)
    assert PointsEntry.objects.count() == 1


def test_a_selection_awards_its_points_to_the_persons_household(world, staff):
    s = ModelSelection(
        village=world.village,
        year=2026,
        honour=Honour.GOOD_DAUGHTER_IN_LAW,
        resident=world.resident2,
        reason="照顾婆婆十年如一日",
        selected_on=datetime.date(2026, 3, 8),
        points=100,
    )
    services.selection_save(by=staff, selection=s)
    entry = PointsEntry.objects.get()
    assert (entry.account.household, entry.points, entry.selection, entry.kind) == (
        world.household2,
        100,
        s,
        EntryKind.SELECTION,
    )
    assert "2026年度好媳妇" in entry.reason


def test_the_database_refuses_a_negative_balance_or_stock_whatever_the_code(world, staff):
    services.award(household=world.household1, points=5, kind=EntryKind.RULE, reason="x", by=staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        PointsAccount.objects.filter(household=world.household1).update(balance=-1)
    soap = item(world.village, stock=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockItem.objects.filter(pk=soap.pk).update(stock=-1)


def _at_once(*calls) -> list[str]:
    """Run the calls in two threads released together; each says "won" or "told" (a refusal)."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = []

    def run(call):
        try:
            barrier.wait()
            call()
            results.append("won")
        except ValidationError:
            results.append("told")
        finally:
            connection.close()  # this thread's own connection: the test database can be dropped at the end

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results)


@pytest.mark.django_db(transaction=True)
def test_two_counters_redeeming_one_balance_at_once(world, staff):
    services.award(household=world.household1, points=100, kind=EntryKind.RULE, reason="x", by=staff)
    rice, oil = item(world.village, "米", points=80), item(world.village, "油", points=80)
    results = _at_once(
        lambda: services.redeem(household=world.household1, item=rice, by=staff),
        lambda: services.redeem(household=world.household1, item=oil, by=staff),
    )
    assert results == ["told", "won"]
    assert services.balance_of(world.household1) == 20 == ledger_sum(world.household1)
    assert StockItem.objects.filter(pk__in=[rice.pk, oil.pk]).aggregate(s=Sum("stock"))["s"] == 19


@pytest.mark.django_db(transaction=True)
def test_two_households_redeeming_the_last_item_at_once(world, staff):
    for household in (world.household1, world.household2):
        services.award(household=household, points=100, kind=EntryKind.RULE, reason="x", by=staff)
    last = item(world.village, "电饭煲", points=90, stock=1)
    results = _at_once(
        lambda: services.redeem(household=world.household1, item=last, by=staff),
        lambda: services.redeem(household=world.household2, item=last, by=staff),
    )
    assert results == ["told", "won"]
    assert StockItem.objects.get(pk=last.pk).stock == 0
    balances = sorted(services.balance_of(h) for h in (world.household1, world.household2))
    assert balances == [10, 100]
    for household in (world.household1, world.household2):
        assert services.balance_of(household) == ledger_sum(household)


@pytest.mark.django_db(transaction=True)
def test_two_first_awards_at_once_open_one_account(world, staff):
    results = _at_once(
        lambda: services.award(household=world.household1, points=10, kind=EntryKind.RULE, reason="a", by=staff),
        lambda: services.award(household=world.household1, points=15, kind=EntryKind.RULE, reason="b", by=staff),
    )
    assert results == ["won", "won"]
    assert PointsAccount.objects.filter(household=world.household1).count() == 1
    assert services.balance_of(world.household1) == 25 == ledger_sum(world.household1)


def test_restocking_moves_the_stock_and_never_below_zero(world, staff):
    soap = services.stock_save(by=staff, item=StockItem(village=world.village, name="香皂", points=10), add=4)
    assert StockItem.objects.get(pk=soap.pk).stock == 4
    services.stock_add(by=staff, item=soap, quantity=-3)
    with pytest.raises(ValidationError) as refused:
        services.stock_add(by=staff, item=soap, quantity=-2)
    assert "库存只有 1 件" in str(refused.value)
    soap.name, soap.stock = "香皂（大）", 99  # an edit never writes the stock it read
    services.stock_save(by=staff, item=soap)
    assert StockItem.objects.values_list("name", "stock").get(pk=soap.pk) == ("香皂（大）", 1)
    services.stock_archive(by=staff, item=soap)
    with pytest.raises(ValidationError):
        services.stock_add(by=staff, item=soap, quantity=1)


def test_the_same_confirmation_twice_redeems_once(world, staff):
    services.award(household=world.household1, points=100, kind=EntryKind.RULE, reason="x", by=staff)
    soap = item(world.village, points=30)
    first = services.redeem(household=world.household1, item=soap, by=staff, client_token="t-1")
    again = services.redeem(household=world.household1, item=soap, by=staff, client_token="t-1")
    assert first == again and services.balance_of(world.household1) == 70 == ledger_sum(world.household1)
    services.redeem(household=world.household1, item=soap, by=staff, client_token="t-2")
    assert services.balance_of(world.household1) == 40


@pytest.mark.django_db(transaction=True)
def test_a_double_tap_at_once_redeems_once(world, staff):
    services.award(household=world.household1, points=100, kind=EntryKind.RULE, reason="x", by=staff)
    soap = item(world.village, points=30)
    results = _at_once(
        lambda: services.redeem(household=world.household1, item=soap, by=staff, client_token="tap"),
        lambda: services.redeem(household=world.household1, item=soap, by=staff, client_token="tap"),
    )
    assert results == ["won", "won"]  # the second is answered with the first's entry
    assert services.balance_of(world.household1) == 70 == ledger_sum(world.household1)
    assert StockItem.objects.get(pk=soap.pk).stock == 9

"""Search by three characters or more goes through the indexes on PostgreSQL (trigrams for name, address
and phone; keyed hashes for ID numbers: ``residents.filters.by_trigram_index``): the same answers as the
scan it replaces."""

from django.db import connection
from django.urls import reverse

from residents.filters import by_trigram_index
from residents.models import Household, Resident


def _rows(client, name, q):
    return client.get(reverse(name), {"q": q}).context["page"].object_list


def test_names_and_addresses_are_found_by_the_index_path(client, world, staff):
    # The other village's resident shares the name: the index finds both, the scope keeps one.
    Resident.objects.filter(pk__in=[world.resident1.pk, world.other_resident.pk]).update(name="张三丰")
    Household.objects.filter(pk=world.household2.pk).update(address="张家庄东头")
    client.force_login(staff)
    assert by_trigram_index("张三丰") == (connection.vendor == "postgresql")
    assert [r.pk for r in _rows(client, "residents:resident-list", "张三丰")] == [world.resident1.pk]
    assert [h.pk for h in _rows(client, "residents:household-list", "张三丰")] == [world.household1.pk]
    # An address fragment finds the household, and its members in the resident list.
    assert [h.pk for h in _rows(client, "residents:household-list", "家庄东")] == [world.household2.pk]
    assert [r.pk for r in _rows(client, "residents:resident-list", "家庄东")] == [world.resident2.pk]
    assert [k.pk for k in _rows(client, "residents:keyperson-list", "张三丰")] == [world.key_person1.pk]


def test_short_searches_keep_the_scan(world):
    assert not by_trigram_index("张三") and not by_trigram_index("13")
    assert by_trigram_index("1380") == by_trigram_index("张3丰") == (connection.vendor == "postgresql")


def test_digits_find_what_the_scan_finds(client, world, staff, monkeypatch):
    from residents import filters

    Resident.objects.filter(pk=world.resident1.pk).update(phone="13912345678")
    Household.objects.filter(pk=world.household2.pk).update(phone="13812345679", address="张庄12号")
    client.force_login(staff)
    searches = ["1391234", "12345", "5678", "13812345679", "12号", world.resident2.id_number[-4:]]
    searches.append(world.resident1.id_number)
    lists = ["residents:resident-list", "residents:household-list", "residents:keyperson-list"]

    def answers():
        return {(name, q): sorted(o.pk for o in _rows(client, name, q)) for name in lists for q in searches}

    by_index = answers()
    monkeypatch.setattr(filters, "by_trigram_index", lambda value: False)
    assert by_index == answers()
    found = {key for key, pks in by_index.items() if pks}
    assert ("residents:resident-list", "1391234") in found and ("residents:household-list", "12345") in found
    assert ("residents:household-list", "13812345679") in found and ("residents:resident-list", "12号") in found
    assert ("residents:resident-list", searches[-2]) in found and ("residents:keyperson-list", searches[-1]) in found


def test_a_short_search_ignores_case_where_there_is_case(client, world, staff):
    Resident.objects.filter(pk=world.resident1.pk).update(name="Anna李")
    client.force_login(staff)
    for q in ("an", "NA", "李", "a李"):
        assert world.resident1.pk in [r.pk for r in _rows(client, "residents:resident-list", q)], q
        assert world.household1.pk in [h.pk for h in _rows(client, "residents:household-list", q)], q

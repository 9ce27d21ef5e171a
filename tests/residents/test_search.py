"""Search by three characters or more without a digit goes through the trigram indexes on PostgreSQL
(``residents.filters.by_trigram_index``): the same answers as the scan it replaces."""

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


def test_short_or_digit_searches_keep_the_scan(world):
    assert not by_trigram_index("张三") and not by_trigram_index("1380") and not by_trigram_index("张3丰")

"""A new town's standard departments (disputes/departments.py): made in one statement, each audited as its
own save would have been, and made once however often asked."""

from __future__ import annotations

from audit.models import AuditAction, AuditEntry
from disputes.departments import departments_for_town
from disputes.models import STANDARD_DEPARTMENTS, Department
from grids.models import Town


def _created_entries() -> dict[str, AuditEntry]:
    return {
        entry.object_id: entry
        for entry in AuditEntry.objects.filter(model="disputes.department", action=AuditAction.CREATE)
    }


def test_a_new_town_gets_the_standard_departments_each_audited_as_a_save_would_be(db):
    town = Town.objects.create(name="新镇")
    departments = list(Department.objects.filter(town=town).order_by("order"))
    assert [d.name for d in departments] == STANDARD_DEPARTMENTS
    assert [d.order for d in departments] == list(range(1, len(STANDARD_DEPARTMENTS) + 1))

    by_hand = Department(town=town, name="自定义办", order=99)
    by_hand.save()  # what the signal of a save records, to compare with
    entries = _created_entries()
    saved = entries.pop(str(by_hand.pk))
    assert set(entries) == {str(d.pk) for d in departments}  # one entry each, no more
    for department in departments:
        entry = entries[str(department.pk)]
        assert set(entry.changes) == set(saved.changes)
        assert entry.changes["name"] == [None, department.name]
        assert entry.changes["order"] == [None, department.order]
        assert {k: v for k, v in entry.changes.items() if k not in ("name", "order")} == {
            k: v for k, v in saved.changes.items() if k not in ("name", "order")
        }
        assert (entry.village_id, entry.sensitive, entry.object_repr) == (None, saved.sensitive, str(department))
        assert (entry.actor_id, entry.actor_label) == (saved.actor_id, saved.actor_label)


def test_asked_again_it_makes_nothing_and_gives_the_same_departments(db, django_assert_num_queries):
    town = Town.objects.create(name="新镇")
    first = departments_for_town(town)
    with django_assert_num_queries(1):
        again = departments_for_town(town)
    assert [d.pk for d in again] == [d.pk for d in first]
    assert Department.objects.filter(town=town).count() == len(STANDARD_DEPARTMENTS)
    assert len(_created_entries()) == len(STANDARD_DEPARTMENTS)


def test_an_archived_standard_department_is_made_again_and_the_others_kept(db):
    from django.utils import timezone

    town = Town.objects.create(name="新镇")
    police = Department.objects.get(town=town, name="派出所")
    police.archived_at = timezone.now()
    police.save()
    kept = {d.name: d.pk for d in Department.objects.filter(town=town, archived_at=None)}

    departments = departments_for_town(town)

    assert [d.name for d in departments] == STANDARD_DEPARTMENTS
    new = next(d for d in departments if d.name == "派出所")
    assert new.pk != police.pk and new.archived_at is None and new.order == 2
    assert {d.name: d.pk for d in departments if d.name != "派出所"} == kept


def test_a_new_town_takes_few_statements(db, django_assert_max_num_queries):
    """Twelve departments one by one took five statements each (look-up, savepoint, insert, audit, release)."""
    with django_assert_max_num_queries(12):
        Town.objects.create(name="新镇")

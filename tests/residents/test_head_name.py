"""A household's head for list rows (residents.models.head_name): the head in use, and a subquery without
the model's order, which joined the village and town for every row."""

from django.utils import timezone

from residents.codes import Relation
from residents.idnumber import check_character
from residents.models import Household, head_name
from tests.conftest import make_resident

ID_OTHER = "11010519800101001" + check_character("11010519800101001")


def test_the_head_in_use_is_named_and_the_subquery_is_not_ordered(world):
    rows = Household.objects.order_by().annotate(head=head_name())
    assert "ORDER BY" not in str(rows.query) and "grids_town" not in str(rows.query)
    heads = {h.pk: h.head for h in rows}
    assert heads[world.household1.pk] == world.resident1.name
    world.resident1.archived_at = timezone.now()
    world.resident1.save()
    make_resident(world.household1, "王五", ID_OTHER, relation=Relation.HEAD)
    assert {h.pk: h.head for h in rows.all()}[world.household1.pk] == "王五"

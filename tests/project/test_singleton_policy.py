"""A policy kept in one row (core.models.SingletonPolicy): ``current()`` reads the row by a written-out
statement (core.db.row_by_pk), the same row as the ORM reads, and makes it with the defaults when it is not
there yet."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from disputes.models import Policy
from reports.models import ReportPolicy
from visits.models import ReminderPolicy


@pytest.mark.parametrize("model", [Policy, ReportPolicy, ReminderPolicy])
def test_current_is_the_orms_row_and_is_made_when_missing(db, model):
    model.objects.all().delete()
    made = model.current()  # missing: made with the defaults
    assert made.pk == 1 and model.objects.count() == 1
    with CaptureQueriesContext(connection) as queries:
        read = model.current()
    assert len(queries) == 1
    orm = model.objects.get(pk=1)
    fields = [f.attname for f in model._meta.concrete_fields]
    assert [getattr(read, f) for f in fields] == [getattr(orm, f) for f in fields] == [getattr(made, f) for f in fields]
    assert read._state.adding is False
    read.save()  # an update of the row, not a second one
    assert model.objects.count() == 1

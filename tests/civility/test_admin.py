"""The admin edits the set-date table; the ledger and the activities are read-only there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civility.models import SetDate

pytestmark = pytest.mark.django_db


def test_the_set_dates_are_seeded_and_editable_the_ledger_read_only(admin_client, world):
    assert set(SetDate.objects.values_list("name", "month", "day")) == {
        ("宪法宣传日", 12, 4),
        ("民法典宣传月", 5, 1),
        ("安全生产月", 6, 1),
    }
    assert admin_client.get(reverse("admin:civility_setdate_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:civility_setdate_add")).status_code == 200
    for model in ("pointsentry", "activity", "stockitem"):
        assert admin_client.get(reverse(f"admin:civility_{model}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:civility_{model}_add")).status_code == 403

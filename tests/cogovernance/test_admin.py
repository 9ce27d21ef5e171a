"""The admin shows co-governance records read-only: the changelists open, nothing can be added or deleted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.cogovernance.conftest import propose

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["deliberation", "project", "villagedocument"])
def test_changelists_open_read_only(admin_client, world, staff, model):
    propose(world.village, staff)
    assert admin_client.get(reverse(f"admin:cogovernance_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:cogovernance_{model}_add")).status_code == 403

"""Town tasks are read-only in the admin: they move only through the services."""

import pytest
from django.urls import reverse

from tests.towntasks.conftest import issue

pytestmark = pytest.mark.django_db


def test_tasks_are_read_only_in_the_admin(admin_client, world, town):
    task = issue(world, town)
    for model in ("task", "taskvillage"):
        assert admin_client.get(reverse(f"admin:towntasks_{model}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:towntasks_{model}_add")).status_code == 403
    page = admin_client.get(reverse("admin:towntasks_task_change", args=[task.pk]))
    assert page.status_code == 200 and "秸秆禁烧巡查" in page.content.decode()

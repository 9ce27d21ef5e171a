"""Fixtures of the departments' tests (tests/disputes/departments_world.py)."""

from __future__ import annotations

import pytest

from tests.disputes.departments_world import department_user, dept_world


@pytest.fixture
def dw(world):
    return dept_world(world)


@pytest.fixture
def dept_user(dw):
    return department_user(dw.justice)

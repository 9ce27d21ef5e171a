"""The test world and its five personas built once for a whole test module, for modules of many tests that
each start from them (the permission matrices: thousands of tests, most of whose time went into building
the same world again).

A module takes these fixtures in place of those of ``tests/conftest.py`` by importing them all::

    from tests.shared_world import *  # noqa: F403

The world is written once, inside a transaction open for the module's tests; each test runs in a savepoint
of it, rolled back afterwards (pytest-django's ``db``), and gets its own copy of the world's objects, so a
test that changes a record or an object leaves the next test the world as built — Django's
``TestCase.setUpTestData``. Only for modules whose tests all run inside a transaction: a test that needs
``transactional_db`` or a live server cannot run in such a module.
"""

from __future__ import annotations

import copy

import pytest
from django.db import transaction

from tests import conftest


@pytest.fixture(scope="module")
def world_built_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            world = conftest.build_world()
            people = {name: conftest.make_persona(world, name) for name in conftest.PERSONAS}
            yield world, people
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)
            # The reference rows restore_reference_data may have written went with the transaction: it must
            # count them again rather than trust what it saw.
            conftest.forget_reference_data()


@pytest.fixture
def world_copy(db, world_built_once):
    return copy.deepcopy(world_built_once)


@pytest.fixture
def world(world_copy) -> conftest.World:
    return world_copy[0]


@pytest.fixture
def personas(world_copy) -> dict:
    return world_copy[1]


def _persona(name: str):
    @pytest.fixture(name=name)
    def one(personas):
        return personas[name]

    return one


worker, colleague, staff, town, outsider = (_persona(name) for name in conftest.PERSONAS)

__all__ = ["world_built_once", "world_copy", "world", "personas", *conftest.PERSONAS]

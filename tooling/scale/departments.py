"""Each generated town's departments and the people who answer for them (docs/departments.md), written before
the cases so the town's cases go to its own departments: the standard list per town, and a login for each of
the first ``STAFFED`` departments (Role.DEPARTMENT on the town and a current membership), with the demo
password like every generated account."""

from __future__ import annotations

import datetime
import random

from django.conf import settings
from django.contrib.auth.hashers import make_password

from disputes.models import STANDARD_DEPARTMENTS, Department, DepartmentMember
from grids.models import Assignment, Role, User

from .territory import County, random_name
from .writer import Writer

# 司法所, 派出所 and 信访办: the offices most of the town's cases go to (the generator assigns among the first five).
STAFFED = 3


def build(writer: Writer, rng: random.Random, county: County, prefix: str, assigned_from: datetime.date) -> None:
    departments_t = writer.table(Department, ["id", "town_id", "name", "order"])
    users_t = writer.table(
        User, ["id", "username", "password", "full_name", "phone", "home_village_id", "must_change_password"]
    )
    assignments_t = writer.table(Assignment, ["user_id", "role", "town_id", "village_id", "grid_id", "start"])
    members_t = writer.table(DepartmentMember, ["department_id", "user_id", "start"])
    password = make_password(settings.DEMO_PASSWORD)
    must_change = not settings.DEBUG
    for t, town in enumerate(county.towns, start=1):
        for order, name in enumerate(STANDARD_DEPARTMENTS, start=1):
            department_id = departments_t.new_id()
            departments_t.add((department_id, town.id, name, order))
            town.departments.append((department_id, name))
        for d, (department_id, name) in enumerate(town.departments[:STAFFED], start=1):
            user_id = users_t.new_id()
            full_name = f"{name}·{random_name(rng, rng.random() < 0.6)}"
            phone = f"13{rng.randrange(10**9):09d}"
            users_t.add((user_id, f"{prefix}_dept{t:02d}_{d}", password, full_name, phone, None, must_change))
            assignments_t.add((user_id, Role.DEPARTMENT, town.id, None, None, assigned_from))
            members_t.add((department_id, user_id, assigned_from))
            town.department_user_ids.append(user_id)

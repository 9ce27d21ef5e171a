"""The departments' world on top of the test world (tests/conftest.py), shared by the departments' tests and
the permission matrix:

- ``justice``: 司法所 of the test town; ``police``: 派出所 of the same town; ``far_justice``: 司法所 of
  another town (with its own village, grid and town office);
- ``dept_user``: someone of 司法所 (Role.DEPARTMENT on the town + a current DepartmentMember), nothing else;
- ``town_case(...)``: a major dispute of grid 1, accepted by the town and assigned to a department.
"""

from __future__ import annotations

from dataclasses import dataclass

from disputes import services
from disputes.models import Department
from grids.models import Grid, Role, Town, User, Village
from tests.conftest import assign, make_case, make_user


@dataclass
class DeptWorld:
    justice: Department
    police: Department
    far_town: Town
    far_village: Village
    far_grid: Grid
    far_justice: Department
    far_office: User


def dept_world(world) -> DeptWorld:
    far_town = Town.objects.create(name="远镇")
    far_village = Village.objects.create(town=far_town, name="远村")
    far_grid = Grid.objects.create(village=far_village, number=1, name="远一网格")
    far_office = make_user("far_office", None, full_name="远镇综治办")
    assign(far_office, Role.TOWN_OFFICE, far_town)
    return DeptWorld(
        justice=Department.objects.get(town=world.town, name="司法所"),
        police=Department.objects.get(town=world.town, name="派出所"),
        far_town=far_town,
        far_village=far_village,
        far_grid=far_grid,
        far_justice=Department.objects.get(town=far_town, name="司法所"),
        far_office=far_office,
    )


def department_user(department: Department, username: str = "dept", full_name: str = "司法所甲") -> User:
    user = make_user(username, None, full_name=full_name)
    services.department_member_add(by=None, user=user, department=department)
    return user


def town_case(world, reporter: User, town_office: User, department: Department, *, grid=None, **extra):
    """A major dispute (straight to the town), accepted by the town office and assigned to ``department``."""
    case = make_case(world, reporter, grid=grid, major=True, **extra)
    case = services.case_accept(case=case, by=town_office, version=case.version)
    return services.case_assign(case=case, by=town_office, version=case.version, department=department)

"""Who may be handed a case, and how the village staff's menu names them."""

from __future__ import annotations

from grids.models import Assignment, Role, User

from .models import Case, Tier


def assignable_people(case: Case):
    """Who may be handed a case: at the village's tiers anyone working in the village today; at the
    town's tier the town office."""
    if case.tier == Tier.TOWN:
        current = Assignment.objects.current().filter(role=Role.TOWN_OFFICE, town=case.village.town_id)
    else:
        current = Assignment.objects.current().in_village(case.village).exclude(role=Role.TOWN_OFFICE)
    return User.objects.filter(is_active=True, assignments__in=current).distinct().order_by("full_name", "username")


def assignee_choices(case: Case) -> list[tuple[int, str]]:
    """The people ``assignable_people`` names, each with their roles and places today ("张三（网格员 ·
    第一网格）"), the grid worker of the case's grid first, then the liaison of its household's micro-grid,
    then everyone else by name. One query."""
    if case.tier == Tier.TOWN:
        current = Assignment.objects.current().filter(role=Role.TOWN_OFFICE, town=case.village.town_id)
    else:
        current = Assignment.objects.current().in_village(case.village).exclude(role=Role.TOWN_OFFICE)
    rows = current.filter(user__is_active=True).select_related(
        "user", "town", "village", "grid", "micro_grid", "villager_group"
    )
    micro_grid_id = case.household.micro_grid_id if case.household_id else None
    people: dict[int, tuple[object, list[str], int]] = {}
    for a in rows:
        user, places, rank = people.get(a.user_id, (a.user, [], 2))
        places.append(f"{a.get_role_display()} · {a.place}" if a.role != Role.TOWN_OFFICE else a.get_role_display())
        if a.role == Role.GRID_WORKER and a.grid_id == case.grid_id:
            rank = 0
        elif a.role == Role.LIAISON and micro_grid_id is not None and a.micro_grid_id == micro_grid_id:
            rank = min(rank, 1)
        people[a.user_id] = (user, places, rank)
    ordered = sorted(people.values(), key=lambda p: (p[2], p[0].full_name or p[0].username, p[0].username))
    return [(user.pk, f"{user}（{'；'.join(sorted(places))}）") for user, places, _rank in ordered]

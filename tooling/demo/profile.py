"""Demo village profile (docs/scorecard.md): what seed 000's first paragraph says of village A beyond its
counts — where it lies, its industries, its collective income, its honours — and its service facilities
(seed 000 二: 法治广场、网格服务站、微网格员服务驿站、警务室、调解室、心理咨询室; 六: 新时代文明实践所、农家书屋、
道德讲堂). The seed's "DD市" is the demo's prefecture, 连云港市 (the demo county 灌云县 lies in it, registry.py).
Idempotent: rows are found by their natural keys.
"""

from __future__ import annotations

from decimal import Decimal

from grids.models import FacilityKind, ServiceFacility, Village, VillageHonour, VillageIncome

CITY = "连云港市"
INDUSTRIES = "床上用品、户外用品、五金、水产养殖、苗木"
INCOME = (2022, Decimal("123.6"))
HONOURS = [
    (2020, "文明村"),
    (2021, "第七次全国人口普查先进集体"),
    (2023, "“书香乡村社区”"),
]
FACILITIES = [
    FacilityKind.LAW_SQUARE,
    FacilityKind.GRID_STATION,
    FacilityKind.LIAISON_POST,
    FacilityKind.POLICE_ROOM,
    FacilityKind.MEDIATION_ROOM,
    FacilityKind.COUNSELLING_ROOM,
    FacilityKind.CIVILITY_STATION,
    FacilityKind.LIBRARY,
    FacilityKind.MORAL_HALL,
]


def seed_profile(village: Village) -> None:
    """Village A's profile (seed 000's first paragraph) and its facilities."""
    changed = []
    if not village.location:
        village.location = f"位于{village.town.name}集镇西部"
        changed.append("location")
    if not village.industries:
        village.industries = INDUSTRIES
        changed.append("industries")
    if changed:
        village.save(update_fields=changed)
    year, amount = INCOME
    VillageIncome.objects.get_or_create(village=village, year=year, defaults={"amount": amount})
    for year, title in HONOURS:
        VillageHonour.objects.get_or_create(
            village=village, year=year, title=title, archived_at=None, defaults={"awarded_by": CITY}
        )
    for kind in FACILITIES:
        ServiceFacility.objects.get_or_create(village=village, kind=kind, archived_at=None)

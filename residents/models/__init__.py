"""The registry: households, residents, key persons and key places. Uses grids; never the other way.

Places are denormalised on purpose: a household keeps its village and grid beside its micro-grid (set
by the services from the micro-grid, checked in ``clean``), so scoping and per-grid counts are one
indexed column away at county scale instead of two joins.

The models live in one module per entity family; every public name is re-exported here, so
``from residents.models import X`` works as before.
"""

from __future__ import annotations

from .households import (
    Household,
    HouseholdMove,
    HouseholdMoveQuerySet,
    HouseholdQuerySet,
    LivingStatus,
    Tag,
    TagQuerySet,
)
from .imports import ImportJob, ImportKind, ImportMode, ImportStatus, VillageStaffQuerySet
from .key_persons import (
    Attention,
    CorrectionType,
    KeyCategory,
    KeyPerson,
    KeyPersonQuerySet,
    KeyPersonResponsible,
    KeyPersonResponsibleQuerySet,
    ResponsibleRole,
    SupervisionGap,
    Treatment,
)
from .key_places import KeyPlace, KeyPlaceQuerySet, PlaceType
from .people import (
    IdNumberDisclosure,
    IdNumberDisclosureQuerySet,
    Registration,
    Resident,
    ResidentMove,
    ResidentMoveQuerySet,
    ResidentQuerySet,
    head_name,
)
from .retention import RetentionRule
from .validators import mobile_validator

__all__ = [
    "Attention",
    "CorrectionType",
    "Household",
    "HouseholdMove",
    "HouseholdMoveQuerySet",
    "HouseholdQuerySet",
    "IdNumberDisclosure",
    "IdNumberDisclosureQuerySet",
    "ImportJob",
    "ImportKind",
    "ImportMode",
    "ImportStatus",
    "KeyCategory",
    "KeyPerson",
    "KeyPersonQuerySet",
    "KeyPersonResponsible",
    "KeyPersonResponsibleQuerySet",
    "KeyPlace",
    "KeyPlaceQuerySet",
    "LivingStatus",
    "PlaceType",
    "Registration",
    "Resident",
    "ResidentMove",
    "ResidentMoveQuerySet",
    "ResidentQuerySet",
    "ResponsibleRole",
    "RetentionRule",
    "SupervisionGap",
    "Tag",
    "TagQuerySet",
    "Treatment",
    "VillageStaffQuerySet",
    "head_name",
    "mobile_validator",
]

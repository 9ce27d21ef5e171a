"""The scorecard's kept figures (docs/scorecard.md, "Kept figures"): an indicator's value for a village,
period and day is kept in the cache with the signature it was measured under, and read again while the
signature holds, so the town office opening its comparison again does not count a year of records again.

Signatures. Every indicator reads some topics (``DEPENDS``: its meetings, cases, households…). Each topic
has a token per village and one for all villages, random strings in the cache. Whatever writes a record of
a topic gives its token a new value (``changed``), through the models' signals connected in ``connect()``:
once in the writer's transaction and again when it commits, so a reader that measured between the two has
kept a value under a token that is already gone. A value is read back only when the tokens of its topics
for its village are those it was measured under, and only on the day it was measured (``today`` is in its
key: a running period, an overdue case, an assignment that ended yesterday change with the day). A token
lost from the cache (restarted, culled) is drawn anew, which makes every value that used it stale, never
fresh. Nothing here is a total that can go stale: a change in a record changes the next reading.

The coverage indicators are not kept: ``visits.live`` keeps this month's coverage already, and visits are
the most frequent write of all.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Model, Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from ..models import KeptReset
from .indicators import INDICATORS, Context

log = logging.getLogger(__name__)
T = TypeVar("T")

# Bumped when what an indicator measures changes, so values kept by the code before are not read.
VERSION = "1"
# The day's values outlive the day by a little; a token outlives any value that names it.
VALUE_TTL = 26 * 3600
TOKEN_TTL = 8 * 24 * 3600

ALL = "all"  # the token of a topic for every village
EVERYTHING = "everything"  # one topic every indicator reads: forget() changes it

# Indicator -> the topics it reads. Every indicator is here or in LIVE (tests/reports/test_scorecard_kept.py).
DEPENDS: dict[str, tuple[str, ...]] = {
    "party_meetings_on_time": ("meetings",),
    "party_five_linkage": ("meetings",),
    "party_contacts": ("contacts", "households", "territory"),
    "grids_sized": ("households", "territory"),
    "grids_staffed": ("territory",),
    "groups_informed": ("territory",),
    "trainings": ("care", "territory"),
    "workers_insured": ("care", "territory"),
    "workers_checked": ("care", "territory"),
    "field_days": ("visits", "territory"),
    "good_practices": ("practices",),
    "key_persons_lost": ("key_persons",),
    "disputes_on_time": ("cases",),
    "escalations": ("cases",),
    "hazards_closed": ("cases",),
    "requests_handled": ("cases",),
    "deliberations": ("cogovernance",),
    "projects_done": ("cogovernance",),
    "model_selections": ("civility",),
    "activities": ("civility",),
    "legal_set_dates": ("civility",),
    "points_redeemed": ("points",),
}
LIVE = frozenset({"visit_coverage", "key_persons_visited"})


def _prefix() -> str:
    # Values are of one database: two portals (or the bench and a test run) sharing a Redis never mix.
    return f"scorecard:{VERSION}:{connection.settings_dict['NAME']}"


def _token_key(topic: str, village: int | str) -> str:
    return f"{_prefix()}:t:{topic}:{village}"


def _value_key(village_id: int, period_key: str, today: datetime.date) -> str:
    return f"{_prefix()}:v:{village_id}:{period_key}:{today.isoformat()}"


# --- writers ----------------------------------------------------------------------------------------------


def changed(topic: str, village_ids: Iterable[int | None] | None = None) -> None:
    """Records of ``topic`` changed in these villages (None, or a None among them: in any village)."""
    ids = {ALL} if village_ids is None else {ALL if v is None else v for v in village_ids}
    keys = [_token_key(topic, v) for v in sorted(ids, key=str)]
    if connection.in_atomic_block:
        # Once per token and transaction (until a reading in it): the renewal at commit covers every
        # write of the transaction, and one before it covers a reading later in the same transaction.
        pending = _pending()
        keys = [key for key in keys if key not in pending]
        if not keys:
            return
        pending.update(keys)

    def renew() -> bool:
        try:
            cache.set_many({key: secrets.token_hex(8) for key in keys}, TOKEN_TTL)
        except Exception:  # the cache unreachable must never cost the write (a visit, a case)
            log.warning("scorecard: could not renew the %s tokens in the cache; every kept value is reset", topic)
            return False
        return True

    if not renew():
        _reset()  # in the writer's transaction
    transaction.on_commit(lambda: renew() or _reset(), robust=True)  # the write is committed: never raise


def _pending() -> set[str]:
    """The tokens renewed in this transaction since its last reading. Django gives each transaction (and
    each savepoint rolled back) a new list of callbacks to run at commit: the set is that list's."""
    state = getattr(connection, "_scorecard_pending", None)
    if state is None or state[0] is not connection.run_on_commit:
        state = (connection.run_on_commit, set())
        connection._scorecard_pending = state
    return state[1]


def _reset() -> None:
    """Every value kept before now is stale: the last reset's moment is in every signature. A row each
    (writers do not wait on one another's), the older ones dropped by the nightly run."""
    KeptReset.objects.create(at=timezone.now())


def forget() -> None:
    """Every kept value is stale (after writes that send no signal: the generator, a restore)."""
    changed(EVERYTHING)


# --- readers ----------------------------------------------------------------------------------------------


def _tokens(topics, village_ids, more: list[str] = ()) -> tuple[dict[tuple[str, int | str], str], dict]:
    """{(topic, village or ALL): token} for the topics (and EVERYTHING) in these villages, and the cache's
    answer for ``more`` keys read with them. One read of the cache (and one write when tokens are missing)."""
    if connection.in_atomic_block:
        _pending().clear()  # a write after this reading renews its tokens again
    # Each key written once: a town's comparison joins about 1,500 tokens, and building every key again (the
    # prefix reads the connection's settings) cost more than the cache's answer.
    keys = {(t, v): _token_key(t, v) for t in sorted({*topics, EVERYTHING}) for v in (*village_ids, ALL)}
    found = cache.get_many([*keys.values(), *more])
    missing = {key: secrets.token_hex(8) for key in keys.values() if key not in found}
    if missing:
        cache.set_many(missing, TOKEN_TTL)
        found.update(missing)
    return {topic_village: found[key] for topic_village, key in keys.items()}, {k: found[k] for k in more if k in found}


def _signatures(codes: list[str], village_ids: list[int], reset) -> dict[tuple[str, int], str]:
    """(code, village) -> the last reset and the tokens of the code's topics for the village, joined."""
    token, _more = _tokens({t for c in codes for t in DEPENDS[c]}, village_ids)
    first = [str(reset), token[(EVERYTHING, ALL)]]
    out = {}
    for code in codes:
        for v in village_ids:
            parts = first.copy()
            for t in DEPENDS[code]:
                parts += [token[(t, ALL)], token[(t, v)]]
            out[(code, v)] = ".".join(parts)
    return out


def last_reset():
    """The moment of the last ``KeptReset``, as a subquery to annotate a query the page makes anyway (the
    rules, a policy): every signature holds it, and it costs no query of its own."""
    return Subquery(KeptReset.objects.order_by("-at").values("at")[:1])


def reading(
    name: str, topics: tuple[str, ...], village_ids, today: datetime.date, reset, compute: Callable[[], T]
) -> T:
    """``compute()``, a value read from records of ``topics`` in these villages (plain data: it is pickled),
    kept for the day and read again while the topics' tokens for the villages and the last reset (``reset``,
    ``last_reset()``) are those it was computed under. ``name`` tells one value from another (what it is, its
    month…); the villages and the day are in its key. Without the cache it is computed and not kept."""
    village_ids = sorted(village_ids)
    key = f"{_prefix()}:r:{name}:{today.isoformat()}:{','.join(map(str, village_ids))}"
    try:
        token, found = _tokens(topics, village_ids, [key])
    except Exception:  # without the cache, computed (and nothing kept)
        log.warning("scorecard: the cache is unreachable; computing %s without kept values", name)
        return compute()
    parts = [str(reset), token[(EVERYTHING, ALL)]]
    for t in sorted(topics):
        parts += [token[(t, ALL)], *(token[(t, v)] for v in village_ids)]
    signature = ".".join(parts)
    held = found.get(key)
    if held is not None and held[0] == signature:
        return held[1]
    value = compute()
    try:
        cache.set(key, (signature, value), VALUE_TTL)
    except Exception:  # computed all the same; kept next time
        log.warning("scorecard: could not keep %s in the cache", name)
    return value


def measure(
    codes: list[str],
    village_ids: list[int],
    period,
    today: datetime.date,
    *,
    skip_now_only: bool,
    reset: datetime.datetime | None = None,
) -> dict[str, dict[int, int | None]]:
    """{code: {village: value}} as the indicators measure them, kept values read where their signature
    holds; the rest measured for the villages that need them (one computation) and kept. ``reset``: the
    moment of the last ``KeptReset`` (read with the rules, ``scorecard.rules``)."""
    if period.first > today:  # nothing has happened yet
        return {code: dict.fromkeys(village_ids) for code in codes}
    out: dict[str, dict[int, int | None]] = {code: {} for code in codes}
    live, kept = [], []
    for code in codes:
        if skip_now_only and INDICATORS[code][1]:
            out[code] = dict.fromkeys(village_ids)  # as the registry stands today: no earlier value
        elif code in LIVE:
            live.append(code)
        else:
            kept.append(code)
    ctx = Context(village_ids, period, today)  # its shared reads are made only when an indicator asks
    out.update(_measured(live, ctx))
    if not kept:
        return out
    try:
        signatures = _signatures(kept, village_ids, reset)
        keys = {v: _value_key(v, period.key, today) for v in village_ids}
        found = cache.get_many(list(keys.values()))
    except Exception:  # without the cache, every value is measured (and nothing kept)
        log.warning("scorecard: the cache is unreachable; measuring without kept values")
        return out | _measured(kept, ctx)
    stale: set[int] = set()
    entries: dict[int, dict] = {}
    for v in village_ids:
        entry = entries[v] = found.get(keys[v]) or {}
        for code in kept:
            held = entry.get(code)
            if held is not None and held[1] == signatures[(code, v)]:
                out[code][v] = held[0]
            else:
                stale.add(v)
    if stale:
        # One computation for the villages with any stale value: fixed queries whatever their number.
        if len(stale) < len(village_ids):
            ctx = Context(sorted(stale), period, today)
        for code in kept:
            if any(v not in out[code] for v in stale):
                measured = INDICATORS[code][0](ctx)
                for v in stale:
                    out[code][v] = measured[v]
                    entries[v][code] = (measured[v], signatures[(code, v)])
        try:
            cache.set_many({keys[v]: entries[v] for v in stale}, VALUE_TTL)
        except Exception:  # measured all the same; kept next time
            log.warning("scorecard: could not keep the values in the cache")
    return out


def _measured(codes: list[str], ctx: Context) -> dict[str, dict[int, int | None]]:
    return {code: INDICATORS[code][0](ctx) for code in codes}


# --- the writers' signals ---------------------------------------------------------------------------------


def _cached(instance: Model, relation: str, field: str):
    """``instance.<relation>.<field>`` if the related object is loaded already (no query), else None."""
    descriptor = getattr(type(instance), relation)
    if descriptor.is_cached(instance):
        related = getattr(instance, relation)
        return getattr(related, field, None) if related is not None else None
    return None


def _village(instance: Model) -> int | None:
    return instance.village_id


def _anywhere(instance: Model) -> None:
    return None


def _receiver(topic: str, where: Callable[[Model], int | None], when: Callable[[Model], bool] | None = None):
    def received(sender, instance, **kwargs) -> None:
        if when is None or when(instance):
            changed(topic, [where(instance)])

    return received


def writers() -> list[tuple]:
    """(model, topic, the village a record is of — None: any village —, and when a record matters)."""
    from civility.models import Activity, EntryKind, ModelSelection, PointsEntry, SetDate
    from cogovernance.models import Deliberation, Project
    from disputes.models import Case, CaseEvent, Policy
    from grids.models import Assignment, Grid, MicroGrid, Village, VillagerGroup
    from party.models import Contact, Meeting, MeetingRule, PartyMember, PartyOrganisation
    from people.models import GoodPractice, HealthCheck, Training, WorkerInsurance
    from residents.models import Household, KeyPerson, KeyPlace, Resident
    from visits.models import CoverageSnapshot, Visit

    return [
        (Meeting, "meetings", _village, None),
        (PartyOrganisation, "meetings", _village, None),
        (MeetingRule, "meetings", _anywhere, None),
        (Contact, "contacts", lambda c: _cached(c, "member", "village_id"), None),
        (PartyMember, "contacts", _anywhere, None),  # a member moved counts in two villages
        (Household, "households", _village, None),  # never moves village (residents.services)
        (KeyPlace, "key_places", _village, None),  # the village overview's counts (reports.selectors)
        (Village, "territory", _anywhere, None),
        (Grid, "territory", _anywhere, None),
        (MicroGrid, "territory", _anywhere, None),
        (VillagerGroup, "territory", _anywhere, None),
        (Assignment, "territory", _anywhere, None),
        (Training, "care", _anywhere, None),
        (WorkerInsurance, "care", _anywhere, None),
        (HealthCheck, "care", _anywhere, None),
        (Visit, "visits", _anywhere, None),  # and the field week it marks (visits.fielddays, raw SQL)
        (CoverageSnapshot, "snapshots", _anywhere, None),  # the town dashboard's closed months
        (GoodPractice, "practices", _village, None),
        (KeyPerson, "key_persons", _anywhere, None),
        (Resident, "key_persons", _anywhere, None),  # a key person's village is their record's
        (Case, "cases", _village, None),
        (CaseEvent, "cases", lambda e: _cached(e, "case", "village_id"), None),
        (Policy, "cases", _anywhere, None),
        (Deliberation, "cogovernance", _village, None),
        (Project, "cogovernance", _village, None),
        (ModelSelection, "civility", _village, None),
        (Activity, "civility", _village, None),
        (SetDate, "civility", _anywhere, None),
        (
            PointsEntry,
            "points",
            lambda e: _cached(e, "account", "village_id"),
            lambda e: e.kind == EntryKind.REDEMPTION,
        ),
    ]


def connect() -> None:
    from people.models import Training
    from residents.signals import key_person_erased, registry_bulk_saved

    table = writers()
    for model, topic, where, when in table:
        uid = f"scorecard-kept-{topic}"
        handler = _receiver(topic, where, when)
        post_save.connect(handler, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(handler, sender=model, weak=False, dispatch_uid=uid)
    m2m_changed.connect(
        _receiver("care", _anywhere), sender=Training.attendees.through, weak=False, dispatch_uid="scorecard-kept"
    )

    def bulk_saved(sender, **kwargs) -> None:
        changed("households")

    def erased(sender, **kwargs) -> dict:
        changed("key_persons")
        return {}

    registry_bulk_saved.connect(bulk_saved, weak=False, dispatch_uid="scorecard-kept")
    key_person_erased.connect(erased, weak=False, dispatch_uid="scorecard-kept")

"""The test world: one town, two villages, and the people every test asks about (STYLE 8).

- ``worker``: grid worker of grid 1 (village 1)
- ``colleague``: grid worker of grid 2 (same village)
- ``liaison``: micro-grid liaison of micro-grid 1a (in grid 1)
- ``staff``: village staff of village 1
- ``town``: town office of the town
- ``outsider``: village staff of village 2
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.models.signals import post_init

from governance.celery import app as celery_app
from grids.models import Assignment, Grid, MicroGrid, NaturalVillage, Role, Town, User, Village, VillagerGroup
from residents.codes import Relation
from residents.models import Household, KeyCategory, KeyPerson, KeyPlace, PlaceType, Resident

PASSWORD = "correct-horse-42"
OUTPUT_DIR = Path(__file__).resolve().parent.parent / "test-output"
SINCE = datetime.date(2025, 1, 1)

# Playwright runs an event loop in the test thread; Django's ORM would refuse to run in it otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    from django.conf import settings

    # Hashing is deliberately slow; tests log people in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploaded files (imports) go to a throwaway folder, not the demo's data folder.
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="portal-test-media-")
    if hasattr(config, "workerinput"):
        from tests import demo_state

        # pytest-xdist gives each process a folder in the run's temporary folder: what the processes share
        # goes beside them (tests/demo_state.py); pytest removes a run's folder after three more runs.
        demo_state.SHARED = Path(config.option.basetemp).parent / "demo-copies"


@pytest.fixture
def real_hashers(settings):
    """The project's password hashers (governance/settings.py) instead of MD5, for the tests of hashing."""
    from governance import settings as project

    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language: a page requested in English leaves the thread's
    language switched (the locale middleware does not switch it back), which would leak into the next
    test's service messages."""
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _kept_scorecards_apart(monkeypatch):
    """The scorecard's kept values live in the cache, which outlives a test's rolled-back records (and is
    shared by the test processes): each test reads and keeps its own."""
    from reports.scorecard import kept

    monkeypatch.setattr(kept, "VERSION", uuid.uuid4().hex)


@pytest.fixture(autouse=True)
def _celery_eager(request):
    """Tasks run in-process unless a test asks for the real worker."""
    eager = request.node.get_closest_marker("celery_worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@dataclass
class World:
    town: Town
    village: Village
    other_village: Village
    grid1: Grid
    grid2: Grid
    other_grid: Grid
    micro1: MicroGrid
    micro2: MicroGrid
    other_micro: MicroGrid
    group1: VillagerGroup
    other_group: VillagerGroup
    household1: Household
    household2: Household
    other_household: Household
    resident1: Resident
    resident2: Resident
    other_resident: Resident
    key_person1: KeyPerson
    key_place1: KeyPlace


# Valid ID numbers (GB 11643 check digits) for tests.
ID1 = "11010519491231002X"
ID2 = "440524198001010013"
ID3 = "320723198001011232"


@contextmanager
def models_built() -> Iterator[Counter]:
    """How many model objects of each model (by class name) are made inside the block (``post_init``)."""
    built: Counter = Counter()

    def count(sender, **kwargs):
        built[sender.__name__] += 1

    post_init.connect(count)
    try:
        yield built
    finally:
        post_init.disconnect(count)


def make_resident(household: Household | None, name: str, number: str, *, village: Village | None = None, relation=""):
    """A resident as the registry stores one (the number parsed, encrypted and hashed); the service's
    checks, with their queries, are left to the tests of the service (tests/residents)."""
    resident = Resident(name=name, household=household, village=village or household.village, relation=relation or "")
    resident.set_id_number(number)
    resident.save()
    return resident


def make_household(micro: MicroGrid, group: VillagerGroup, number: str, address: str) -> Household:
    return Household.objects.create(
        village=micro.grid.village,
        grid=micro.grid,
        micro_grid=micro,
        villager_group=group,
        number=number,
        address=address,
    )


def make_user(username: str, village: Village | None, **extra) -> User:
    user = User(username=username, full_name=extra.pop("full_name", username), home_village=village, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def assign(user: User, role: Role, place, start: datetime.date = SINCE, end=None) -> Assignment:
    from grids.models import ROLE_PLACE_FIELD

    return Assignment.objects.create(user=user, role=role, start=start, end=end, **{ROLE_PLACE_FIELD[role]: place})


# What the migrations below fill, and the towns (a town gets its departments): when their row counts are
# those a full restore left in this database, nothing was flushed since and the restore is skipped.
REFERENCE_MODELS = (
    ("residents", "Tag"),
    ("disputes", "Department"),
    ("disputes", "Policy"),
    ("visits", "ReminderPolicy"),
    ("party", "MeetingRule"),
    ("reports", "ReportPolicy"),
    ("residents", "RetentionRule"),
    ("civility", "SetDate"),
    ("reports", "ScoreRule"),
    ("grids", "Town"),
)
_restored_counts: dict[str, tuple[int, ...]] = {}  # per database: the counts a full restore left


def restore_reference_data() -> None:
    """Lists the migrations fill (household tags, departments, the policy rows). A transactional test
    flushes the database afterwards, so later tests in the same process get them back here. A test that
    changed them inside its transaction had them rolled back: found as a full restore left them (the same
    row counts), they are not written again (a tenth of a second for each of thousands of tests)."""
    import importlib

    from django.apps import apps

    counts = _reference_counts(apps)
    if _restored_counts.get(connection.settings_dict["NAME"]) == counts:
        return
    for module, function in (
        ("residents.migrations.0002_standard_tags", "create_tags"),
        ("disputes.migrations.0008_department_town", "seed"),
        ("visits.migrations.0002_reminder_policy", "add"),
        ("party.migrations.0002_meeting_rules", "add"),
        ("reports.migrations.0002_report_policy", "add"),
        ("residents.migrations.0011_key_person_retention", "seed"),
        ("civility.migrations.0002_set_dates", "seed"),
        ("reports.migrations.0004_score_rules", "add"),
    ):
        getattr(importlib.import_module(module), function)(apps, None)
    _restored_counts[connection.settings_dict["NAME"]] = _reference_counts(apps)


def forget_reference_data() -> None:
    """After a rollback that may have taken reference rows with it: the next restore counts them again."""
    _restored_counts.pop(connection.settings_dict["NAME"], None)


def _reference_counts(apps) -> tuple[int, ...]:
    tables = [connection.ops.quote_name(apps.get_model(*name)._meta.db_table) for name in REFERENCE_MODELS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in tables))  # noqa: S608 — our tables
        return tuple(cursor.fetchone())


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    restore_reference_data()
    town = Town.objects.create(name="测试镇")
    village = Village.objects.create(town=town, name="一村")
    other = Village.objects.create(town=town, name="二村")
    natural = NaturalVillage.objects.create(village=village, name="张庄")
    grid1 = Grid.objects.create(village=village, number=1, name="第一网格")
    grid2 = Grid.objects.create(village=village, number=2, name="第二网格")
    other_grid = Grid.objects.create(village=other, number=1, name="第一网格")
    micro1 = MicroGrid.objects.create(grid=grid1, number=1, name="1a")
    micro2 = MicroGrid.objects.create(grid=grid2, number=1, name="2a")
    other_micro = MicroGrid.objects.create(grid=other_grid, number=1, name="x1")
    group1 = VillagerGroup.objects.create(village=village, number=1, name="第1组", natural_village=natural)
    other_group = VillagerGroup.objects.create(village=other, number=1, name="第1组")
    household1 = make_household(micro1, group1, "0001", "张庄1号")
    household2 = make_household(micro2, group1, "0002", "张庄2号")
    other_household = make_household(other_micro, other_group, "0001", "李庄1号")
    resident1 = make_resident(household1, "张三", ID1, relation=Relation.HEAD)
    resident2 = make_resident(household2, "李四", ID2, relation=Relation.HEAD)
    other_resident = make_resident(other_household, "王五", ID3, relation=Relation.HEAD)
    key_person1 = KeyPerson.objects.create(
        resident=resident1, category=KeyCategory.MENTAL, risk_level=3, guardian_name="张大", listed_from=SINCE
    )
    key_place1 = KeyPlace.objects.create(
        village=village, grid=grid1, micro_grid=micro1, type=PlaceType.RENTAL, name="张三出租房", address="张庄1号"
    )
    return World(
        town=town,
        village=village,
        other_village=other,
        grid1=grid1,
        grid2=grid2,
        other_grid=other_grid,
        micro1=micro1,
        micro2=micro2,
        other_micro=other_micro,
        group1=group1,
        other_group=other_group,
        household1=household1,
        household2=household2,
        other_household=other_household,
        resident1=resident1,
        resident2=resident2,
        other_resident=other_resident,
        key_person1=key_person1,
        key_place1=key_place1,
    )


# The five people of ``personas``: full name, role, and the world's place the role is held at and home
# village (the town office has none). Each is made by its own fixture when a test asks for one alone, and
# all five at once by tests/shared_world.py.
PERSONAS = {
    "worker": ("网格员甲", Role.GRID_WORKER, "grid1", "village"),
    "colleague": ("网格员乙", Role.GRID_WORKER, "grid2", "village"),
    "staff": ("村干部", Role.VILLAGE_STAFF, "village", "village"),
    "town": ("镇综治办", Role.TOWN_OFFICE, "town", None),
    "outsider": ("外村干部", Role.VILLAGE_STAFF, "other_village", "other_village"),
}


def make_persona(world: World, name: str) -> User:
    full_name, role, place, home = PERSONAS[name]
    user = make_user(name, getattr(world, home) if home else None, full_name=full_name)
    assign(user, role, getattr(world, place))
    return user


@pytest.fixture
def worker(world) -> User:
    return make_persona(world, "worker")


@pytest.fixture
def colleague(world) -> User:
    return make_persona(world, "colleague")


@pytest.fixture
def liaison(world) -> User:
    user = make_user("liaison", world.village, full_name="联络员")
    assign(user, Role.LIAISON, world.micro1)
    return user


@pytest.fixture
def staff(world) -> User:
    return make_persona(world, "staff")


@pytest.fixture
def town(world) -> User:
    return make_persona(world, "town")


@pytest.fixture
def outsider(world) -> User:
    return make_persona(world, "outsider")


@pytest.fixture
def personas(worker, colleague, staff, town, outsider) -> dict[str, User]:
    return {"worker": worker, "colleague": colleague, "staff": staff, "town": town, "outsider": outsider}


@pytest.fixture
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture
def test_database_url() -> str:
    """A DATABASE_URL pointing at the test database, for processes the tests start."""
    s = connection.settings_dict
    if s["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def make_case(world: World, by: User, *, grid: Grid | None = None, kind: str = "dispute", **extra):
    """A dispute reported in grid 1 (or ``grid``) of the test village, through the service."""
    from disputes import services

    grid = grid or world.grid1
    return services.case_report(
        by=by,
        village=grid.village,
        grid=grid,
        kind=kind,
        category=extra.pop("category", f"{kind}.other"),
        title=extra.pop("title", "排水沟纠纷"),
        description=extra.pop("description", "两户共用排水沟被堵。"),
        **extra,
    )


def png_bytes(size=(40, 30), exif_gps: bool = False) -> bytes:
    """A small real image; with ``exif_gps`` a JPEG carrying a GPS tag (to check it is stripped)."""
    import io

    from PIL import Image

    image = Image.new("RGB", size, (200, 80, 40))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (31.0, 20.0, 0.0)}  # GPSInfo
        exif[0x010F] = "PhoneMaker"  # Make
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def celery_queue():
    """Our own queue: no other worker on this Redis takes the tasks of this test."""
    if not django_settings.REDIS_URL:
        pytest.skip("needs Redis (set REDIS_URL)")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    yield queue
    celery_app.conf.task_default_queue = previous


@pytest.fixture
def start_worker(test_database_url, transactional_db, celery_queue):
    """Start real Celery worker processes (solo pool) on the test database and our queue; extra
    environment variables go to the process. All are stopped at the end."""
    processes: list[subprocess.Popen] = []

    def start(**env_extra) -> subprocess.Popen:
        env = {**os.environ, "DATABASE_URL": test_database_url, "CELERY_QUEUE": celery_queue, **env_extra}
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "governance",
                "worker",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "warning",
                "-Q",
                celery_queue,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def celery_worker_process(start_worker):
    return start_worker()

"""`manage.py backup` / `restore` (make backup / make restore): the demo data survives a round trip into
an empty database, table by table and file by file; a database that is not empty, a damaged or tampered
archive and an archive of another vendor are refused.

The commands run as subprocesses against databases of their own (created and dropped here), exactly as
an operator runs them; the figures compared are computed here, independently of tooling/backup.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings as django_settings

from tests.conftest import png_bytes

ROOT = Path(__file__).resolve().parents[2]
PHOTO = "cases/2026/11/backup-test.png"


def manage(*args: str, database_url: str, data_dir: Path) -> subprocess.CompletedProcess:
    """Run manage.py as `make backup` / `make restore` would, on the given database and data folder
    (MEDIA_ROOT is DATA_DIR/media)."""
    env = {**os.environ, "DATABASE_URL": database_url, "DATA_DIR": str(data_dir), "DEBUG": "true"}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def repack(archive: Path, into: Path, change) -> Path:
    """A copy of ``archive`` with ``change(folder)`` applied to its unpacked contents."""
    folder = into / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    change(folder)
    changed = into / "changed.tar.gz"
    with tarfile.open(changed, "w:gz") as tar:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                tar.add(path, arcname=path.relative_to(folder).as_posix())
    return changed


def sqlite_figures(path: Path) -> dict[str, tuple[int, str]]:
    """Every table of a SQLite file: row count and a hash of its rows in sorted order."""
    database = sqlite3.connect(path)
    try:
        tables = [row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        figures = {}
        for table in tables:
            rows = sorted(repr(row) for row in database.execute(f'SELECT * FROM "{table}"'))  # noqa: S608
            figures[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        return figures
    finally:
        database.close()


# --- PostgreSQL ---------------------------------------------------------------------------------


@dataclass
class Server:
    """The PostgreSQL server of DATABASE_URL; databases made here are dropped at the end."""

    host: str
    port: int
    user: str
    password: str
    created: list[str] = field(default_factory=list)

    def _connect(self, name: str):
        return psycopg2.connect(host=self.host, port=self.port, user=self.user, password=self.password, dbname=name)

    def create(self, label: str, *, template: str | None = None) -> str:
        # Unique per run and per xdist worker; `bk_` marks them as this test's.
        name = f"bk_{uuid.uuid4().hex[:12]}_{label}"
        admin = self._connect("postgres")
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        finally:
            admin.close()
        self.created.append(name)
        return name

    def drop_all(self) -> None:
        admin = self._connect("postgres")
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                for name in self.created:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            admin.close()

    def url(self, name: str) -> str:
        auth = self.user + (f":{self.password}" if self.password else "")
        return f"postgres://{auth}@{self.host}:{self.port}/{name}"

    def figures(self, name: str) -> dict[str, tuple[int, str]]:
        """Every table in the database: row count and a hash of its rows' text forms in sorted order."""
        database = self._connect(name)
        try:
            with database.cursor() as cursor:
                cursor.execute("SET TIME ZONE 'UTC'")
                cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                figures = {}
                for (table,) in cursor.fetchall():
                    cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608
                    rows = sorted(row[0] for row in cursor.fetchall())
                    figures[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
                return figures
        finally:
            database.close()

    def sequences(self, name: str) -> dict[str, int | None]:
        database = self._connect(name)
        try:
            with database.cursor() as cursor:
                cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
                return dict(cursor.fetchall())
        finally:
            database.close()


def postgres_server() -> Server:
    """The tests' PostgreSQL server, from the test settings."""
    db = django_settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    return Server(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432), db["USER"], db["PASSWORD"] or "")


@pytest.fixture(scope="module")
def pg():
    server = postgres_server()
    yield server
    server.drop_all()


@dataclass
class Backup:
    source: str  # the demo database
    migrated: str  # a database with the project's tables and the migrations' reference rows, no demo
    data_dir: Path
    archive: Path


@pytest.fixture(scope="module")
def pg_backup(pg, shared_backup, tmp_path_factory) -> Backup:
    """The demo as `make run` builds it, with an uploaded photo, backed up with `manage.py backup`."""
    if shared_backup is not None:
        return shared_backup()
    return build_backup(pg, tmp_path_factory.mktemp("source"))


@pytest.fixture(scope="session")
def shared_backup():
    """With several test processes, ``pg_backup`` (a minute's work) is built once for the run, in the run's
    folder (tests/demo_state.py, ``SHARED``), by the first process to need it; each process that used it
    lets it go when its session ends, and the last one drops its databases."""
    from tests import demo_state

    if demo_state.SHARED is None:
        yield None
        return
    folder = demo_state.SHARED / "backup"
    state = folder / "state.json"
    server = postgres_server()
    held: list[Backup] = []

    def get() -> Backup:
        if held:
            return held[0]
        with demo_state.run_lock("backup"):
            if state.exists():
                shared = json.loads(state.read_text())
            else:
                try:
                    made = build_backup(server, folder)
                except BaseException:
                    server.drop_all()
                    raise
                shared = {**{k: str(v) for k, v in dataclasses.asdict(made).items()}, "users": 0}
            shared["users"] += 1
            state.write_text(json.dumps(shared))
        held.append(Backup(shared["source"], shared["migrated"], Path(shared["data_dir"]), Path(shared["archive"])))
        return held[0]

    yield get
    if held:
        with demo_state.run_lock("backup"):
            shared = json.loads(state.read_text())
            shared["users"] -= 1
            if shared["users"]:
                state.write_text(json.dumps(shared))
            else:
                dataclasses.replace(server, created=[held[0].source, held[0].migrated]).drop_all()
                shutil.rmtree(folder, ignore_errors=True)


def build_backup(pg: Server, data_dir: Path) -> Backup:
    data_dir.mkdir(parents=True, exist_ok=True)
    source = pg.create("source")
    ok(manage("migrate", "--noinput", "-v", "0", database_url=pg.url(source), data_dir=data_dir))
    migrated = pg.create("migrated", template=source)
    ok(manage("seed_demo", database_url=pg.url(source), data_dir=data_dir))
    photo = data_dir / "media" / PHOTO
    photo.parent.mkdir(parents=True)
    photo.write_bytes(png_bytes())
    archive = data_dir / "portal.tar.gz"
    result = ok(manage("backup", "--output", str(archive), database_url=pg.url(source), data_dir=data_dir))
    assert f"Backup written: {archive}" in result.stdout
    return Backup(source=source, migrated=migrated, data_dir=data_dir, archive=archive)


def test_round_trip_into_an_empty_database(pg, pg_backup, tmp_path):
    target = pg.create("restored")
    result = ok(manage("restore", str(pg_backup.archive), database_url=pg.url(target), data_dir=tmp_path))
    assert "match the archive's manifest" in result.stdout

    before, after = pg.figures(pg_backup.source), pg.figures(target)
    assert after == before
    for table in ("residents_household", "residents_resident", "visits_visit", "disputes_case", "django_migrations"):
        assert before[table][0] > 0, table
    # Sequences too: the next household gets a new id, not one already taken.
    assert pg.sequences(target) == pg.sequences(pg_backup.source)
    assert (tmp_path / "media" / PHOTO).read_bytes() == (pg_backup.data_dir / "media" / PHOTO).read_bytes()

    # The manifest covers every table, with the demo's figures.
    with tarfile.open(pg_backup.archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert set(manifest["tables"]) == set(before)
    assert {name: t["rows"] for name, t in manifest["tables"].items()} == {name: f[0] for name, f in before.items()}
    assert manifest["database"]["vendor"] == "postgresql"
    assert manifest["migrations"]["residents"].startswith("0")
    assert set(manifest["media"]) == {PHOTO}


def test_refuses_a_database_that_is_not_empty(pg, pg_backup, tmp_path):
    """A migrated database has the tables and the reference rows: restore changes nothing there."""
    before = pg.figures(pg_backup.migrated)
    result = manage("restore", str(pg_backup.archive), database_url=pg.url(pg_backup.migrated), data_dir=tmp_path)
    assert result.returncode != 0
    assert "is not empty" in result.stderr
    assert pg.figures(pg_backup.migrated) == before
    assert not (tmp_path / "media").exists()


def test_a_tampered_manifest_fails_the_check(pg, pg_backup, tmp_path):
    def one_household_more(folder: Path) -> None:
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["tables"]["residents_household"]["rows"] += 1
        (folder / "manifest.json").write_text(json.dumps(manifest))

    archive = repack(pg_backup.archive, tmp_path, one_household_more)
    result = manage("restore", str(archive), database_url=pg.url(pg.create("tampered")), data_dir=tmp_path / "data")
    assert result.returncode != 0
    assert "does not match the archive's manifest" in result.stderr
    assert "residents_household:" in result.stderr
    assert "residents_resident" not in result.stderr  # only the table that differs is named


def test_a_damaged_dump_is_refused_before_anything_changes(pg, pg_backup, tmp_path):
    def flip_a_byte(folder: Path) -> None:
        dump = folder / "database.dump"
        data = bytearray(dump.read_bytes())
        data[len(data) // 2] ^= 0xFF
        dump.write_bytes(bytes(data))

    archive = repack(pg_backup.archive, tmp_path, flip_a_byte)
    target = pg.create("damaged")
    result = manage("restore", str(archive), database_url=pg.url(target), data_dir=tmp_path / "data")
    assert result.returncode != 0
    assert "archive is damaged" in result.stderr
    assert pg.figures(target) == {}


def test_keeps_a_different_file_of_the_same_name_in_media_root(pg, pg_backup, tmp_path):
    """Files already in MEDIA_ROOT stay; one the archive would overwrite with other content stops the
    restore (before the database is touched) unless --yes."""
    mine = tmp_path / "media" / PHOTO
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"another photo")
    target = pg.create("media")
    result = manage("restore", str(pg_backup.archive), database_url=pg.url(target), data_dir=tmp_path)
    assert result.returncode != 0
    assert "pass --yes" in result.stderr
    assert mine.read_bytes() == b"another photo"
    assert pg.figures(target) == {}


def test_an_archive_of_another_vendor_is_refused(pg_backup, tmp_path):
    database = tmp_path / "db.sqlite3"
    result = manage("restore", str(pg_backup.archive), database_url=f"sqlite:///{database}", data_dir=tmp_path)
    assert result.returncode != 0
    assert "holds a postgresql database, but DATABASE_URL points to sqlite" in result.stderr
    assert not database.exists() or sqlite_figures(database) == {}


# --- SQLite (the embedded default) ----------------------------------------------------------------


def test_sqlite_round_trip(tmp_path):
    source_dir, target_dir = tmp_path / "source", tmp_path / "target"
    source_db, target_db = source_dir / "db.sqlite3", target_dir / "db.sqlite3"
    source_url, target_url = f"sqlite:///{source_db}", f"sqlite:///{target_db}"
    ok(manage("migrate", "--noinput", "-v", "0", database_url=source_url, data_dir=source_dir))
    # The territory and the demo accounts (the full registry is covered on PostgreSQL above).
    seed = "from tooling import demo; demo.seed(registry=False)"
    ok(manage("shell", "-c", seed, database_url=source_url, data_dir=source_dir))
    photo = source_dir / "media" / PHOTO
    photo.parent.mkdir(parents=True)
    photo.write_bytes(png_bytes())
    archive = tmp_path / "portal.tar.gz"
    ok(manage("backup", "--output", str(archive), database_url=source_url, data_dir=source_dir))

    ok(manage("restore", str(archive), database_url=target_url, data_dir=target_dir))
    before, after = sqlite_figures(source_db), sqlite_figures(target_db)
    assert after == before
    assert before["grids_assignment"][0] > 0
    assert (target_dir / "media" / PHOTO).read_bytes() == photo.read_bytes()

    # A second restore finds the database full and changes nothing.
    result = manage("restore", str(archive), database_url=target_url, data_dir=target_dir)
    assert result.returncode != 0
    assert "is not empty" in result.stderr
    assert sqlite_figures(target_db) == before

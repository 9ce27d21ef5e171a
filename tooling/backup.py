# ruff: noqa: S608 -- the SQL below names tables from the database's own catalogue, quoted; no user values
"""Backup and restore: one archive with the database, the uploaded files and a manifest to check both.

    manage.py backup [--output PATH]          →  var/backups/portal-20261123-020000.tar.gz
    manage.py restore PATH [--yes]

The archive (tar.gz) holds

- ``database.dump`` (PostgreSQL: ``pg_dump --format=custom``) or ``database.sqlite3`` (SQLite: the
  ``sqlite3`` module's online backup), made by the database's own tools;
- ``media/``: everything under MEDIA_ROOT (photos, import files);
- ``manifest.json``: format version, time, database vendor, the latest applied migration per app, and
  per table its row count and a checksum; per uploaded file its size and SHA-256.

The manifest's figures describe exactly what was dumped: on PostgreSQL they are read in the transaction
whose snapshot ``pg_dump --snapshot`` dumps, on SQLite from the backup copy itself. A restore goes only
into an empty database (it never drops or overwrites data), then reads the restored tables again and
compares them with the manifest: any difference is an error.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import django
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from reports.scorecard import kept
from visits import live

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMP_FILE = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}

Log = Callable[[str], None]


class BackupError(Exception):
    """Something the operator must fix; the message says what and how."""


# --- Backup -------------------------------------------------------------------------------------


def backup_create(*, output: Path | None = None, log: Log) -> Path:
    """Write the archive to ``output`` (default: DATA_DIR/backups/portal-<local time>.tar.gz) and return it."""
    vendor = _vendor()
    if output is None:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        output = Path(settings.DATA_DIR) / "backups" / f"portal-{stamp}.tar.gz"
    output = output.resolve()
    if output.exists():
        raise BackupError(f"{output} already exists: choose another --output.")
    output.parent.mkdir(parents=True, exist_ok=True)

    # The dump is staged next to the archive (same disk, which has room for the archive anyway).
    with tempfile.TemporaryDirectory(prefix=".portal-backup-", dir=output.parent) as staging:
        dump = Path(staging) / DUMP_FILE[vendor]
        log(f"Dumping the {vendor} database …")
        if vendor == "postgresql":
            tables, migrations = _pg_dump(dump)
        else:
            tables, migrations = _sqlite_dump(dump)
        log(f"  {len(tables)} tables, {sum(t['rows'] for t in tables.values())} rows, {_size(dump.stat().st_size)}")
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "django": django.get_version(),
            "database": {"vendor": vendor, "file": dump.name, "sha256": _sha256_file(dump)},
            "migrations": migrations,
            "tables": tables,
            "media": {},
        }
        # Written under a temporary name and renamed at the end: an interrupted backup leaves no file
        # that looks like a good archive. Owner-only: the archive holds residents' personal data.
        partial = output.with_name(output.name + ".partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                archive.add(dump, arcname=dump.name)
                # Files after the database: a photo uploaded meanwhile is archived without its row
                # (harmless), never a row without its photo (unless the photo is deleted meanwhile).
                log(f"Archiving uploaded files from {settings.MEDIA_ROOT} …")
                manifest["media"] = _archive_media(archive, Path(settings.MEDIA_ROOT))
                media_bytes = sum(f["bytes"] for f in manifest["media"].values())
                log(f"  {len(manifest['media'])} files, {_size(media_bytes)}")
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return output


def _pg_dump(target: Path) -> tuple[dict, dict]:
    """pg_dump into ``target``; the figures come from the very snapshot pg_dump dumps."""
    _require_tool("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        # pg_dump imports the snapshot, which exists only while this transaction is open: it dumps exactly
        # the rows counted below, however much the portal writes meanwhile.
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ],
            env=_pg_environment(),
        )
        tables = _table_stats(cursor, "postgresql", connection.introspection.table_names(cursor))
        return tables, _applied_migrations(cursor, tables)


def _sqlite_dump(target: Path) -> tuple[dict, dict]:
    """SQLite's online backup: a consistent copy even while the portal writes to the database."""
    source_path = _sqlite_path()
    if not source_path.exists():
        raise BackupError(f"The SQLite database {source_path} does not exist: nothing to back up.")
    source = sqlite3.connect(source_path, timeout=20)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        cursor = copy.cursor()
        tables = _table_stats(cursor, "sqlite", connection.introspection.table_names(cursor))
        return tables, _applied_migrations(cursor, tables)
    finally:
        copy.close()
        source.close()


def _archive_media(archive: tarfile.TarFile, root: Path) -> dict[str, dict]:
    """Add every regular file under ``root`` as media/<relative path>; return their sizes and hashes."""
    files = {}
    if not root.is_dir():
        return files
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        name = path.relative_to(root).as_posix()
        # Read once: the hash is of exactly the bytes archived (photos are at most UPLOAD_MAX_BYTES).
        data = path.read_bytes()
        _add_bytes(archive, f"{MEDIA}/{name}", data, mtime=path.stat().st_mtime)
        files[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    return files


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, mtime: float | None = None) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(mtime if mtime is not None else timezone.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


# --- Restore ------------------------------------------------------------------------------------


def backup_restore(*, archive: Path, replace_media: bool = False, log: Log) -> dict[str, dict]:
    """Restore ``archive`` into the configured (empty) database and MEDIA_ROOT, then check every table
    and file against the manifest. Returns the tables' figures; raises BackupError on any problem."""
    vendor = _vendor()
    media_root = Path(settings.MEDIA_ROOT)
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file.")
    # Everything is checked before anything is changed: the database first (quick), then the archive.
    _check_empty(vendor)
    # Unpacked next to the other data of the app (it may be as large as the archive's contents).
    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".portal-restore-", dir=settings.DATA_DIR) as staging:
        unpacked = Path(staging)
        log(f"Reading {archive} …")
        manifest = _unpack(archive, unpacked)
        _check_archive(manifest, unpacked, vendor)
        if not replace_media:
            _check_media_root(manifest["media"], media_root)

        dump = unpacked / manifest["database"]["file"]
        log(f"Restoring the {vendor} database ({len(manifest['tables'])} tables) …")
        if vendor == "postgresql":
            _pg_restore(dump)
        else:
            _sqlite_restore(dump)
        log(f"Restoring {len(manifest['media'])} uploaded files into {media_root} …")
        for name in manifest["media"]:
            target = media_root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(unpacked / MEDIA / name, target)

    log("Checking the restored data against the manifest …")
    tables = _restored_stats(vendor)
    problems = _compare(manifest["tables"], tables)
    for name, expected in manifest["media"].items():
        path = media_root / name
        if not path.is_file() or _sha256_file(path) != expected["sha256"]:
            problems.append(f"media/{name}: missing or different after the restore")
    if problems:
        raise BackupError("The restored data does not match the archive's manifest:\n  " + "\n  ".join(problems))
    _hint_pending_migrations(log)
    kept.forget()  # a cache shared with the database restored over may keep its values
    live.forget()  # likewise the work lists kept under the grids' marks (visits/kept_list.py)
    return tables


def _unpack(archive: Path, into: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            # The "data" filter refuses absolute paths, paths leaving the folder, links and devices.
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{archive} is not a readable backup archive ({error}). Nothing was changed.") from None
    try:
        manifest = json.loads((into / MANIFEST).read_text())
        if not isinstance(manifest, dict):
            raise ValueError("not an object")
    except (OSError, ValueError) as error:
        raise BackupError(f"{archive} has no readable {MANIFEST} ({error}). Nothing was changed.") from None
    return manifest


def _check_archive(manifest: dict[str, Any], unpacked: Path, vendor: str) -> None:
    """The archive is whole, of our format and vendor, and made by this version of the portal or an older one."""
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unknown archive format {manifest.get('format')!r} (this portal reads {FORMAT_VERSION}).")
    if not all(isinstance(manifest.get(key), dict) for key in ("database", "migrations", "tables", "media")):
        raise BackupError(f"The archive's {MANIFEST} is incomplete. Nothing was changed.")
    database = manifest["database"]
    if database.get("vendor") != vendor:
        raise BackupError(
            f"The archive holds a {database.get('vendor')} database, but DATABASE_URL points to {vendor}. "
            "Restore it into the same kind of database. Nothing was changed."
        )
    dump = unpacked / str(database.get("file"))
    if database.get("file") != DUMP_FILE[vendor] or not dump.is_file():
        raise BackupError("The archive has no database dump. Nothing was changed.")
    corrupt = [] if _sha256_file(dump) == database.get("sha256") else [dump.name]
    for name, expected in manifest["media"].items():
        # Names become paths under MEDIA_ROOT: nothing may point outside it.
        if PurePosixPath(name).is_absolute() or ".." in PurePosixPath(name).parts:
            raise BackupError(f"The archive names a file outside the media folder ({name!r}). Nothing was changed.")
        path = unpacked / MEDIA / name
        if not path.is_file() or _sha256_file(path) != expected.get("sha256"):
            corrupt.append(f"{MEDIA}/{name}")
    if corrupt:
        raise BackupError(
            "The archive is damaged: the checksum of " + ", ".join(corrupt) + " does not match its manifest. "
            "Nothing was changed."
        )
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [f"{app}.{name}" for app, name in manifest["migrations"].items() if (app, name) not in known]
    if unknown:
        raise BackupError(
            "The archive was made by a newer or different version of the portal (migrations unknown here: "
            + ", ".join(sorted(unknown))
            + "). Install the version that made it, restore, then upgrade. Nothing was changed."
        )


def _check_empty(vendor: str) -> None:
    """Restore never replaces data: the target must be a freshly created database without tables."""
    if vendor == "postgresql":
        try:
            tables = connection.introspection.table_names()
        except OperationalError as error:
            raise BackupError(
                f"Cannot open the database {connection.settings_dict['NAME']!r} ({str(error).strip()}). "
                "Create it (createdb NAME) and check DATABASE_URL."
            ) from None
        where = f"The database {connection.settings_dict['NAME']!r}"
        how = "Create a new empty one (createdb NAME) and point DATABASE_URL to it"
    else:
        tables = _sqlite_tables(_sqlite_path())
        where = f"The SQLite database {_sqlite_path()}"
        how = "Move that file away or point DATABASE_URL to a new file"
    if tables:
        raise BackupError(
            f"{where} is not empty ({len(tables)} tables, e.g. {', '.join(sorted(tables)[:3])}). Restore only "
            f"goes into an empty database. {how}, then restore. Nothing was changed."
        )


def _check_media_root(files: dict[str, dict], media_root: Path) -> None:
    """Files already in MEDIA_ROOT stay; one the archive would replace by other content is a conflict."""
    conflicts = [
        name
        for name, expected in files.items()
        if (media_root / name).exists() and _sha256_file(media_root / name) != expected["sha256"]
    ]
    if conflicts:
        raise BackupError(
            f"MEDIA_ROOT {media_root} already holds {len(conflicts)} files of the same name as the archive's but "
            f"with other content (e.g. {', '.join(conflicts[:3])}). Move them away, or pass --yes to replace them "
            "with the archive's. Nothing was changed."
        )


def _pg_restore(dump: Path) -> None:
    _require_tool("pg_restore")
    connection.close()  # nothing of ours holds the database while pg_restore works
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            # All or nothing: a failed restore leaves the database as empty as it was.
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        env=_pg_environment(),
    )


def _sqlite_restore(dump: Path) -> None:
    """The online backup in the other direction: SQLite writes the pages under its own locks."""
    connection.close()
    target_path = _sqlite_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dump)
    target = sqlite3.connect(target_path, timeout=20)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restored_stats(vendor: str) -> dict[str, dict]:
    if vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            return _table_stats(cursor, vendor, connection.introspection.table_names(cursor))
    database = sqlite3.connect(_sqlite_path())
    try:
        cursor = database.cursor()
        return _table_stats(cursor, vendor, connection.introspection.table_names(cursor))
    finally:
        database.close()


def _compare(expected: dict[str, dict], actual: dict[str, dict]) -> list[str]:
    problems = [f"{name}: missing after the restore" for name in sorted(expected.keys() - actual.keys())]
    problems += [f"{name}: not in the archive" for name in sorted(actual.keys() - expected.keys())]
    for name in sorted(expected.keys() & actual.keys()):
        want, got = expected[name], actual[name]
        if want["rows"] != got["rows"]:
            problems.append(f"{name}: {got['rows']} rows, the archive says {want['rows']}")
        elif want["checksum"] != got["checksum"]:
            problems.append(f"{name}: checksum differs ({got['checksum']}, the archive says {want['checksum']})")
    return problems


def _hint_pending_migrations(log: Log) -> None:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        log(f"The archive is from an older version: run `manage.py migrate` ({len(pending)} migrations to apply).")


# --- Figures: row count and checksum per table --------------------------------------------------


def _table_stats(cursor, vendor: str, tables: list[str]) -> dict[str, dict]:
    """Row count and checksum of each table, independent of the rows' physical order: the MD5 of the
    sorted MD5s of the rows' text forms."""
    if vendor == "postgresql":
        # A row's text form depends on these session settings: pin them, so that figures taken on
        # another server or by another client compare.
        for statement in (
            "SET LOCAL TimeZone = 'UTC'",
            "SET LOCAL DateStyle = 'ISO, YMD'",
            "SET LOCAL IntervalStyle = 'postgres'",
            "SET LOCAL extra_float_digits = 1",
            "SET LOCAL bytea_output = 'hex'",
        ):
            cursor.execute(statement)
    stats = {}
    for table in sorted(tables):
        quoted = '"' + table.replace('"', '""') + '"'
        if vendor == "postgresql":
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)), '')) FROM {quoted} t"
            )
            rows, checksum = cursor.fetchone()
        else:
            # Raw sqlite3 rows (str, int, float, bytes, None): their repr is stable.
            cursor.execute(f"SELECT * FROM {quoted}")
            digests = sorted(hashlib.md5(repr(row).encode(), usedforsecurity=False).hexdigest() for row in cursor)
            rows, checksum = len(digests), hashlib.md5("".join(digests).encode(), usedforsecurity=False).hexdigest()
        stats[table] = {"rows": rows, "checksum": checksum}
    return stats


def _applied_migrations(cursor, tables: dict) -> dict[str, str]:
    """The latest applied migration per app (by the order they were applied)."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return dict(cursor.fetchall())


# --- Helpers ------------------------------------------------------------------------------------


def _vendor() -> str:
    if connection.vendor not in DUMP_FILE:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"The SQLite database {name!r} is not a file: nothing to back up or restore.")
    return Path(name)


def _sqlite_tables(path: Path) -> list[str]:
    if not path.exists():
        return []
    database = sqlite3.connect(path, timeout=20)
    try:
        return connection.introspection.table_names(database.cursor())
    finally:
        database.close()


def _pg_environment() -> dict[str, str]:
    """libpq's environment for the configured database (the password never appears on a command line)."""
    db = connection.settings_dict
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", db.get("HOST")),
        ("PGPORT", db.get("PORT")),
        ("PGUSER", db.get("USER")),
        ("PGPASSWORD", db.get("PASSWORD")),
        ("PGDATABASE", db.get("NAME")),
    ):
        if value:
            env[variable] = str(value)
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile", "service"):
        if db.get("OPTIONS", {}).get(option):
            env[f"PG{option.upper()}"] = str(db["OPTIONS"][option])
    return env


def _require_tool(name: str) -> None:
    if shutil.which(name) is None:
        raise BackupError(
            f"{name} was not found. Install PostgreSQL's client tools of the server's major version or newer "
            "(Debian: apt-get install postgresql-client)."
        )


def _run(command: list[str], *, env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (fixed argv)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed (exit {result.returncode}):\n{result.stderr.strip()}")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} kB"

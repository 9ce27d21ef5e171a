"""Restore an archive made by `backup` into an empty database, then check it (see tooling/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tooling import backup


class Command(BaseCommand):
    help = (
        "Restore an archive made by `manage.py backup` into the configured database, which must be empty "
        "(freshly created: no tables), and its files into MEDIA_ROOT; then compare every table's row count "
        "and checksum with the archive's manifest. Exits non-zero on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The .tar.gz written by `manage.py backup`.")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Replace files in MEDIA_ROOT that have the same name as the archive's but other content (without "
            "it the restore refuses). The database must be empty in any case.",
        )

    def handle(self, *args, archive: Path, yes: bool, **options):
        try:
            tables = backup.backup_restore(archive=archive, replace_media=yes, log=self.stdout.write)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        for name, figures in tables.items():
            self.stdout.write(f"  OK  {name:<45} {figures['rows']:>8} rows")
        rows = sum(figures["rows"] for figures in tables.values())
        self.stdout.write(
            self.style.SUCCESS(f"Restored and checked: {len(tables)} tables, {rows} rows match the archive's manifest.")
        )

"""Back up the database and the uploaded files into one archive (see tooling/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tooling import backup


class Command(BaseCommand):
    help = (
        "Write one archive (tar.gz) with the database dump (pg_dump / SQLite's online backup), everything "
        "under MEDIA_ROOT and a manifest of row counts and checksums. Default: DATA_DIR/backups/portal-<time>.tar.gz."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Where to write the archive (must not exist yet).")

    def handle(self, *args, output: Path | None, **options):
        try:
            path = backup.backup_create(output=output, log=self.stdout.write)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        size = path.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Backup written: {path} ({size} bytes)"))

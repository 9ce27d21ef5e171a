"""Re-encrypt residents' ID numbers with a new key.

1. Make a key: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
2. Put it first in ID_NUMBER_KEYS, keep the old key after it (ID_NUMBER_KEYS=new,old), restart the app.
3. python manage.py rotate_id_key   (batches; safe to stop and run again: done rows are skipped)
4. When it reports 0 left, remove the old key from ID_NUMBER_KEYS and restart.
The lookup hash key (ID_NUMBER_HASH_KEY) is not rotated by this command.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from residents import services


class Command(BaseCommand):
    help = "Re-encrypt stored ID numbers with the newest key in ID_NUMBER_KEYS (resumable, in batches)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size: int, **options):
        if len(settings.ID_NUMBER_KEYS) < 2:
            self.stdout.write("Only one key is configured: put the new key first in ID_NUMBER_KEYS, the old after it.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")

        def progress(rotated: int, current: int) -> None:
            self.stdout.write(f"  re-encrypted {rotated}, already current {current}", ending="\r")
            self.stdout.flush()

        rotated, current = services.id_numbers_rotate(batch_size=batch_size, progress=progress)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Done: {rotated} re-encrypted, {current} already under the newest key."))

from django.conf import settings
from django.core.management.base import BaseCommand

from tooling import demo


class Command(BaseCommand):
    help = "Load the demo town (two villages, as in the source documents of docs/sources.md). Deterministic and idempotent: a second run adds nothing."

    def handle(self, *args, **options):
        accounts = demo.seed()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Demo logins (password: {settings.DEMO_PASSWORD}):"))
        for account in accounts:
            self.stdout.write(f"  {account.username:<10} {account.role}  → {account.home}")

"""``python manage.py generate_scale --residents 1000000 [--months 12] [--seed N]``: a county-scale data
set for load and performance work, deterministic and idempotent per size; see ``tooling/scale/__init__.py``."""

from django.core.management.base import BaseCommand, CommandError

from tooling import scale


class Command(BaseCommand):
    help = (
        "Generate a county of N residents (households, key persons, a year of visits and cases) for load tests. "
        "Deterministic; a second run of the same size does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--residents", type=int, required=True, help="residents; every other count scales with it")
        parser.add_argument("--months", type=int, default=12, help="months of visits and cases, ending this month")
        parser.add_argument("--seed", type=int, default=None, help="random seed (default: the number of residents)")

    def handle(self, *args, residents: int, months: int, seed: int | None, **options):
        try:
            result = scale.generate(residents=residents, months=months, seed=seed, log=self.stdout.write)
        except scale.ScaleError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(result.summary())

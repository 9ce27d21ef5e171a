import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from visits import reminders
from visits.models import VISIT_KINDS, ReminderKind


class Command(BaseCommand):
    help = "Send one kind of visit reminder by hand (the same service beat runs); --dry-run only prints."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=VISIT_KINDS)
        parser.add_argument("--month", help="YYYY-MM (monthly / midmonth kinds); default: this month")
        parser.add_argument("--date", help="YYYY-MM-DD (overdue kind); default: today")
        parser.add_argument("--dry-run", action="store_true", help="print what would be sent; send nothing")

    def handle(self, *args, kind, month, date, dry_run, **options):
        if kind == ReminderKind.OVERDUE and month:
            raise CommandError("the overdue reminder is daily: give --date YYYY-MM-DD")
        try:
            if date:
                day = datetime.date.fromisoformat(date)
            elif month:
                day = datetime.date.fromisoformat(f"{month}-01")
            else:
                day = timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"not a date: {month or date}") from exc
        messages, sent = reminders.send(kind, day, dry_run=dry_run)
        period = reminders.period_of(kind, day)
        for m in messages:
            self.stdout.write(f"{m.recipient.username:<12} {m.text}")
        verb = "would send" if dry_run else f"sent {sent} new (others were already delivered) of"
        self.stdout.write(self.style.SUCCESS(f"{kind} {period}: {verb} {len(messages)} messages"))

"""Thin tasks: load, call a service, return (STYLE 6)."""

from celery import shared_task

from . import services


@shared_task
def heartbeat() -> int:
    """Beat's pulse: staff pages show when the scheduler last ran, so a stopped worker is noticed."""
    return services.heartbeat_record().pk

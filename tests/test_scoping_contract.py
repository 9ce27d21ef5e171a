"""Every model a user can reach has ``objects.visible_to(user)`` (STYLE 1): later models cannot forget it."""

from django.apps import apps

PROJECT_APPS = {"grids", "residents", "disputes", "visits", "reports"}
# Not reachable by users as records: the scheduler's run log is shown only as "last run at"; the scorecard's
# kept-value resets are moments with no village, read only into the kept values' signatures.
NOT_USER_FACING = {"core.JobRun", "reports.KeptReset"}


def test_every_project_model_has_visible_to():
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        and model._meta.label not in NOT_USER_FACING
        and not hasattr(model._default_manager, "visible_to")
    ]
    assert missing == []

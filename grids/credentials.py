"""When a person's sessions and API tokens end: one rule, whatever the path.

A password that changes (the admin's reset, the person's own change, any ``set_password`` in code), an
account that is switched off, and a last assignment that is over all end every session and every API
token of that person — saved through the model, so the admin, the pages, services and commands alike.
The person's own password change keeps the session that made it: Django's ``update_session_auth_hash``
moves it to a new key after the others are gone. API tokens also expire ``API_TOKEN_TTL_DAYS`` after
they were issued (README, "Security and personal data").

Each of these ends, except the person's own password change, also stamps ``User.credentials_ended_at``:
the field phone that last synced before it wipes what it keeps at its next contact (visits/offline.py,
README "What a phone holds"). An idle time-out is no end of the right and stamps nothing: the phone keeps
its queue, the worker logs in again and it is sent.
"""

from __future__ import annotations

import datetime
from importlib import import_module

from django.conf import settings
from django.db.models import Q
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from . import access
from .models import Assignment, User

_ENDED = "_credentials_end"  # set on the instance between pre_save and post_save
# Set on the instance by the person's own password change (grids.views.PasswordChange): their other
# sessions end, but their phone's data has no reason to go.
OWN_PASSWORD_CHANGE = "_own_password_change"  # noqa: S105 (an attribute name, no secret)


def revoke(user_id: int) -> None:
    """Delete the user's API tokens and their sessions in the session store."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user_id=user_id).delete()
    _delete_sessions(user_id)


def end(user_id: int) -> None:
    """The right itself ended: revoke, and stamp the time so that the person's phones wipe their data."""
    revoke(user_id)
    User.objects.filter(pk=user_id).update(credentials_ended_at=timezone.now())


def data_must_go(user: User | None, since: datetime.datetime) -> bool:
    """Whether a phone that last synced for ``user`` at ``since`` must wipe what it keeps: the account is
    gone or switched off, its credentials ended after that sync, or its assignments are all over (also on
    the same day, before the nightly job ends the sessions)."""
    if user is None or not user.is_active:
        return True
    ended = user.credentials_ended_at
    return (ended is not None and ended > since) or assignments_over(user)


def _delete_sessions(user_id: int) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        # A cache or signed-cookie store cannot be searched by user. There Django's own checks still end
        # the sessions: a changed password fails the session's hash, an inactive user is not loaded,
        # and someone whose assignments are over holds no place to see (access.scope_for).
        return
    # Sessions end after SESSION_IDLE_MINUTES without a request: the live ones are few, decoded here.
    live = store.get_model_class().objects.filter(expire_date__gt=timezone.now())
    wanted = str(user_id)
    decoder = store()
    for key, data in live.values_list("session_key", "session_data").iterator():
        if decoder.decode(data).get("_auth_user_id") == wanted:
            store().delete(key)  # through the store: a cached_db store forgets its cached copy too


# --- API tokens --------------------------------------------------------------------------------------------


def token_expires_at(token) -> datetime.datetime:
    return token.created + datetime.timedelta(days=settings.API_TOKEN_TTL_DAYS)


def token_expired(token) -> bool:
    return token_expires_at(token) <= timezone.now()


def assignments_over(user: User) -> bool:
    """Whether all the user's assignments have ended (from the day after the last one's last day). The
    system admin holds no place and an account not yet assigned has had none: neither is "over"."""
    if user.is_superuser:
        return False
    scope = access.scope_for(user)
    if (
        scope.town_ids
        or scope.village_ids
        or scope.works_in_field
        or scope.member_village_ids
        or scope.department_town_ids
    ):
        return False  # a place held today: the request's scope (one query, cached on the user) says so
    mine = Assignment.objects.filter(user=user)
    return mine.exists() and not mine.filter(Q(end__isnull=True) | Q(end__gte=timezone.localdate())).exists()


def revoke_after_assignments(*, days: int = 7) -> int:
    """End the credentials of everyone whose last assignment ended in the last ``days`` days (a nightly
    job: the day after the last day; a few days back so that a night the scheduler missed is caught up,
    and ending them twice does nothing more). Returns how many people."""
    today = timezone.localdate()
    still_open = Assignment.objects.filter(Q(end__isnull=True) | Q(end__gte=today)).values("user_id")
    ended = Assignment.objects.filter(end__lt=today, end__gte=today - datetime.timedelta(days=days))
    people = (
        User.objects.filter(is_superuser=False, pk__in=ended.values("user_id"))
        .exclude(pk__in=still_open)
        .values_list("pk", flat=True)
    )
    count = 0
    for user_id in people:
        end(user_id)
        count += 1
    return count


# --- The model hooks -----------------------------------------------------------------------------------------


def _user_before_save(sender, instance: User, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None:
        return
    watched = {"password", "is_active"}
    if update_fields is not None and not watched & set(update_fields):
        return
    before = User.objects.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    switched_off = before["is_active"] and not instance.is_active
    new_password = before["password"] != instance.password
    # Django re-hashes a password kept in an older format when it checks it, and says so by saving the
    # password alone with no raw password pending (AbstractBaseUser.check_password): the same secret,
    # so not a change. Every other new hash is one.
    rehash = instance._password is None and update_fields is not None and set(update_fields) == {"password"}
    own = getattr(instance, OWN_PASSWORD_CHANGE, False)
    if switched_off or (new_password and not rehash and not own):
        setattr(instance, _ENDED, "end")
    elif new_password and not rehash:
        setattr(instance, _ENDED, "revoke")
    else:
        setattr(instance, _ENDED, None)


def _user_after_save(sender, instance: User, raw=False, **kwargs):
    how = getattr(instance, _ENDED, None)
    setattr(instance, _ENDED, None)
    if how == "end":
        end(instance.pk)
    elif how == "revoke":
        revoke(instance.pk)


def _assignment_after_save(sender, instance: Assignment, raw=False, **kwargs):
    # An end recorded in the past (the admin's correction, a handover from today) ends the credentials now;
    # an end on a day still to come, once that day has passed: grids.auth refuses the tokens, the nightly
    # job (revoke_after_assignments) ends the sessions.
    if raw or instance.end is None or instance.end >= timezone.localdate():
        return
    fresh = User.objects.get(pk=instance.user_id)  # no scope cached on it from before this save
    if assignments_over(fresh):
        end(instance.user_id)


def connect() -> None:
    pre_save.connect(_user_before_save, sender=User, dispatch_uid="grids:credentials-user-pre")
    post_save.connect(_user_after_save, sender=User, dispatch_uid="grids:credentials-user-post")
    post_save.connect(_assignment_after_save, sender=Assignment, dispatch_uid="grids:credentials-assignment")

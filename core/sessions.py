"""Sessions kept in the database, their idle expiry moved on without a write on every request.

A session ends ``SESSION_COOKIE_AGE`` (``SESSION_IDLE_MINUTES``) after its last request (GB/T 22239-2019
level 3: sessions end after idle time). Writing the session row on every request to move that expiry on
costs an ``UPDATE`` in a transaction on every page; here the row (and the cookie) are written again only
once the expiry they hold lags the one a write now would set by more than ``REFRESH_AFTER``. So a session
ends between ``SESSION_IDLE_MINUTES`` minus one minute and ``SESSION_IDLE_MINUTES`` after its last request.

The store stays the database's (``grids.credentials`` finds and deletes a person's sessions there); it only
remembers the expiry of the row it read.
"""

from __future__ import annotations

import datetime
from functools import cache

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string

REFRESH_AFTER = datetime.timedelta(minutes=1)


@cache
def _read_sql(table: str) -> str:
    qn = connection.ops.quote_name
    return f"SELECT session_data, expire_date FROM {qn(table)} WHERE session_key = %s AND expire_date > %s"  # noqa: S608 (a model's table)


class SessionStore(db.SessionStore):
    read_expiry: datetime.datetime | None = None

    def _get_session_from_db(self):
        # The statement written out: it is read on every request, and the ORM built it in about 0.3 ms, more than
        # the database takes (docs/performance.md, "What every page pays").
        model = self.get_model_class()
        with connection.cursor() as cursor:
            cursor.execute(
                _read_sql(model._meta.db_table),
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            self.read_expiry = None
            return None
        data, expiry = row
        field = model._meta.get_field("expire_date")
        column = field.get_col(model._meta.db_table)
        for converter in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
            expiry = converter(expiry, column, connection)
        self.read_expiry = expiry
        return model(session_key=self.session_key, session_data=data, expire_date=expiry)

    def _get_new_session_key(self):
        # Django looks the new key up first (a query on every login); the insert that follows is made with
        # must_create, and create() tries another key when it collides, so the look-up adds nothing.
        return get_random_string(32, VALID_KEY_CHARS)

    def cycle_key(self):
        # Django's makes the new key at once (an INSERT of the data as it was) and the login then writes the
        # signed-in person into it (an UPDATE at the end of the request). Here the old row goes at once and the
        # new key is made when the session is saved at the end of the request: one INSERT of the data as it
        # is then, with the same retry on a taken key (create()). Until then ``session_key`` is None, as for a
        # session not yet saved (docs/performance.md, "Logins").
        data = self._session
        key = self.session_key
        self._session_key = None
        self._session_cache = data
        self.modified = True
        if key:
            self.delete(key)

    def expiry_lags(self) -> bool:
        """Whether the row read holds an idle expiry more than ``REFRESH_AFTER`` older than a write now sets."""
        if self.read_expiry is None or self.is_empty():
            return False
        return self.get_expiry_date() - self.read_expiry > REFRESH_AFTER


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, saving a session that was read and not changed once its idle expiry lags (see above)."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and session.accessed and not session.modified:
            lags = getattr(session, "expiry_lags", None)
            if lags is not None and lags():
                session.modified = True
        return super().process_response(request, response)

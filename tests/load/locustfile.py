"""Grid workers on their phones (the load test): log in, open the month's work list, record visits.

Run by ``tests/load/run.py``, which prepares the database and the accounts and checks the visits
afterwards. By hand::

    locust -f tests/load/locustfile.py --headless -u 5 -t 30s --host http://127.0.0.1:8000 \
        --accounts var/load/accounts.txt --password demo12345 --report var/load/report.json

Each simulated worker logs in as the next account of ``--accounts`` (one grid worker per grid, so no
two of them visit the same household). A visit is the phone's flow: tap a household on the work list,
open its visit page, press the big "visited, nothing found" button, which posts the form's
``token``; the redirect back to the work list is the acknowledgement (the visit was committed before
it was sent), and the page then says "已记录" (or "已经记录过了" when the token had been seen).
Phones do resend: a few posts go out twice at once, and a post that got no answer (timeout, 5xx) is
sent once more with the same token. The report written at the end holds the figures per request type
and the tokens acknowledged and not, for the check in the database.

Not collected by pytest: the file name does not match ``test_*.py``.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from pathlib import Path
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, between, events, task
from locust.exception import StopUser
from locust.stats import RequestStats

WORK_LIST = "/field/"
LOGIN = "/accounts/login/"
DOUBLE_SUBMIT_SHARE = 0.05  # posts sent twice at once (a resend while the first is still on its way)
RETRY_PAUSE = 2.0  # seconds before a phone resends a post that got no answer

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = re.compile(r'name="token" value="([0-9a-f-]{36})"')
# The visit page's path; the list's links also carry ``?next=`` (where to come back to), left off here so the
# post is answered with the redirect to the work list itself.
HOUSEHOLD_LINK = re.compile(r'href="(/field/visit/household/\d+/)[?"]')
RECORDED = "已记录："
ALREADY_RECORDED = "已经记录过了"
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}
rng = random.Random()  # noqa: S311 (which household a simulated worker taps, not security)


class Ledger:
    """What the simulated workers were told about their visits."""

    def __init__(self) -> None:
        self.posted: set[str] = set()  # noted before the first post: a post cut off at the end counts too
        self.acknowledged: set[str] = set()
        self.counts = {
            "double_submits": 0,  # visits posted twice at once
            "retries": 0,  # visits posted again after the first post got no answer
            "said_recorded": 0,  # the page after the post said "已记录"
            "said_already_recorded": 0,  # ... said "已经记录过了" (expected after a resend)
            "said_already_on_first_post": 0,  # ... said so for a token posted once only: a bug
            "said_nothing": 0,  # ... showed neither message: a message lost (a bug)
            "page_after_post_failed": 0,  # ... did not load (counted among the failures too)
            "revisits": 0,  # visits to a household visited earlier in the run (the list was done)
        }

    def as_dict(self) -> dict:
        return {
            "acknowledged": sorted(self.acknowledged),
            "unacknowledged": sorted(self.posted - self.acknowledged),
            "counts": self.counts,
        }


class AfterLogins:
    """The figures of the requests sent once every simulated worker has logged in: the steady load,
    without the burst of the first minute (every login checks an Argon2id hash, 14–15 ms of a core)."""

    def __init__(self) -> None:
        self.logged_in = 0
        self.since: float | None = None
        self.stats: RequestStats | None = None

    def login_done(self, users: int) -> None:
        self.logged_in += 1
        if self.logged_in == users:
            self.since = time.time()
            self.stats = RequestStats(use_response_times_cache=False)

    def as_dict(self, started: float) -> dict:
        if self.stats is None:
            return {"logged_in": self.logged_in, "after_logins": None}
        steady = {
            "from_second": round(self.since - started),
            "by_request": by_request(self.stats),
            "failures_seen": [error.to_dict() for error in self.stats.errors.values()],
        }
        return {"logged_in": self.logged_in, "after_logins": steady}


ledger = Ledger()
after_logins = AfterLogins()
accounts: list[str] = []
next_account = itertools.count()


@events.init_command_line_parser.add_listener
def _arguments(parser) -> None:
    parser.add_argument("--accounts", help="file with one grid worker's username per line", default="")
    parser.add_argument("--password", help="the accounts' password", default="")
    parser.add_argument("--report", help="where to write the figures and the client tokens (JSON)", default="")


@events.init.add_listener
def _load_accounts(environment, **_kwargs) -> None:
    accounts.extend(Path(environment.parsed_options.accounts).read_text().split())


@events.request.add_listener
def _count_after_logins(request_type, name, response_time, response_length, exception=None, **_kwargs) -> None:
    if after_logins.stats is not None:
        after_logins.stats.log_request(request_type, name, response_time, response_length)
        if exception is not None:
            after_logins.stats.log_error(request_type, name, exception)


@events.test_stop.add_listener
def _write_report(environment, **_kwargs) -> None:
    """Figures per request type and the ledger, once every simulated worker has stopped (locust's CSV
    files are written every second and miss the requests of the last moments)."""
    stats = environment.stats
    report = {
        "by_request": by_request(stats),
        "failures_seen": [error.to_dict() for error in stats.errors.values()],
        "locustfile_exceptions": [
            {"message": error["msg"], "count": error["count"]} for error in environment.runner.exceptions.values()
        ],
        **after_logins.as_dict(started=stats.total.start_time),
        **ledger.as_dict(),
    }
    Path(environment.parsed_options.report).write_text(json.dumps(report, ensure_ascii=False, indent=1))


def by_request(stats: RequestStats) -> dict:
    return {entry.name: figures(entry) for entry in stats.entries.values()} | {"all": figures(stats.total)}


def figures(entry) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "per_second": round(entry.total_rps, 1),
        "p50_ms": entry.get_response_time_percentile(0.5),
        "p95_ms": entry.get_response_time_percentile(0.95),
        "max_ms": round(entry.max_response_time),
    }


WAIT = [float(x) for x in os.environ.get("LOAD_WAIT", "1,3").split(",")]  # run.py --wait


class GridWorker(FastHttpUser):
    wait_time = between(WAIT[0], WAIT[1])
    # Redirects are followed by hand: a post's redirect is its acknowledgement.
    max_redirects = 0
    default_headers = {"Accept-Language": "zh-CN,zh;q=0.9", "User-Agent": "grid-worker-load-test"}

    def on_start(self) -> None:
        n = next(next_account)
        if n >= len(accounts):
            raise StopUser(f"only {len(accounts)} accounts for more simulated workers")
        self.username = accounts[n]
        self.households: list[str] = []  # visit links on the work list last seen
        self.visited: set[str] = set()
        while not self.login():  # a worker whose login got no answer tries again, as on the phone
            self.wait()
        after_logins.login_done(self.environment.parsed_options.num_users)
        self.open_work_list()

    def login(self) -> bool:
        with self.client.get(f"{LOGIN}?next={WORK_LIST}", name="login form", catch_response=True) as page:
            csrf = CSRF.search(page.text or "")
            if csrf is None:
                page.failure(problem("login form", page))
                return False
        fields = {
            "csrfmiddlewaretoken": csrf.group(1),
            "username": self.username,
            "password": self.environment.parsed_options.password,
            "next": WORK_LIST,
        }
        with self.client.post(
            LOGIN, data=urlencode(fields), headers=FORM_HEADERS, name="login", catch_response=True
        ) as answer:
            if answer.status_code != 302 or answer.headers.get("location") != WORK_LIST:
                answer.failure(problem("login", answer))
                return False
        return True

    @task(3)
    def open_work_list(self) -> str:
        """The month's list; its household links are what the worker taps next. Returns the page."""
        with self.client.get(WORK_LIST, name="work list", catch_response=True) as page:
            if page.status_code != 200:
                page.failure(problem("work list", page))
                return ""
            self.households = HOUSEHOLD_LINK.findall(page.text)
            return page.text

    @task(1)
    def record_visit(self) -> None:
        target = self.pick_household()
        if target is None:
            return
        with self.client.get(target, name="visit form", catch_response=True) as page:
            csrf, token = CSRF.search(page.text or ""), TOKEN.search(page.text or "")
            if page.status_code != 200 or csrf is None or token is None:
                page.failure(problem("visit form", page))
                return
        # What the big button sends; the view fills in "visited today, nothing found" itself.
        fields = urlencode(
            {
                "csrfmiddlewaretoken": csrf.group(1),
                "token": token.group(1),
                "latitude": "",
                "longitude": "",
                "quick": "1",
            }
        )
        ledger.posted.add(token.group(1))
        double = rng.random() < DOUBLE_SUBMIT_SHARE
        if double:
            ledger.counts["double_submits"] += 1
            posts = [gevent.spawn(self.post_visit, target, fields, "visit post (double)") for _ in range(2)]
            gevent.joinall(posts)
            answered = any(post.value for post in posts)
        else:
            answered = self.post_visit(target, fields, "visit post")
        retried = False
        if not answered:
            retried = True
            ledger.counts["retries"] += 1
            gevent.sleep(RETRY_PAUSE)
            answered = self.post_visit(target, fields, "visit post (retry)")
        if not answered:
            return
        ledger.acknowledged.add(token.group(1))
        self.visited.add(target)
        page = self.open_work_list()
        if not page:
            ledger.counts["page_after_post_failed"] += 1
        elif RECORDED in page:
            ledger.counts["said_recorded"] += 1
        elif ALREADY_RECORDED in page:
            ledger.counts["said_already_recorded"] += 1
            if not (double or retried):
                ledger.counts["said_already_on_first_post"] += 1
        else:
            ledger.counts["said_nothing"] += 1

    def pick_household(self) -> str | None:
        """A household on the list not visited yet; when the list is done, one visited before (a second
        visit in the month is allowed) so that the load stays the same to the end."""
        fresh = [link for link in self.households if link not in self.visited]
        if fresh:
            return rng.choice(fresh)
        if self.visited:
            ledger.counts["revisits"] += 1
            return rng.choice(sorted(self.visited))
        return None

    def post_visit(self, target: str, fields: str, name: str) -> bool:
        """One post of the visit form; whether it was answered with the redirect to the work list."""
        with self.client.post(target, data=fields, headers=FORM_HEADERS, name=name, catch_response=True) as answer:
            if answer.status_code == 302 and answer.headers.get("location") == WORK_LIST:
                return True
            answer.failure(problem("visit post", answer))
            return False


def problem(what: str, response) -> str:
    """A failure's text, the same for every household, so that locust counts alike failures together."""
    if response.status_code:
        return f"{what} answered {response.status_code}"
    cause = getattr(response.error, "original", None) or response.error  # without the URL
    return f"{what}: no answer ({type(cause).__name__}: {cause})"

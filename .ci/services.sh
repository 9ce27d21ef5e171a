#!/usr/bin/env bash
# What `make test` needs on a Debian machine, installed (as root) and started when absent:
#   PostgreSQL (a database the tests may create `test_*` databases beside), Redis, Debian's Chromium
#   and CJK fonts (without them Chinese pages render as empty boxes in screenshots).
# Prints DATABASE_URL=..., REDIS_URL=..., CHROMIUM_PATH=... for the caller to export. Quick when all is there.
set -euo pipefail

say() { echo "[services] $*" >&2; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

updated=no
need() {  # need PACKAGE...: apt-get install, updating the lists once
  if [ "$updated" = no ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true; updated=yes; fi
  say "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# PostgreSQL: use a server on 5432 that lets `postgres` in without a password; otherwise run our own
# trust-auth cluster for the tests on 5433 (data under /tmp, thrown away with the machine).
pg_ok() { psql -h 127.0.0.1 -p "$1" -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; }
command -v psql >/dev/null 2>&1 || need postgresql postgresql-client
if ! listening 5432 && ls /etc/postgresql/*/main >/dev/null 2>&1; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start >/dev/null 2>&1 || true
  for _ in $(seq 20); do listening 5432 && break; sleep 0.5; done
fi
if pg_ok 5432; then
  port=5432
else
  port=5433
  if ! pg_ok $port; then
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    data=/tmp/portal-test-pg
    say "starting a trust-auth PostgreSQL for the tests on $port"
    rm -rf "$data" && mkdir -p "$data" && chown postgres:postgres "$data"
    su postgres -c "$bin/initdb -D $data -A trust -U postgres" >/dev/null
    su postgres -c "$bin/pg_ctl -D $data -l $data/log -w -o '-p $port -k /tmp -c listen_addresses=127.0.0.1' start" >/dev/null
  fi
fi
psql -h 127.0.0.1 -p $port -U postgres -d postgres -Atc "select 1 from pg_database where datname = 'portal'" | grep -q 1 \
  || psql -h 127.0.0.1 -p $port -U postgres -d postgres -qc "create database portal" >/dev/null
echo "DATABASE_URL=postgres://postgres@127.0.0.1:$port/portal"

# Redis on 6379, nothing kept on disk.
if ! listening 6379; then
  command -v redis-server >/dev/null 2>&1 || need redis-server
  say "starting Redis on 6379"
  mkdir -p /tmp/portal-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/portal-redis --logfile /tmp/portal-redis/log
  for _ in $(seq 20); do listening 6379 && break; sleep 0.5; done
fi
echo "REDIS_URL=redis://127.0.0.1:6379/0"

# Debian's Chromium for the browser tests (never a browser downloaded by a test tool) and CJK fonts.
[ -x /usr/bin/chromium ] || need chromium
fc-list 2>/dev/null | grep -qi -e "noto sans cjk" -e "wenquanyi" || need fonts-noto-cjk
echo "CHROMIUM_PATH=/usr/bin/chromium"

# gettext's msgfmt: the tests check that the compiled English catalog matches its source.
command -v msgfmt >/dev/null 2>&1 || need gettext

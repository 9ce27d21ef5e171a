import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

application = get_wsgi_application()

from core.storage import make_data_folders  # noqa: E402 (after the settings are configured)

make_data_folders()

from core.warm import settle_collector, warm  # noqa: E402

# Templates compiled, URL patterns and translations loaded before the first request, not during the morning's
# logins (docs/performance.md, "A process's first requests").
warm()

# Everything loaded so far (Django, the apps, the URL and template caches to come are not) lives as long as the
# process: kept out of the garbage collector's full passes, which otherwise walk it again and again, the slow
# requests of a page that makes many objects got quicker; and the collector runs less often (docs/performance.md,
# "What every page pays").
settle_collector()

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")

application = get_wsgi_application()

from core.storage import make_data_folders  # noqa: E402 (after the settings are configured)

make_data_folders()

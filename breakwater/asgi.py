import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "breakwater.settings")
application = get_asgi_application()

# POST /api/v1/ingest analyses in the web process: load the models before the first request.
from breakwater.ingest.enrich import warm_up_in_background  # noqa: E402

warm_up_in_background()

from django.urls import include, path

from breakwater.api import api
from breakwater.core import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", api.urls),
    path("", include("breakwater.web.urls")),
]

"""Open311 GeoReport v2 at /open311/v2/: each resource as `.json`, `.xml` or bare (JSON)."""

from django.urls import re_path

from jiesu.intake import open311

app_name = "open311"

FORMAT = r"(?:\.(?P<fmt>[A-Za-z]+))?$"

urlpatterns = [
    re_path(r"^$", open311.discovery),  # the root serves discovery, as Service Discovery suggests
    re_path(r"^discovery" + FORMAT, open311.discovery, name="discovery"),
    re_path(r"^services" + FORMAT, open311.services, name="services"),
    re_path(r"^services/(?P<code>[^/.]+)" + FORMAT, open311.service_definition, name="service"),
    re_path(r"^requests" + FORMAT, open311.service_requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/.]+)" + FORMAT, open311.service_request, name="request"),
    re_path(r"^(?P<path>.*?)(?:\.(?P<fmt>json|xml))?$", open311.not_found, name="not_found"),
]

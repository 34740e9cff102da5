"""API authentication: `Authorization: Bearer <token>` for other systems, sessions for the browser."""

from django.conf import settings
from django.utils import timezone
from ninja.security import HttpBearer, django_auth
from ninja.throttling import UserRateThrottle

from jiesu.core.models import ApiToken, hash_token


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        row = ApiToken.objects.select_related("user").filter(key_hash=hash_token(token)).first()
        if row is None or not row.user.is_active:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


API_AUTH = [BearerToken(), django_auth]


class ClientRateThrottle(UserRateThrottle):
    """Requests per user (per client system's token), at the rate in settings."""

    def __init__(self):
        super().__init__(settings.JIESU_API_RATE)

    def allow_request(self, request) -> bool:
        self.num_requests, self.duration = self.parse_rate(settings.JIESU_API_RATE)
        return super().allow_request(request)

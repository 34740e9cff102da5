"""API authentication: `Authorization: Bearer <token>` for other systems, sessions for the browser."""

from django.conf import settings
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, django_auth
from ninja.throttling import UserRateThrottle

from jiesu.core.models import ApiToken, TokenRefused


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        try:
            user = ApiToken.user_for(token)
        except TokenRefused as refused:
            raise AuthenticationError(message=str(refused)) from refused
        if user is None:
            return None
        request.user = user
        return user


API_AUTH = [BearerToken(), django_auth]


class ClientRateThrottle(UserRateThrottle):
    """Requests per user (per client system's token), at the rate in settings."""

    def __init__(self):
        super().__init__(settings.JIESU_API_RATE)

    def allow_request(self, request) -> bool:
        self.num_requests, self.duration = self.parse_rate(settings.JIESU_API_RATE)
        return super().allow_request(request)

"""API authentication: `Authorization: Bearer <token>` for other systems, sessions for the browser."""

from django.utils import timezone
from ninja.security import HttpBearer, django_auth

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

"""`request.reach`: the user's Reach for this request (org.access), built on first use so
that an API token's user (set by the API's authentication) is the one reached."""

from django.utils.functional import SimpleLazyObject

from jiesu.org.access import Reach


class ReachMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.reach = SimpleLazyObject(lambda: Reach(request.user))
        return self.get_response(request)

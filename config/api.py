"""The REST API under /api/v1/ (django-ninja): one router per app."""

from ninja import NinjaAPI

api = NinjaAPI(title="Fengling API", version="1", urls_namespace="api")

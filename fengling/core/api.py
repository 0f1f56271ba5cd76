"""Shared pieces of the REST API: the error shape, exception handlers, auth and pagination.

(The bearer-token auth lives in `accounts.api`: core does not depend on accounts.)

Every error the API returns is `{"code": ..., "message": ...}` with a stable `code` (clients
branch on it) and a `message` in the request's language; validation errors add `fields`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import re_path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from ninja.security import SessionAuth
from ninja.utils import check_csrf


class Code:
    """The stable error codes. Never rename one: clients compare against them."""

    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    VALIDATION_ERROR = "validation_error"
    INVALID_CREDENTIALS = "invalid_credentials"
    UNAUTHENTICATED = "unauthenticated"
    LOCKED_OUT = "locked_out"
    CSRF_FAILED = "csrf_failed"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    BAD_REQUEST = "bad_request"
    THROTTLED = "throttled"


class ErrorOut(Schema):
    code: str
    message: str


class ValidationErrorOut(ErrorOut):
    fields: dict[str, list[str]]


def error_responses(*statuses: int) -> dict[int, type[Schema]]:
    """The error part of an operation's `response=`, so OpenAPI documents every answer."""
    return {s: ValidationErrorOut if s == 422 else ErrorOut for s in statuses}


class ApiError(Exception):
    """An error answer with its own code, e.g. `invalid_credentials`."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class Pagination(PageNumberPagination):
    """Every list: `?page=` (from 1) and `?page_size=` (at most 100); `items` and `count`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("page_size", 50)
        kwargs.setdefault("max_page_size", 100)
        super().__init__(**kwargs)


class PagedRows:
    """A QuerySet for `@paginate(Pagination)` whose rows are shaped a page at a time: the
    paginator counts (one COUNT) and slices (LIMIT/OFFSET in SQL), then `shape_page` turns
    the page's rows into the schema's dicts. (Returning `[shape(r) for r in qs]` instead
    would read and shape every row of the scope for one page.)

    `shape_page` takes the sliced QuerySet and returns a list; `PagedRows.each(qs, fn)` is
    the common case of shaping row by row."""

    def __init__(self, qs, shape_page: Callable[[Any], list]):
        self.qs, self.shape_page = qs, shape_page

    @classmethod
    def each(cls, qs, fn: Callable[[Any], Any]) -> PagedRows:
        return cls(qs, lambda page: [fn(row) for row in page])

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return self.shape_page(self.qs[item])


# --- Authentication -------------------------------------------------------------------------


class SessionWithCsrf(SessionAuth):
    """The browser's Django session. Unsafe methods need the CSRF token, as on the web."""

    def __call__(self, request: HttpRequest):
        if not request.user.is_authenticated:
            # No session: answer "unauthenticated", not a CSRF complaint.
            return None
        return super().__call__(request)

    def _get_key(self, request: HttpRequest):
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise ApiError(
                403, Code.CSRF_FAILED,
                _("The CSRF token is missing or wrong. Reload the page and try again."),
            )
        return request.COOKIES.get(self.param_name)


# --- Errors ---------------------------------------------------------------------------------


def _error(api: NinjaAPI, request, status: int, code: str, message: str, **extra) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": str(message), **extra}, status=status
    )


def _validation_message() -> str:
    return _("Some fields are not valid.")


def _schema_error_message(error: dict) -> str:
    """A translated message for one of pydantic's error types (its own text is English)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_long":
        return _("Ensure this value has at most %(max_length)s characters.") % {
            "max_length": ctx.get("max_length")
        }
    if kind == "string_too_short":
        return _("This field cannot be blank.")
    if kind.startswith(("int_", "bool_")):
        return _("Enter a whole number.") if kind.startswith("int_") else _("Enter yes or no.")
    if kind.startswith(("date_", "datetime_")):
        return _("Enter a valid date.")
    if kind in {"enum", "literal_error"}:
        return _("Select a valid choice.")
    if kind == "extra_forbidden":
        return _("This field is not accepted here.")
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    if kind in {"model_attributes_type", "dict_type", "model_type"}:
        return _("Send a JSON object.")
    return _("Enter a valid value.")


def _field_name(loc: tuple | list) -> str:
    """`("body", "payload", "id_number")` → `id_number`; `("query", "page")` → `page`."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[2:]  # the source and the name of the body parameter
    elif parts:
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "__all__"


def install_error_handlers(api: NinjaAPI) -> None:
    """Make every failure answer `{"code", "message"}`."""

    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
        return _error(api, request, exc.status, exc.code, exc.message)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return _error(api, request, 404, Code.NOT_FOUND, _("Not found."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        # A refusal that says why (e.g. revealing personal data) keeps its own message.
        return _error(
            api, request, 403, Code.FORBIDDEN,
            str(exc) or _("You may read this but not change it."),
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = _error(
            api, request, 401, Code.UNAUTHENTICATED,
            _("Sign in, or send a valid API token as “Authorization: Bearer <token>”."),
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        codes = {
            400: (Code.BAD_REQUEST, _("The request is not valid.")),
            403: (Code.FORBIDDEN, _("You may read this but not change it.")),
            404: (Code.NOT_FOUND, _("Not found.")),
            429: (Code.THROTTLED, _("Too many requests. Please wait and try again.")),
        }
        code, message = codes.get(exc.status_code, (Code.BAD_REQUEST, str(exc)))
        return _error(api, request, exc.status_code, code, message)

    @api.exception_handler(NinjaValidationError)
    def schema_error(request, exc: NinjaValidationError):
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(_field_name(error.get("loc", ())), []).append(
                _schema_error_message(error)
            )
        return _error(
            api, request, 422, Code.VALIDATION_ERROR, _validation_message(), fields=fields
        )

    @api.exception_handler(DjangoValidationError)
    def service_error(request, exc: DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {f: [str(m) for m in msgs] for f, msgs in exc.message_dict.items()}
        else:
            fields = {"__all__": [str(m) for m in exc.messages]}
        return _error(
            api, request, 422, Code.VALIDATION_ERROR, _validation_message(), fields=fields
        )


def locked_out_error() -> ApiError:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return ApiError(
        settings.AXES_HTTP_RESPONSE_CODE, Code.LOCKED_OUT,
        _(
            "Too many failed sign-in attempts. The account is locked for %(minutes)s minutes."
        ) % {"minutes": minutes},
    )


# --- The API object -------------------------------------------------------------------------


def _json_not_allowed(api: NinjaAPI, view):
    """ninja answers a wrong method with plain text; answer with our error shape instead."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = _error(
                api, request, 405, Code.METHOD_NOT_ALLOWED,
                _("This method is not allowed here. Allowed: %(methods)s.")
                % {"methods": allowed},
            )
            response["Allow"] = allowed
        return response

    return wrapper


class FenglingAPI(NinjaAPI):
    """NinjaAPI with our error shape everywhere, JSON 405 answers included."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        install_error_handlers(self)

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            if not hasattr(pattern, "callback"):
                continue
            if pattern.name == "api-root":
                pattern.callback = self._unknown_path  # ninja's root page is an HTML 404
            else:
                pattern.callback = _json_not_allowed(self, pattern.callback)
        # Last: any other path under the API answers a JSON 404, not Django's HTML page.
        patterns.append(re_path(r"", self._unknown_path, name="unknown-path"))
        return patterns, app_name, namespace

    @method_decorator(csrf_exempt)
    def _unknown_path(self, request, *args, **kwargs):
        return _error(self, request, 404, Code.NOT_FOUND, _("Not found."))

"""API: sign in for a bearer token, and the bearer authentication every other call uses."""

import datetime as dt

from django.contrib.auth import authenticate, user_logged_in
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.security import HttpBearer

from fengling.core.api import ApiError, Code, error_responses, locked_out_error

from .services import api_token_issue, api_token_user

router = Router(tags=["auth"])


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a token from `POST /auth/token`."""

    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_user(token)
        if user is not None:
            # So that middleware (no-store caching of personal data) sees who is asking.
            request.user = user
        return user


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)


class TokenOut(Schema):
    token: str
    expires_at: dt.datetime


@router.post(
    "/token", auth=None, response={200: TokenOut, **error_responses(400, 401, 422, 429)},
    summary="Issue an API token",
)
def token_issue(request, payload: TokenIn):
    """Exchange a username and password for a bearer token. Failures count towards the
    login lockout shared with the web sign-in (5 failures lock the account for a while)."""
    user = authenticate(request=request, username=payload.username, password=payload.password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            # We answer in our own JSON; left set, AxesMiddleware would swap in its HTML page.
            request.axes_locked_out = False
            raise locked_out_error()
        raise ApiError(
            401, Code.INVALID_CREDENTIALS, _("The username or password is not correct.")
        )
    # A token is a sign-in: the access log records it and earlier failures are forgotten.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    raw, token = api_token_issue(user)
    return {"token": raw, "expires_at": token.expires_at}

"""POST /api/v1/auth/token and bearer authentication."""

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fengling.accounts.models import ApiToken
from fengling.accounts.services import api_token_issue
from fengling.testing.cast import PASSWORD

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


def sign_in(client, username, password=PASSWORD):
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, content_type="application/json"
    )


def test_valid_credentials_get_a_token_that_is_stored_only_as_a_digest(client, cast, settings):
    response = sign_in(client, "community_secretary")
    assert response.status_code == 200
    body = response.json()
    token = ApiToken.objects.get(user=cast.community_secretary)
    assert token.digest == hashlib.sha256(body["token"].encode()).hexdigest()
    assert body["token"] not in token.digest
    expected = timezone.now() + settings.API_TOKEN_TTL
    assert abs(token.expires_at - expected) < dt.timedelta(minutes=1)
    issued_expiry = dt.datetime.fromisoformat(body["expires_at"])
    assert abs(issued_expiry - token.expires_at) < dt.timedelta(milliseconds=1)


def test_the_issued_token_authenticates(client, cast):
    token = sign_in(client, "community_secretary").json()["token"]
    client.logout()  # the token alone
    response = client.get("/api/v1/members", headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_wrong_password_is_401_invalid_credentials(client, cast):
    response = sign_in(client, "community_secretary", "not-the-password")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


def test_unknown_user_is_401_invalid_credentials(client, cast):
    response = sign_in(client, "nobody")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_missing_password_is_422(client, cast):
    response = client.post(TOKEN_URL, {"username": "member"}, content_type="application/json")
    assert response.status_code == 422
    assert "password" in response.json()["fields"]


def test_five_failures_lock_the_account_even_for_the_right_password(client, cast):
    for _ in range(4):
        assert sign_in(client, "community_secretary", "wrong").status_code == 401
    fifth = sign_in(client, "community_secretary", "wrong")
    assert fifth.status_code == 429
    assert fifth.json()["code"] == "locked_out"
    response = sign_in(client, "community_secretary")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "locked_out"
    assert not ApiToken.objects.exists()


def test_a_successful_sign_in_forgets_earlier_failures(client, cast):
    for _ in range(3):
        sign_in(client, "member", "wrong")
    assert sign_in(client, "member").status_code == 200
    for _ in range(3):
        assert sign_in(client, "member", "wrong").status_code == 401


def test_wrong_method_on_token_is_405(client, cast):
    response = client.get(TOKEN_URL)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_expired_token_is_401(client, cast):
    raw, token = api_token_issue(cast.district_admin)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    response = client.get("/api/v1/members", headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "header", ["Bearer nonsense", "Bearer ", "Token abc", "Bearer " + "x" * 500]
)
def test_unknown_or_malformed_token_is_401(client, cast, header):
    response = client.get("/api/v1/organizations", headers={"authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_token_of_a_deactivated_user_is_401(client, cast):
    raw, _token = api_token_issue(cast.district_admin)
    cast.district_admin.is_active = False
    cast.district_admin.save()
    response = client.get("/api/v1/members", headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 401


def test_last_use_is_written_at_most_once_a_minute(client, cast):
    raw, token = api_token_issue(cast.district_admin)
    headers = {"authorization": f"Bearer {raw}"}
    client.get("/api/v1/organizations", headers=headers)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    with CaptureQueriesContext(connection) as ctx:
        client.get("/api/v1/organizations", headers=headers)
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - dt.timedelta(minutes=2))
    client.get("/api/v1/organizations", headers=headers)
    token.refresh_from_db()
    assert token.last_used_at > first_use - dt.timedelta(minutes=2)


def test_bearer_answers_are_not_cached(client, cast):
    raw, _token = api_token_issue(cast.community_secretary)
    response = client.get("/api/v1/members", headers={"authorization": f"Bearer {raw}"})
    assert response["Cache-Control"] == "no-store"

"""The API as a whole: error shape, wrong methods, session auth and CSRF, OpenAPI, docs."""

import datetime as dt
import re

import pytest
from django.test import Client

from fengling.accounts.services import api_token_issue
from fengling.members.models import Member
from fengling.testing.factories import make_id_number

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


def test_unauthenticated_call_is_401_with_error_shape(client, cast):
    response = client.get("/api/v1/members")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert response["WWW-Authenticate"] == "Bearer"


def test_wrong_method_is_405_with_error_shape(client, cast):
    response = client.delete("/api/v1/organizations", headers=bearer(cast.district_admin))
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_messages_follow_accept_language(client, cast):
    response = client.get("/api/v1/members", headers={"accept-language": "en"})
    assert response.json()["message"].startswith("Sign in")


def test_session_user_reads_without_a_token(client, cast):
    client.force_login(cast.community_secretary)
    response = client.get("/api/v1/members")
    assert response.status_code == 200
    assert response.json()["count"] == 3


def _new_member(cast) -> dict:
    return {
        "organization": cast.branch_a.pk, "id_number": make_id_number(dt.date(1990, 1, 1), "M"),
        "name": "孙七", "gender": "M", "birth_date": "1990-01-01", "education": "bachelor",
        "occupation": "in_service", "join_date": "2015-07-01", "conversion_date": "2016-07-01",
    }


def test_session_post_without_csrf_token_is_refused(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.community_secretary)
    response = client.post("/api/v1/members", _new_member(cast), content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not Member.objects.filter(name="孙七").exists()


def test_session_post_with_csrf_token_is_accepted(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.community_secretary)
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = client.post(
        "/api/v1/members", _new_member(cast), content_type="application/json",
        headers={"x-csrftoken": secret},
    )
    assert response.status_code == 201, response.content


def test_bearer_post_needs_no_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/members", _new_member(cast), content_type="application/json",
        headers=bearer(cast.community_secretary),
    )
    assert response.status_code == 201, response.content


def test_bad_token_on_a_write_is_401_not_a_csrf_complaint(cast):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/members", _new_member(cast), content_type="application/json",
        headers={"authorization": "Bearer nonsense"},
    )
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_malformed_json_is_400_bad_request(client, cast):
    response = client.post(
        "/api/v1/members", "{not json", content_type="application/json",
        headers=bearer(cast.community_secretary),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert not Member.objects.filter(name="孙七").exists()


def test_openapi_lists_every_path_with_error_responses(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    # At least these (other modules add their own and their own tests check them).
    assert set(paths) >= {
        "/api/v1/auth/token",
        "/api/v1/organizations",
        "/api/v1/organizations/{organization_id}",
        "/api/v1/organizations/{organization_id}/history",
        "/api/v1/members",
        "/api/v1/members/{member_id}",
        "/api/v1/development/candidates",
        "/api/v1/development/candidates/{candidate_id}",
        "/api/v1/development/candidates/{candidate_id}/milestones",
        "/api/v1/development/candidates/{candidate_id}/admit",
        "/api/v1/development/candidates/{candidate_id}/convert",
        "/api/v1/development/candidates/{candidate_id}/extension",
        "/api/v1/development/candidates/{candidate_id}/withdraw",
        "/api/v1/development/deadlines",
        "/api/v1/members/{member_id}/reveal",
        "/api/v1/members/{member_id}/history",
        "/api/v1/members/import",
        "/api/v1/members/import/{job_id}/confirm",
        "/api/v1/jobs",
        "/api/v1/jobs/{job_id}",
    }
    assert set(paths["/api/v1/members/{member_id}/reveal"]["post"]["responses"]) == {
        "200", "401", "403", "404", "422"
    }
    assert set(paths["/api/v1/members"]) == {"get", "post"}
    assert set(paths["/api/v1/members/{member_id}"]) == {"get", "patch"}
    assert set(paths["/api/v1/members/{member_id}"]["patch"]["responses"]) == {
        "200", "400", "401", "403", "404", "422"
    }
    token_responses = paths["/api/v1/auth/token"]["post"]["responses"]
    assert set(token_responses) == {"200", "400", "401", "422", "429"}
    assert "ValidationErrorOut" in schema["components"]["schemas"]
    # Member output never has a field for the clear ID number.
    member_fields = schema["components"]["schemas"]["MemberDetailOut"]["properties"]
    assert "id_number" not in member_fields
    assert "id_number_masked" in member_fields


def test_docs_page_loads_nothing_from_another_host(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert '"validatorUrl": null' in html


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/nope", "/api/v1/members/"])
def test_unknown_api_paths_are_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"

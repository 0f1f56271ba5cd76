"""GET /api/v1/cockpit: the page's figures; scope (outside 404, members 403, anonymous 401),
wrong method, and a complete OpenAPI entry."""

import pytest
from django.urls import reverse

from fengling.accounts.services import api_token_issue
from fengling.alerts.models import Alert

pytestmark = pytest.mark.django_db
URL = "/api/v1/cockpit"


def bearer(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


@pytest.mark.parametrize(("who", "org", "status"), [
    ("district_admin", "district", 200),
    ("street_admin", "street1", 200),
    ("street_admin", "community_a", 200),
    ("street_admin", "street2", 404),
    ("street_admin", "district", 404),
    ("outsider_secretary", "community_a", 404),
    ("auditor", "street1", 200),
    ("member", "branch_a", 403),
])
def test_cockpit_api_scope(client, cast, who, org, status):
    response = client.get(URL, {"organization": getattr(cast, org).pk},
                          headers=bearer(getattr(cast, who)))
    assert response.status_code == status
    if status == 404:
        assert response.json()["code"] == "not_found"


def test_cockpit_api_returns_the_page_figures(client, cast):
    Alert.objects.create(rule="lost_contact", level="red", organization=cast.branch_a,
                         member=cast.member_a, subject="m", first_seen="2026-01-01",
                         last_seen="2026-01-01", params={}, evidence=[])
    data = client.get(URL, headers=bearer(cast.street_admin)).json()
    assert data["organization"]["id"] == cast.street1.pk  # the top of the scope by default
    red = next(row for row in data["warnings"]["by_level"] if row["level"] == "red")
    assert red["count"] == 1
    assert red["url"] == f"/alerts/?level=red&organization={cast.street1.pk}"
    client.force_login(cast.street_admin)
    page = client.get(reverse("reports:cockpit")).context["figures"]
    assert {k: v for k, v in data.items() if k != "compute_ms"} == {
        k: v for k, v in page.items() if k != "compute_ms"}


def test_cockpit_api_needs_authentication_and_get(client, cast):
    assert client.get(URL).status_code == 401
    assert client.post(URL, headers=bearer(cast.district_admin)).status_code == 405


def test_cockpit_api_bad_organization_is_422(client, cast):
    response = client.get(URL, {"organization": "x"}, headers=bearer(cast.district_admin))
    assert response.status_code == 422


def test_openapi_documents_the_cockpit(client):
    schema = client.get("/api/v1/openapi.json").json()
    op = schema["paths"][URL]["get"]
    assert op["summary"] and {"200", "401", "403", "404"} <= set(op["responses"])
    out = schema["components"]["schemas"]["CockpitOut"]
    assert {"members", "warnings", "grid", "trends", "meetings", "dues", "study",
            "cases"} <= set(out["properties"])

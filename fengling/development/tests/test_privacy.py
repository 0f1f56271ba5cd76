"""A development candidate's full ID and phone numbers, as a member's (docs/privacy.md):
masked on the page and in the API for everyone; revealed only on request, by the roles that
may reveal, each reveal audited; 404 from outside the scope, 403 for refused roles."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from fengling.accounts.services import api_token_issue
from fengling.core.models import AuditEntry
from fengling.core.roles import Role
from fengling.testing.factories import make_user

from .factories import make_candidate

pytestmark = pytest.mark.django_db

D = dt.date
UA = "Mozilla/5.0 (test browser)"
PHONE = "13900001234"  # the factory's
MASKED_PHONE = "139****1234"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 8, 1, 4, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def candidate(cast):
    return make_candidate(cast.district_admin, cast.branch_a, name="孙一",
                          applied_on=D(2026, 7, 10))


@pytest.fixture
def grid_worker(cast):
    return make_user("grid_worker", Role.GRID_WORKER, cast.community_a)


def who_is(cast, grid_worker, who):
    return grid_worker if who == "grid_worker" else getattr(cast, who)


def reveal(client, user, candidate, field="id_number", htmx=True, **extra):
    client.force_login(user)
    headers = {"HX-Request": "true", "HX-Target": f"reveal-{field}"} if htmx else {}
    return client.post(reverse("development:reveal", args=[candidate.pk]), {"field": field},
                       headers=headers, HTTP_USER_AGENT=UA, **extra)


def bearer(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


def api_reveal(client, user, candidate, data=None):
    return client.post(f"/api/v1/development/candidates/{candidate.pk}/reveal", data or {},
                       content_type="application/json", headers=bearer(user),
                       HTTP_USER_AGENT=UA)


# who, expected status (the candidate is in branch A, community A, street 1)
CASES = [
    ("district_admin", 200),
    ("street_admin", 200),
    ("community_secretary", 200),
    ("branch_secretary", 200),
    ("auditor", 403),
    ("grid_worker", 403),
    ("outsider_secretary", 404),
    ("member", 404),
]


@pytest.mark.parametrize(("who", "status"), CASES)
def test_reveal_on_the_web_per_role(client, cast, grid_worker, candidate, who, status):
    response = reveal(client, who_is(cast, grid_worker, who), candidate)
    assert response.status_code == status
    clear = candidate.reveal_id_number()
    entries = AuditEntry.objects.filter(action="candidate.reveal")
    if status == 200:
        assert clear in response.content.decode()
        assert entries.count() == 1
    else:
        assert clear not in response.content.decode()
        assert not entries.exists()


@pytest.mark.parametrize(("who", "status"), CASES)
def test_reveal_in_the_api_per_role(client, cast, grid_worker, candidate, who, status):
    response = api_reveal(client, who_is(cast, grid_worker, who), candidate)
    assert response.status_code == status, response.content
    if status == 200:
        assert response.json() == {"id": candidate.pk, "id_number": candidate.reveal_id_number(),
                                   "phone": PHONE}
    else:
        assert response.json()["code"] == {403: "forbidden", 404: "not_found"}[status]
        assert not AuditEntry.objects.filter(action="candidate.reveal").exists()


def test_the_page_shows_both_masked_with_a_reveal_button_for_a_secretary(client, cast,
                                                                          candidate):
    client.force_login(cast.branch_secretary)
    html = client.get(reverse("development:detail", args=[candidate.pk])).content.decode()
    assert PHONE not in html and MASKED_PHONE in html
    assert candidate.reveal_id_number() not in html
    assert candidate.id_number_masked in html
    assert html.count(reverse("development:reveal", args=[candidate.pk])) == 4  # 2 forms
    # Viewing the page reveals nothing, so nothing is logged.
    assert not AuditEntry.objects.filter(action="candidate.reveal").exists()


def test_a_read_only_viewer_gets_no_reveal_button(client, cast, candidate):
    client.force_login(cast.auditor)
    html = client.get(reverse("development:detail", args=[candidate.pk])).content.decode()
    assert MASKED_PHONE in html and PHONE not in html
    assert reverse("development:reveal", args=[candidate.pk]) not in html


def test_the_audit_entry_says_who_whose_what_and_from_where(client, cast, candidate):
    response = reveal(client, cast.branch_secretary, candidate, field="phone",
                      REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert PHONE in response.content.decode()
    entry = AuditEntry.objects.get(action="candidate.reveal")
    assert (entry.actor, entry.subject) == (cast.branch_secretary, candidate)
    assert entry.data == {"fields": ["phone"], "user_agent": UA}
    assert entry.ip_address == "10.1.2.3"
    assert entry.organization_path == cast.branch_a.path
    assert PHONE not in str(entry.data)


def test_without_javascript_the_page_comes_back_with_the_value(client, cast, candidate):
    response = reveal(client, cast.community_secretary, candidate, htmx=False)
    assert response.status_code == 200
    html = response.content.decode()
    assert candidate.reveal_id_number() in html
    assert PHONE not in html  # only what was asked for
    assert 'id="rule-chips"' in html  # the whole page


def test_an_unknown_field_is_refused_and_nothing_logged(client, cast, candidate):
    client.force_login(cast.branch_secretary)
    response = client.post(reverse("development:reveal", args=[candidate.pk]),
                           {"field": "password"})
    assert response.status_code == 400
    response = api_reveal(client, cast.branch_secretary, candidate, {"fields": ["password"]})
    assert response.status_code == 422
    assert not AuditEntry.objects.filter(action="candidate.reveal").exists()


def test_reveal_needs_post(client, cast, candidate):
    client.force_login(cast.branch_secretary)
    assert client.get(reverse("development:reveal", args=[candidate.pk])).status_code == 405


def test_the_api_detail_masks_the_phone_for_writers_too(client, cast, candidate):
    response = client.get(f"/api/v1/development/candidates/{candidate.pk}",
                          headers=bearer(cast.branch_secretary))
    assert response.status_code == 200
    assert response.json()["phone"] == MASKED_PHONE
    assert response.json()["can_write"] is True
    assert PHONE not in response.content.decode()

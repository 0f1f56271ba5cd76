"""/api/v1/notifications: mine only, unread filter, mark read."""

import pytest
from django.utils import timezone

from fengling.accounts.services import api_token_issue
from fengling.notifications.models import Kind, Notification
from fengling.notifications.services import notify

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications"


def bearer(user) -> dict:
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


def send(users, key):
    notify(users, kind=Kind.DUES_REMINDER, title=f"T{key}", body="b", dedupe_key=key)


def test_list_is_mine_only_with_unread_filter(client, cast):
    send([cast.member], "1")
    send([cast.member], "2")
    send([cast.auditor], "3")
    Notification.objects.filter(dedupe_key="2").update(read_at=timezone.now())
    data = client.get(URL, headers=bearer(cast.member)).json()
    assert data["count"] == 2
    assert [i["title"] for i in data["items"]] == ["T1", "T2"]  # unread first
    assert data["items"][0]["kind"] == "dues_reminder" and data["items"][0]["is_read"] is False
    data = client.get(URL, {"unread": "true"}, headers=bearer(cast.member)).json()
    assert [i["title"] for i in data["items"]] == ["T1"]


def test_read_one_and_someone_elses_is_404(client, cast):
    send([cast.member, cast.auditor], "1")
    mine = Notification.objects.get(recipient=cast.member)
    theirs = Notification.objects.get(recipient=cast.auditor)
    response = client.post(f"{URL}/{mine.pk}/read", headers=bearer(cast.member))
    assert response.status_code == 200 and response.json()["is_read"] is True
    response = client.post(f"{URL}/{theirs.pk}/read", headers=bearer(cast.member))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_all(client, cast):
    send([cast.member, cast.auditor], "1")
    send([cast.member], "2")
    response = client.post(f"{URL}/read-all", headers=bearer(cast.member))
    assert response.json() == {"marked": 2, "unread": 0}
    assert Notification.objects.get(recipient=cast.auditor).read_at is None


def test_needs_authentication(client, cast):
    assert client.get(URL).status_code == 401
    assert client.post(f"{URL}/read-all").status_code == 401


def test_openapi_documents_the_notification_paths(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/notifications"]) == {"get"}
    assert set(paths["/api/v1/notifications/read-all"]) == {"post"}
    read = paths["/api/v1/notifications/{notification_id}/read"]["post"]["responses"]
    assert set(read) == {"200", "401", "404", "422"}

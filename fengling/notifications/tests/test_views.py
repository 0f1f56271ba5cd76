"""The inbox page: own notifications only, unread first, read state, the navbar badge."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fengling.notifications.models import Kind, Notification
from fengling.notifications.services import notify

pytestmark = pytest.mark.django_db

INBOX = reverse("notifications:inbox")


def login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def send(users, key, title=None, **kw):
    notify(users, kind=Kind.SYSTEM, title=title or f"Message {key}", dedupe_key=key, **kw)
    return Notification.objects.filter(dedupe_key=key)


def test_inbox_shows_only_my_notifications_unread_first(client, cast):
    send([cast.member], "old")
    send([cast.member], "new")
    send([cast.auditor], "theirs")
    Notification.objects.filter(dedupe_key="new").update(read_at=timezone.now())
    page = login(client, cast.member).get(INBOX).content.decode()
    assert "Message theirs" not in page
    # The unread older message comes before the read newer one, and is bold.
    assert page.index("Message old") < page.index("Message new")
    row = page[page.index('id="notification-'):page.index("Message old")]
    assert "fw-bold" in row


def test_someone_elses_notification_is_404(client, cast):
    (theirs,) = send([cast.auditor], "theirs")
    login(client, cast.member)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_one_read_with_htmx_returns_the_row_and_the_badge(client, cast):
    (first,) = send([cast.member], "a")
    send([cast.member], "b")
    login(client, cast.member)
    response = client.post(reverse("notifications:read", args=[first.pk]),
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="notification-{first.pk}"' in html and "fw-bold" not in html
    badge = html[html.index('id="notification-badge"'):]
    assert 'hx-swap-oob="true"' in badge and ">1<" in badge  # one left unread
    assert html.index("</li>") < html.index('id="notification-badge"')  # top level
    first.refresh_from_db()
    assert first.read_at is not None


def test_mark_all_read(client, cast):
    send([cast.member], "a")
    send([cast.member], "b")
    send([cast.auditor], "c")
    response = login(client, cast.member).post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=cast.member, read_at__isnull=True).exists()
    assert Notification.objects.get(recipient=cast.auditor).read_at is None


def test_unread_filter(client, cast):
    send([cast.member], "a")
    send([cast.member], "b")
    Notification.objects.filter(dedupe_key="b").update(read_at=timezone.now())
    page = login(client, cast.member).get(INBOX, {"unread": "1"}).content.decode()
    assert "Message a" in page and "Message b" not in page


def test_navbar_badge_counts_my_unread(client, cast):
    send([cast.member], "a")
    send([cast.member], "b")
    send([cast.auditor], "c")
    login(client, cast.member)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("reports:home")).content.decode()
    # The page carries an empty badge that HTMX fills: it costs the page no query.
    assert f'hx-get="{reverse("notifications:badge")}"' in page
    assert not any("notifications_notification" in q["sql"] for q in ctx.captured_queries)
    fragment = client.get(reverse("notifications:badge")).content.decode()
    assert ">2<" in fragment
    login(client, cast.street_admin)
    assert "badge" not in client.get(reverse("notifications:badge")).content.decode()


def test_badge_when_signed_out_swaps_nothing(client):
    assert client.get(reverse("notifications:badge")).status_code == 204


def test_scheduled_notification_is_not_shown_before_its_time(client, cast):
    send([cast.member], "later", send_at=timezone.now() + dt.timedelta(hours=2))
    page = login(client, cast.member).get(INBOX).content.decode()
    assert "Message later" not in page


def test_open_marks_read_and_follows_only_local_links(client, cast):
    (local,) = send([cast.member], "local", url="/members/")
    (evil,) = send([cast.member], "evil", url="https://evil.example/")
    login(client, cast.member)
    response = client.get(reverse("notifications:open", args=[local.pk]))
    assert response["Location"] == "/members/"
    response = client.get(reverse("notifications:open", args=[evil.pk]))
    assert response["Location"] == INBOX
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_anonymous_is_sent_to_login(client):
    response = client.get(INBOX)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_inbox_query_count_does_not_grow(client, cast):
    login(client, cast.member)
    send([cast.member], "first")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(INBOX).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    # session, user, scope, page count, page rows, unread count (reading saves no session)
    assert before == 6
    for i in range(30):
        send([cast.member], f"more{i}")
    assert count() == before

"""The outbox page (district administrators) and retrying failed deliveries."""

import pytest
from django.conf import settings
from django.urls import reverse

from fengling.core.models import AuditEntry
from fengling.notifications.models import Delivery, DeliveryStatus, Kind
from fengling.notifications.services import drain_outbox, notify

pytestmark = pytest.mark.django_db

OUTBOX = reverse("notifications:outbox")
RETRY = reverse("notifications:outbox_retry")


@pytest.fixture
def failed(cast, settings):
    settings.NOTIFY_CHANNELS = ["sms"]  # the stub sender: fails with NotConfigured
    notify([cast.member], kind=Kind.SYSTEM, title="短信测试", dedupe_key="k")
    drain_outbox()
    return Delivery.objects.get()


def login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_district_admin_sees_counts_and_failures(client, cast, failed):
    html = login(client, cast.district_admin).get(OUTBOX).content.decode()
    assert "短信测试" in html and "NOTIFY_SENDERS[&#x27;sms&#x27;]" in html
    counts = html[html.index('id="outbox-counts"'):html.index("</table>")]
    assert "SMS" in counts and ">1<" in counts


@pytest.mark.parametrize("who", ["street_admin", "community_secretary", "auditor", "member"])
def test_others_may_not_see_the_outbox(client, cast, failed, who):
    login(client, getattr(cast, who))
    assert client.get(OUTBOX).status_code == 403
    assert client.post(RETRY).status_code == 403
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.FAILED


def test_retry_requeues_failed_and_is_audited(client, cast, failed):
    response = login(client, cast.district_admin).post(RETRY)
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.PENDING and failed.attempts == 0
    entry = AuditEntry.objects.get(action="notification.retry_failed")
    assert entry.actor == cast.district_admin and entry.data["deliveries"] == 1


def test_inbox_links_to_the_outbox_for_district_admins_only(client, cast):
    inbox = reverse("notifications:inbox")
    assert OUTBOX in login(client, cast.district_admin).get(inbox).content.decode()
    assert OUTBOX not in login(client, cast.street_admin).get(inbox).content.decode()

"""The scan: warnings open, stay, resolve themselves and reopen as new occurrences; the scan is
idempotent, its query count does not grow with the district, it notifies new red warnings
once and escalates overdue cases."""

import datetime as dt
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fengling.alerts import services
from fengling.alerts.models import Alert, Case, CaseEvent, ScanRun
from fengling.core.roles import Role
from fengling.members.lifecycle.models import LostContactRecord
from fengling.members.models import Member
from fengling.notifications.models import Notification
from fengling.testing.factories import make_user

from .helpers import branch, held, members, seat, term, tree

pytestmark = pytest.mark.django_db
D = dt.date


def lost(org):
    m = members(org, 1)[0]
    LostContactRecord.objects.create(member=m, since=D(2025, 1, 1))
    Member.objects.filter(pk=m.pk).update(status="lost_contact")
    return m


def test_scan_opens_then_resolves_itself_and_reopens_as_a_new_occurrence():
    _d, _s, community = tree()
    b = branch(community)
    held(b, "committee", D(2026, 3, 1))
    run = services.run_scan(D(2026, 4, 5), send=False)
    silent = Alert.objects.get(rule="silent_branch", organization=b)
    assert (silent.state, silent.first_seen, silent.last_seen) == ("open", D(2026, 4, 5),
                                                                    D(2026, 4, 5))
    assert run.opened == Alert.objects.count() and run.resolved == 0

    services.run_scan(D(2026, 4, 6), send=False)
    silent.refresh_from_db()
    assert (silent.first_seen, silent.last_seen) == (D(2026, 4, 5), D(2026, 4, 6))

    held(b, "committee", D(2026, 4, 6))  # the evidence is gone
    run = services.run_scan(D(2026, 4, 7), send=False)
    silent.refresh_from_db()
    assert (silent.state, silent.resolved_on) == ("resolved", D(2026, 4, 7))
    assert run.resolved >= 1

    # 38 days later, silent again: a new occurrence, the old one kept.
    services.run_scan(D(2026, 5, 14), send=False)
    rows = Alert.objects.filter(rule="silent_branch", organization=b).order_by("id")
    assert [(a.state, a.first_seen) for a in rows] == [("resolved", D(2026, 4, 5)),
                                                       ("open", D(2026, 5, 14))]


def test_a_members_open_warning_follows_them_to_their_new_branch():
    _d, _s, community = tree()
    old, new = branch(community), branch(community)
    m = lost(old)
    services.run_scan(D(2026, 8, 5), send=False)
    warning = Alert.objects.get(rule="lost_contact", member=m)
    assert warning.organization == old
    Member.objects.filter(pk=m.pk).update(organization=new)  # transferred
    services.run_scan(D(2026, 8, 6), send=False)
    warning.refresh_from_db()
    # The same occurrence, now the new branch's to see and act on.
    assert (warning.state, warning.organization, warning.first_seen) == (
        "open", new, D(2026, 8, 5))


def test_scan_is_idempotent_for_a_date():
    _d, _s, community = tree()
    lost(branch(community))
    services.run_scan(D(2026, 4, 5), send=False)
    before = list(Alert.objects.values_list("id", "rule", "subject", "state", "last_seen"))
    run = services.run_scan(D(2026, 4, 5), send=False)
    assert run.opened == 0 and run.resolved == 0
    assert list(Alert.objects.values_list("id", "rule", "subject", "state",
                                          "last_seen")) == before


def test_scan_command_with_date(capsys):
    _d, _s, community = tree()
    lost(branch(community))
    call_command("scan_alerts", "--date", "2026-04-05", "--no-notify")
    assert "2026-04-05" in capsys.readouterr().out
    assert Alert.objects.filter(rule="lost_contact", last_seen=D(2026, 4, 5)).exists()


def _district(n: int, prefix: str):
    """n branches, each with a bit of everything the rules read."""
    _d, _s, community = tree()
    for i in range(n):
        b = branch(community, f"支部{i}")
        held(b, "committee", D(2026, 1, 5))
        t = term(b, D(2022, 1, 1))
        seat(t, "secretary", ended_on=D(2025, 6, 1))
        lost(b)
        make_user(f"{prefix}sec{i}", Role.BRANCH_SECRETARY, b)


def _queries(n: int, prefix: str) -> tuple[int, int, int]:
    """(queries other than inserts, insert statements, warnings opened) of one scan."""
    _district(n, prefix)
    with CaptureQueriesContext(connection) as ctx:
        run = services.run_scan(D(2026, 4, 5))
    # SQLite's executemany is logged once, as "N times: INSERT …".
    inserts = sum(bool(re.match(r"(\d+ times: )?INSERT", q["sql"]))
                  for q in ctx.captured_queries)
    return len(ctx.captured_queries) - inserts, inserts, run.opened


def test_scan_query_count_is_bounded_whatever_the_size():
    # The scan record's audit entry looks up its content type once per process; warm that
    # cache so that both scans below count the same things.
    ContentType.objects.get_for_model(ScanRun)
    one, one_inserts, _ = _queries(1, "a")
    many, many_inserts, opened = _queries(8, "b")  # 9 branches in all, 8 of them new
    assert Alert.objects.filter(rule="lost_contact").count() == 9
    # Reads and updates: the same number whatever the size of the district.
    assert one == many
    assert many <= 40
    # Inserts are batched: the warnings in one statement (`core.bulk.insert_rows`), the
    # notifications and their deliveries (SQLite takes about 90 rows a statement), the scan
    # record.
    assert one_inserts == 4
    assert many_inserts <= 4 + opened // 90


def test_new_red_warnings_notify_the_secretary_once():
    _d, _s, community = tree()
    b = branch(community)
    secretary = make_user("sec", Role.BRANCH_SECRETARY, b)
    member = lost(b)
    services.run_scan(D(2026, 4, 5))
    services.run_scan(D(2026, 4, 6))
    notes = Notification.objects.filter(recipient=secretary, kind="warning")
    assert notes.count() == 1
    assert member.name in notes.get().body


def test_overdue_case_escalates_one_level_up_and_notifies_it():
    district, street, community = tree()
    b = branch(community)
    secretary = make_user("sec", Role.BRANCH_SECRETARY, b)
    street_admin = make_user("street", Role.STREET_ADMIN, street)
    community_secretary = make_user("comm", Role.ORG_SECRETARY, community)
    case = services.case_open(community_secretary, b, responsible=secretary, plan="补开支委会",
                              deadline=D(2026, 4, 1), title="静默支部", today=D(2026, 3, 1))
    assert services.escalate_overdue(D(2026, 4, 1)) == 0
    services.run_scan(D(2026, 4, 2))
    case.refresh_from_db()
    assert case.escalation == 1
    assert CaseEvent.objects.filter(case=case, kind="escalated").count() == 1
    from fengling.core.models import AuditEntry
    assert AuditEntry.objects.filter(action="rectification.escalated",
                                     object_id=str(case.pk)).count() == 1
    # The level above the reviewer (the community): the street.
    assert Notification.objects.filter(recipient=street_admin, kind="rectification").count() == 1
    assert Notification.objects.filter(recipient=secretary, kind="rectification").count() == 1
    services.run_scan(D(2026, 4, 3))
    assert Notification.objects.filter(recipient=street_admin).count() == 1
    assert Case.objects.get(pk=case.pk).escalation == 1
    # The step and the case say where the case went, by name.
    assert CaseEvent.objects.get(case=case, kind="escalated").text == street.name
    assert services.escalated_to(case) == street


def test_an_overdue_street_case_reaches_the_district_once(client):
    """A street's case is reviewed by the district, the root: overdue, it is escalated once,
    to the district, whose administrator and the responsible person are told."""
    district, street, _community = tree()
    street_admin = make_user("street", Role.STREET_ADMIN, street)
    district_admin = make_user("district", Role.DISTRICT_ADMIN, district)
    case = services.case_open(district_admin, street, responsible=street_admin,
                              plan="整改", deadline=D(2026, 4, 1), title="街道整改",
                              today=D(2026, 3, 1))
    services.run_scan(D(2026, 4, 2))
    services.run_scan(D(2026, 6, 2))  # two months late: still once, the root is the top
    case.refresh_from_db()
    assert case.escalation == 1
    assert Notification.objects.filter(recipient=district_admin, kind="rectification").count() == 1
    assert Notification.objects.filter(recipient=street_admin, kind="rectification").count() == 1
    client.force_login(district_admin)
    page = client.get(reverse("alerts:case", args=[case.pk])).content.decode()
    assert f'<dd class="col-sm-9">{district.name}</dd>' in page  # "Escalated to"


def test_every_evidence_link_leads_to_a_page():
    from django.urls import resolve

    _district(2, "e")
    services.run_scan(D(2026, 4, 5), send=False)
    rules_seen = set()
    for alert in Alert.objects.all():
        rules_seen.add(alert.rule)
        assert alert.evidence, alert.rule
        for row in alert.evidence:
            assert row["text"]
            if row["url"]:
                resolve(row["url"].split("?")[0])
    assert {"silent_branch", "meeting_missed", "term_long_overdue", "lost_contact"} <= rules_seen


def test_scan_runs_as_a_background_job():
    from fengling.alerts.jobs import SCAN
    from fengling.jobs import runner

    _d, _s, community = tree()
    lost(branch(community))
    owner = make_user("ops", Role.DISTRICT_ADMIN, _d)
    job = runner.submit(SCAN, owner, params={"date": "2026-04-05", "notify": False})
    job.refresh_from_db()
    assert job.state == "succeeded", job.error
    assert job.result["day"] == "2026-04-05" and job.result["open"] >= 1
    assert Alert.objects.filter(rule="lost_contact", last_seen=D(2026, 4, 5)).exists()

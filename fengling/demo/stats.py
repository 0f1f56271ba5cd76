"""Counts of the district's data (`fengling stats`): what the seed promises, checkable."""

from __future__ import annotations

from django.db.models import Count

from fengling.members.models import Member, MemberStatus
from fengling.organizations.kinds import GRASSROOTS_KINDS, OrgKind
from fengling.organizations.models import (
    Alliance,
    AllianceKind,
    CentreStatus,
    CommitteeTerm,
    Organization,
    ServiceCentre,
)


def _by(queryset, field: str, choices) -> dict[str, int]:
    """Counts per value of `field`, with every choice present (stable keys), in choice order."""
    found = dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))
    return {str(value): found.get(value, 0) for value in choices.values}


def district_counts() -> dict:
    """Whole-database counts with stable snake_case keys. Members count active statuses."""
    by_kind = _by(Organization.objects.all(), "kind", OrgKind)
    centres_by_status = _by(ServiceCentre.objects.all(), "status", CentreStatus)
    members_by_status = _by(Member.objects.all(), "status", MemberStatus)
    return {
        "organizations": sum(by_kind.values()),
        "organizations_by_kind": by_kind,
        "grassroots_organizations": sum(n for kind, n in by_kind.items()
                                        if kind in GRASSROOTS_KINDS),
        "members": Member.objects.active().count(),
        "members_by_status": members_by_status,
        "communities": by_kind[OrgKind.COMMUNITY],
        "villages": by_kind[OrgKind.VILLAGE],
        "service_centres": sum(centres_by_status.values()),
        "service_centres_by_status": centres_by_status,
        "business_district_centres": ServiceCentre.objects.filter(
            organization__kind=OrgKind.BUSINESS_DISTRICT).count(),
        "business_district_centres_by_status": _by(
            ServiceCentre.objects.filter(organization__kind=OrgKind.BUSINESS_DISTRICT),
            "status", CentreStatus),
        "alliances": sum(_by(Alliance.objects.all(), "kind", AllianceKind).values()),
        "alliances_by_kind": _by(Alliance.objects.all(), "kind", AllianceKind),
        "committee_terms": CommitteeTerm.objects.count(),
        **activity_counts(),
    }


def activity_counts() -> dict[str, int]:
    """The year of activity the seed adds (issue 4 item 9): additive keys."""
    from fengling.dues.models import DuesBill, DuesPayment
    from fengling.meetings.models import Attendance, Meeting
    from fengling.training.models import Attendance as SessionAttendance
    from fengling.training.models import Certificate, StudyRecord

    return {
        "meetings": Meeting.objects.count(),
        "meeting_attendance": Attendance.objects.count(),
        "dues_bills": DuesBill.objects.count(),
        "dues_payments": DuesPayment.objects.count(),
        "training_attendance": SessionAttendance.objects.count(),
        "study_records": StudyRecord.objects.count(),
        "certificates": Certificate.objects.count(),
    }

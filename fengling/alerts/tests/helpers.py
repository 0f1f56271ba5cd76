"""Small builders for the warning tests: a tree founded long ago, meetings, terms, people."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fengling.alerts import rules
from fengling.development.models import Candidate, Milestone
from fengling.meetings.models import Meeting
from fengling.organizations.kinds import Domain, OrgKind
from fengling.organizations.models import CommitteePost, CommitteeTerm
from fengling.testing.factories import MemberFactory, make_id_number, make_org

FOUNDED = dt.date(2000, 1, 1)


def tree():
    district = make_org(None, "区委", OrgKind.DISTRICT, Domain.DISTRICT, established_on=FOUNDED)
    street = make_org(district, "街道党工委", OrgKind.STREET, Domain.STREET,
                      established_on=FOUNDED)
    community = make_org(street, "社区党委", OrgKind.COMMUNITY, Domain.COMMUNITY,
                         established_on=FOUNDED)
    return district, street, community


def branch(parent, name="第一支部"):
    return make_org(parent, name, OrgKind.BRANCH, established_on=FOUNDED)


def held(org, kind: str, day: dt.date) -> Meeting:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    return Meeting.objects.create(organization=org, kind=kind, state="held", topic="t",
                                  starts_at=start, ends_at=start + dt.timedelta(hours=1))


def term(org, started_on: dt.date, years: int = 3, **kw) -> CommitteeTerm:
    return CommitteeTerm.objects.create(organization=org, started_on=started_on, years=years,
                                        **kw)


def seat(term_, post: str = "member", started_on=None, ended_on=None, name="外部委员"):
    return CommitteePost.objects.create(term=term_, post=post, external_name=name,
                                        started_on=started_on or term_.started_on,
                                        ended_on=ended_on)


def members(org, n: int, **kw):
    return [MemberFactory(organization=org, **kw) for _ in range(n)]


def candidate(org, name="候选人") -> Candidate:
    c = Candidate(organization=org, name=name, gender="M", birth_date=dt.date(1995, 1, 1),
                  education="bachelor", occupation="in_service")
    c.set_id_number(make_id_number(c.birth_date, "M"))
    c.save()
    return c


def milestone(c: Candidate, step: int, day: dt.date) -> Milestone:
    return Milestone.objects.create(candidate=c, step=step, date=day)


def subjects(rule: rules.Rule, today: dt.date) -> set[str]:
    return {f.subject for f in rule.evaluate(rules.ScanContext(today))}

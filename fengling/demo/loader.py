"""Write a generated district to the database: wipe the domain data, bulk-insert the rows.

Seeding 45,618 members row by row through the services would take minutes, so this module
writes the tables directly, in batches, inside one transaction: the tree's materialized paths
come precomputed from `tree.py`, ID numbers are encrypted with `Member.set_id_number`. It is
the only place besides the apps' own services that writes their tables, and only for demo
and benchmark data.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from fengling.accounts.models import ApiToken, RoleAssignment
from fengling.core.models import AuditEntry
from fengling.development.demo import seed_candidates
from fengling.members.models import (
    LostContactRecord,
    Member,
    MemberRole,
    MemberStatus,
    MobileRecord,
    MobileReport,
    StatusChange,
    Transfer,
)
from fengling.organizations.models import (
    Alliance,
    AllianceMembership,
    CommitteePost,
    CommitteeTerm,
    Organization,
    ServiceCentre,
)
from fengling.training.demo import load_training

from .generator import DEFAULT_SEED, District, generate

BATCH_SIZE = 2000

# Domain data in the order it is deleted (rows that point at others first). Models of later
# modules that point at any of these are found and deleted too (see `_wipe_querysets`).
WIPED_MODELS = [
    AuditEntry,
    ApiToken,
    RoleAssignment,
    MemberRole,
    Member.functional_organizations.through,
    CommitteePost,
    CommitteeTerm,
    AllianceMembership,
    Alliance,
    ServiceCentre,
    Member,
    Organization,
]


@dataclass(frozen=True)
class SeedReport:
    scale: str
    seed: int
    as_of: dt.date
    organizations: int
    grassroots: int
    members: int
    seconds: float
    # A year of activity (issue 4 item 9): meetings and attendance, dues bills and payments.
    activity: dict = field(default_factory=dict)
    # Last year's filed star ratings and the budgets (issue 6, `evaluation.demo`).
    evaluation: dict = field(default_factory=dict)


def has_data() -> bool:
    return Organization.objects.exists()


def seed(scale: str, seed: int = DEFAULT_SEED, as_of: dt.date | None = None) -> SeedReport:
    """Replace Fengling's domain data with the demo district at `scale`."""
    started = time.perf_counter()
    as_of = as_of or timezone.localdate()
    district = generate(scale, seed, as_of)
    with transaction.atomic():
        wipe()
        load(district)
        # A handful of member-development files (a few dozen rows at any scale).
        seed_candidates(as_of)
        load_training(as_of, seed)
        activity = load_activity(as_of, seed)
        evaluation = load_evaluation(as_of, seed)
    _analyze()
    return SeedReport(scale=scale, seed=seed, as_of=as_of,
                      organizations=len(district.organizations),
                      grassroots=district.grassroots, members=len(district.members),
                      seconds=time.perf_counter() - started, activity=activity,
                      evaluation=evaluation)


def load_activity(as_of: dt.date, seed: int) -> dict[str, int]:
    """One year of organizational life and dues (issue 4 item 9), set-based: the twelve
    months of meetings ending with `as_of`'s month, with attendance, for every branch and
    Party group (`meetings.demo`; held up to `as_of`, this year's later ones planned), the
    monthly 党小组会 of every Party group with the members placed in it
    (`generator._party_groups`) among them; and the twelve months of dues bills ending with
    `as_of`'s month with quarterly payments and realistic arrears (`dues.demo`).

    At district scale as of 2026-11-25 (measured): 101,624 meetings (85,655 held, 14,248
    planned, 1,721 cancelled; 32,408 of them 党小组会 of 2,752 Party groups holding 33,065
    members) and 1,311,457 attendance rows (347,980 at 党小组会); 540k bills, 178k
    payments."""
    from fengling.dues.demo import seed_dues
    from fengling.meetings.demo import seed_year

    started = time.perf_counter()
    meetings = attendance = 0
    # The twelve months ending with as_of's: this year's (planned after as_of) and, before
    # them, the end of last year (its year-end 组织生活会 and 民主评议 among them).
    last_year = range(as_of.month + 1, 13)
    for root in Organization.objects.filter(depth=1):
        for year, months in ((as_of.year - 1, last_year), (as_of.year, None)):
            if months is not None and not months:
                continue
            result = seed_year(root, year, today=as_of, seed=seed, months=months)
            meetings += result.meetings
            attendance += result.attendance
    middle = time.perf_counter()
    dues = seed_dues(as_of, seed=seed)
    return {"meetings": meetings, "attendance": attendance, "bills": dues["bills"],
            "payments": dues["payments"],
            # Where the time goes (printed by `fengling seed`).
            "meetings_seconds": round(middle - started, 1),
            "dues_seconds": round(time.perf_counter() - middle, 1)}


def load_evaluation(as_of: dt.date, seed: int) -> dict[str, int]:
    """Last year's star ratings, filed through the whole flow, its 软弱涣散 designations, and
    the budget lines and disbursements of last year and this one (`evaluation.demo`, a few
    bulk inserts: about 2,100 ratings at district scale)."""
    from fengling.evaluation.demo import seed_evaluation

    started = time.perf_counter()
    counts = seed_evaluation(as_of, seed)
    return {**counts, "seconds": round(time.perf_counter() - started, 1)}


def wipe() -> None:
    """Delete the domain data with one set-based DELETE per table (no row-by-row cascade).

    Superusers stay (unlinked from any member record); every other account goes.
    """
    user_model = get_user_model()
    user_model._base_manager.filter(member__isnull=False).update(member=None)
    for queryset in _wipe_querysets():
        queryset._raw_delete(queryset.db)


def _relations(model) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields
            if field.is_relation and field.related_model is not None]


def _wipe_querysets() -> list[models.QuerySet]:
    user_model = get_user_model()
    wiped = list(WIPED_MODELS)
    everything = [model for model in apps.get_models(include_auto_created=True)
                  if model is not user_model]
    # Rows of other tables that point (directly or not) at the domain data must go too.
    dependents: list = []
    found = True
    while found:
        found = False
        for model in everything:
            if model in wiped or model in dependents:
                continue
            if any(field.related_model in wiped or field.related_model in dependents
                   for field in _relations(model)):
                dependents.append(model)
                found = True
    querysets = [model._base_manager.all() for model in reversed(dependents)]
    # Rows that belong to the accounts being deleted (group memberships, permissions …).
    for model in everything:
        if model in wiped or model in dependents:
            continue
        links = [field for field in _relations(model) if field.related_model is user_model]
        if links:
            condition = models.Q()
            for field in links:
                condition |= models.Q(**{f"{field.name}__is_superuser": False})
            querysets.append(model._base_manager.filter(condition))
    for model in wiped:
        querysets.append(model._base_manager.all())
        if model is RoleAssignment:
            # Accounts after what points at them, before the members they link to.
            querysets.append(user_model._base_manager.filter(is_superuser=False))
    return querysets


def _bulk(model, objects: list) -> list:
    created = model._base_manager.bulk_create(objects, batch_size=BATCH_SIZE)
    if created and created[0].pk is None:  # every supported database returns the keys
        raise RuntimeError(f"{connection.vendor} did not return primary keys for {model}")
    return created


def load(district: District) -> None:
    """Insert the generated rows. Call inside a transaction, after `wipe()`."""
    rows = district.organizations
    organizations = []
    for row in rows:
        organization = Organization(
            name=row.name, short_name=row.short_name, kind=row.kind, domain=row.domain,
            functional_type=row.functional_type, code=row.code,
            established_on=row.established_on,
            supervising_department=row.supervising_department, registration=row.registration,
            address=row.address, phone=row.phone, units_covered=row.units_covered,
            path=row.path, depth=row.depth, numchild=row.numchild,
        )
        # bulk_create skips save(): the pinyin search keys are set here (cached per name).
        organization.set_search_keys()
        organizations.append(organization)
    organizations = _bulk(Organization, organizations)
    for row, obj in zip(rows, organizations, strict=True):
        row.pk = obj.pk

    members = []
    for row in district.members:
        member = Member(
            organization_id=row.organization.pk, name=row.name, gender=row.gender,
            ethnicity=row.ethnicity, birth_date=row.birth_date, phone=row.phone,
            education=row.education, occupation=row.occupation, work_unit=row.work_unit,
            join_date=row.join_date, membership=row.membership,
            conversion_date=row.conversion_date, status=row.status,
            party_group_id=row.party_group.pk if row.party_group is not None else None,
        )
        member.set_id_number(row.id_number)
        member.set_search_keys()
        members.append(member)
    member_pks = [obj.pk for obj in _bulk(Member, members)]
    _load_lifecycle(district, member_pks)

    through = Member.functional_organizations.through
    _bulk(through, [through(member_id=member_pks[index], organization_id=org.pk)
                    for index, org in district.functional])
    _bulk(MemberRole, [MemberRole(member_id=member_pks[index], role=role)
                       for index, role in district.member_roles])

    terms = _bulk(CommitteeTerm, [
        CommitteeTerm(organization_id=term.organization.pk, started_on=term.started_on,
                      years=term.years, postponed_until=term.postponed_until)
        for term in district.terms
    ])
    for term, obj in zip(district.terms, terms, strict=True):
        term.pk = obj.pk
    _bulk(CommitteePost, [
        CommitteePost(
            term_id=post.term.pk, post=post.post,
            member_id=member_pks[post.member] if post.member is not None else None,
            external_name=post.external_name, external_unit=post.external_unit,
            external_title=post.external_title, started_on=post.started_on,
            approved_on=post.approved_on,
        )
        for post in district.posts
    ])

    alliances = _bulk(Alliance, [
        Alliance(name=spec.name, kind=spec.kind, lead_id=spec.lead.pk,
                 established_on=spec.established_on)
        for spec in district.alliances
    ])
    _bulk(AllianceMembership, [
        AllianceMembership(alliance_id=alliance.pk, organization_id=org.pk,
                           joined_on=spec.established_on)
        for spec, alliance in zip(district.alliances, alliances, strict=True)
        for org in spec.members
    ])
    _bulk(ServiceCentre, [
        ServiceCentre(organization_id=centre.organization.pk, name=centre.name,
                      area_m2=centre.area_m2, status=centre.status,
                      built_year=centre.built_year, address=centre.address)
        for centre in district.centres
    ])
    _load_accounts(district, member_pks)


# Where the demo's mobile members have gone (流动党员).
DESTINATIONS = ("上海市浦东新区", "杭州市西湖区", "深圳市南山区", "苏州工业园区", "北京市朝阳区",
                "宁波市北仑区", "广州市天河区", "义乌市")


def _load_lifecycle(district: District, member_pks: list[int]) -> None:
    """Status history for every member (members.lifecycle): the status they joined with,
    and for mobile and lost-contact members the record that put them there. Bulk, dated
    deterministically from the member's place in the list."""
    history, mobile, lost = [], [], []
    for index, (row, pk) in enumerate(zip(district.members, member_pks, strict=True)):
        situation = row.status in (MemberStatus.MOBILE, MemberStatus.LOST_CONTACT)
        history.append(StatusChange(member_id=pk, kind="initial",
                                    status=MemberStatus.NORMAL if situation else row.status,
                                    effective_on=row.join_date))
        if not situation:
            continue
        since = max(row.join_date + dt.timedelta(days=1),
                    district.as_of - dt.timedelta(days=30 + (index * 37) % 700))
        history.append(StatusChange(member_id=pk, kind=row.status, status=row.status,
                                    effective_on=since))
        if row.status == MemberStatus.MOBILE:
            mobile.append(MobileRecord(member_id=pk, since=since, contact=row.phone,
                                       destination=DESTINATIONS[index % len(DESTINATIONS)]))
        else:
            lost.append(LostContactRecord(member_id=pk, since=since,
                                          circumstances="电话停机，原住址无人"))
    _bulk(StatusChange, history)
    mobile = _bulk(MobileRecord, mobile)
    # Most mobile members made their annual report within the last ten months (RULES §4.4:
    # at least once a year); every fourth has not reported yet.
    reports = []
    for n, record in enumerate(mobile):
        reported = max(record.since + dt.timedelta(days=30),
                       district.as_of - dt.timedelta(days=(n * 53) % 300))
        if n % 4 and reported <= district.as_of:
            reports.append(MobileReport(record_id=record.pk, year=reported.year,
                                        reported_on=reported, summary="按时报告"))
    _bulk(MobileReport, reports)
    _bulk(LostContactRecord, lost)
    _bulk(Transfer, _demo_transfers(district, member_pks))


def _demo_transfers(district: District, member_pks: list[int]) -> list:
    """A few letters under way between branches of the district (组织关系转接), issued in
    the last 60 days and valid 30 days, so the older ones show as overdue."""
    normal = [(index, row) for index, row in enumerate(district.members)
              if row.status == MemberStatus.NORMAL]
    wanted = max(4, len(district.members) // 2000)
    step = max(1, len(normal) // wanted)
    transfers = []
    for n, position in enumerate(range(0, len(normal), step)[:wanted]):
        index, row = normal[position]
        target = normal[(position + len(normal) // 2) % len(normal)][1]
        if target.organization is row.organization:
            continue
        issued = district.as_of - dt.timedelta(days=(n * 37 + 5) % 60)
        transfers.append(Transfer(
            member_id=member_pks[index], direction="internal",
            from_organization_id=row.organization.pk, to_organization_id=target.organization.pk,
            letter_number=f"海组转〔{issued.year}〕{n + 1:04d}号", issued_on=issued,
            valid_until=issued + dt.timedelta(days=30), reason="工作调动"))
    return transfers


def _load_accounts(district: District, member_pks: list[int]) -> None:
    from django.conf import settings

    user_model = get_user_model()
    # One hash for every demo account: they share the printed demo password, and hashing
    # seven times with the production hasher would cost seconds for nothing.
    password = make_password(settings.DEMO_PASSWORD)
    users = _bulk(user_model, [
        user_model(username=account.username, display_name=account.display_name,
                   password=password, is_active=True,
                   member_id=member_pks[account.member] if account.member is not None
                   else None)
        for account in district.accounts
    ])
    # Usable from today even when the district is dated later.
    starts_on = min(district.as_of, timezone.localdate()) - dt.timedelta(days=365)
    _bulk(RoleAssignment, [
        RoleAssignment(user_id=user.pk, role=account.role,
                       organization_id=account.organization.pk, starts_on=starts_on)
        for account, user in zip(district.accounts, users, strict=True)
    ])


def _analyze() -> None:
    """Fresh statistics for the query planner, so the first pages after seeding are fast.

    On PostgreSQL, outside a transaction, the members table is vacuumed too: a freshly
    loaded table has an empty visibility map, and until autovacuum comes round every
    index-only scan of it (the search's covering indexes, members/0011) reads the table
    after all."""
    from fengling.dues.models import DuesBill, DuesPayment, DuesProfile
    from fengling.meetings.models import Attendance, Meeting

    tables = [model._meta.db_table for model in (*WIPED_MODELS, Meeting, Attendance,
                                                 DuesProfile, DuesBill, DuesPayment)]
    vacuum = {Member._meta.db_table} if (connection.vendor == "postgresql"
                                         and not connection.in_atomic_block) else set()
    with connection.cursor() as cursor:
        for table in tables:
            verb = "VACUUM ANALYZE" if table in vacuum else "ANALYZE"
            cursor.execute(f"{verb} {connection.ops.quote_name(table)}")

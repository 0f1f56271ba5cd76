"""Writes of the early-warning module: the scan, and rectification cases (整转提升).

`run_scan` is the one entry point of a scan (the command, a cron line or a queue job call
it): it evaluates every rule over the whole district, opens new warnings, refreshes the open
ones, resolves those whose evidence is gone, escalates overdue cases and notifies. It is
idempotent for a date, and its number of queries does not grow with the district.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fengling.accounts.models import RoleAssignment, User
from fengling.core.audit import audit_log, audit_many
from fengling.core.bulk import insert_rows
from fengling.core.roles import Role
from fengling.core.scoping import scope_of
from fengling.notifications import conf as notification_conf
from fengling.notifications.models import Kind
from fengling.notifications.services import Message, notify_many
from fengling.organizations.models import Organization

from . import rules
from .models import Alert, Case, CaseEvent, CaseState, EventKind, Level, ScanRun, WarningState

# Who answers for an organization (notified of its red warnings, of its escalated cases).
SECRETARY_ROLES = (Role.BRANCH_SECRETARY, Role.ORG_SECRETARY)
LEADING_ROLES = (Role.BRANCH_SECRETARY, Role.ORG_SECRETARY, Role.STREET_ADMIN,
                 Role.DISTRICT_ADMIN)
# An overdue case goes one level further up every this many days (RULES: escalate).
ESCALATE_EVERY_DAYS = 30


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# --- The scan ---------------------------------------------------------------------------------


def evaluate(today: dt.date) -> dict[tuple[str, str], tuple[rules.Rule, rules.Finding]]:
    """Every finding of every rule on `today`, keyed by (rule id, subject)."""
    ctx = rules.ScanContext(today)
    found: dict[tuple[str, str], tuple[rules.Rule, rules.Finding]] = {}
    for rule in rules.RULES:
        for finding in rule.evaluate(ctx):
            found[(rule.id, finding.subject)] = (rule, finding)
    return found


def _holders(org_ids, roles) -> dict[int, list[int]]:
    """User ids holding one of `roles` at each organization (one query)."""
    holders: dict[int, list[int]] = defaultdict(list)
    for org_id, user_id in (RoleAssignment.objects.active()
                            .filter(organization_id__in=set(org_ids), role__in=roles,
                                    user__is_active=True)
                            .values_list("organization_id", "user_id")):
        holders[org_id].append(user_id)
    return holders


def run_scan(today: dt.date | None = None, *, send: bool = True) -> ScanRun:
    """Scan the whole district on `today` (idempotent for a date)."""
    today = _today(today)
    run = ScanRun(day=today, started_at=timezone.now())
    found = evaluate(today)
    evaluated = [r.id for r in rules.RULES]
    with transaction.atomic():
        current = {(a.rule, a.subject): a for a in Alert.objects.open().filter(
            rule__in=evaluated).order_by().only("id", "rule", "subject", "level", "params",
                                                "evidence", "organization_id",
                                                "member_id")}
        opening = [(rule, f) for key, (rule, f) in found.items() if key not in current]
        new_red = _open_new(today, opening)
        gone = [a.pk for key, a in current.items() if key not in found]
        changed = []
        for key, alert in current.items():
            if key in found:
                rule, f = found[key]
                # A member's warning follows the member to their new organization.
                now = (f.params, f.evidence, rule.level, f.organization_id, f.member_id)
                if (alert.params, alert.evidence, alert.level, alert.organization_id,
                        alert.member_id) != now:
                    (alert.params, alert.evidence, alert.level, alert.organization_id,
                     alert.member_id) = now
                    changed.append(alert)
        if changed:
            Alert.objects.bulk_update(changed, ["params", "evidence", "level",
                                                "organization", "member"], batch_size=500)
        if gone:
            Alert.objects.filter(pk__in=gone).update(state=WarningState.RESOLVED,
                                                     resolved_on=today)
        Alert.objects.open().filter(rule__in=evaluated, last_seen__lt=today).update(
            last_seen=today)
        escalated = escalate_overdue(today, send=send)
        if send:
            notify_new_red(new_red)
        by_rule: dict[str, int] = defaultdict(int)
        for rule_id, _subject in found:
            by_rule[rule_id] += 1
        run.opened, run.resolved, run.open_total = len(opening), len(gone), len(found)
        run.escalated, run.by_rule = escalated, dict(by_rule)
        run.finished_at = timezone.now()
        run.save()
    return run


NEW_COLUMNS = ("rule", "level", "organization_id", "member_id", "subject", "state",
               "first_seen", "last_seen", "params", "evidence")


def _open_new(today: dt.date, findings: list[tuple[rules.Rule, rules.Finding]]) -> list[Alert]:
    """Open a warning for each (rule, finding); return the red ones, with their ids (to be
    notified). The first scan of a district opens tens of thousands: they go in by
    `core.bulk.insert_rows` (one statement per 100,000 rows on PostgreSQL), as bulk_create
    spends seconds building them one object at a time. Warnings have no audit trail and
    send no signals either way; the red ones are read back by one query."""
    if not findings:
        return []
    field = Alert._meta.get_field
    params, evidence = field("params"), field("evidence")
    day = connection.ops.adapt_datefield_value(today)
    rows = [(rule.id, str(rule.level), f.organization_id, f.member_id, f.subject,
             str(WarningState.OPEN), day, day,
             params.get_db_prep_value(f.params, connection),
             evidence.get_db_prep_value(f.evidence, connection))
            for rule, f in findings]
    insert_rows(Alert, NEW_COLUMNS, rows)
    red = {(rule.id, f.subject) for rule, f in findings if rule.level == Level.RED}
    if not red:
        return []
    return [a for a in Alert.objects.open().filter(
        level=Level.RED, first_seen=today, rule__in={rule_id for rule_id, _s in red})
        .order_by("pk") if (a.rule, a.subject) in red]


def notify_new_red(new: list[Alert]) -> int:
    """Tell the secretaries of each organization of its new red warnings (idempotent: one
    notification per warning and person, `dedupe_key`)."""
    red = [a for a in new if a.level == Level.RED and a.pk]
    if not red:
        return 0
    holders = _holders([a.organization_id for a in red], SECRETARY_ROLES)
    messages = []
    with translation.override(notification_conf.language()):
        for alert in red:
            title = _("Red warning: %(title)s") % {"title": alert.title}
            for user_id in holders.get(alert.organization_id, []):
                messages.append(Message(
                    recipient_id=user_id, kind=Kind.WARNING, title=title[:200],
                    body=alert.message, url=reverse("alerts:detail", args=[alert.pk]),
                    dedupe_key=f"alert:{alert.pk}", organization_id=alert.organization_id))
    return notify_many(messages)


def _reviewer_depth(org_depth: int, escalation: int) -> int:
    """The depth of the organization that watches a case: the level above, one more per
    escalation, never above the root."""
    return max(org_depth - 1 - escalation, 1)


def escalate_overdue(today: dt.date, *, send: bool = True) -> int:
    """Escalate overdue cases one level up (and one more every 30 days), notify that level
    and the responsible person. A few queries whatever the number of cases."""
    overdue = list(Case.objects.active().filter(deadline__lt=today)
                   .select_related("organization"))
    raised = []
    for case in overdue:
        wanted = 1 + (today - case.deadline).days // ESCALATE_EVERY_DAYS
        # At most up to the root: a case the root reviews (a street's, the root's own) is
        # escalated once, to the root, so that an overdue case always reaches someone.
        wanted = min(wanted, max(case.organization.depth - 2, 1))
        if wanted > case.escalation:
            case.escalation = wanted
            raised.append(case)
    if not raised:
        return 0
    Case.objects.bulk_update(raised, ["escalation"])
    paths = {c.pk: c.organization.path[:Organization.steplen * _reviewer_depth(
        c.organization.depth, c.escalation)] for c in raised}
    above = {path: (pk, name) for path, pk, name in Organization.objects.filter(
        path__in=set(paths.values())).values_list("path", "id", "name")}
    orgs = {path: pk for path, (pk, _name) in above.items()}
    # The step names the organization the case went up to.
    CaseEvent.objects.bulk_create([
        CaseEvent(case=c, kind=EventKind.ESCALATED,
                  text=above.get(paths[c.pk], (None, ""))[1]) for c in raised])
    # Audited like every other step (the scan is the actor: none), in one insert.
    audit_many(None, "rectification.escalated", (
        (c, {"escalation": c.escalation, "deadline": c.deadline.isoformat()},
         c.organization.path) for c in raised))
    if send:
        holders = _holders(orgs.values(), LEADING_ROLES)
        messages = []
        with translation.override(notification_conf.language()):
            for c in raised:
                url = reverse("alerts:case", args=[c.pk])
                title = (_("Overdue rectification: %(title)s") % {"title": c.title})[:200]
                users = set(holders.get(orgs.get(paths[c.pk]), [])) | {c.responsible_id}
                for user_id in users:
                    messages.append(Message(
                        recipient_id=user_id, kind=Kind.RECTIFICATION, title=title, url=url,
                        body=_("The deadline was %(date)s.") % {"date": c.deadline.isoformat()},
                        dedupe_key=f"case:{c.pk}:escalated:{c.escalation}",
                        organization_id=c.organization_id))
        notify_many(messages)
    return len(raised)


# --- Rectification cases (整转提升) ------------------------------------------------------------


def _require_write(actor, organization: Organization) -> None:
    if not scope_of(actor).covers_path(organization.path, write=True):
        raise PermissionDenied


def escalated_to(case: Case) -> Organization | None:
    """The organization an escalated case has gone up to (None if not escalated)."""
    if not case.escalation:
        return None
    depth = _reviewer_depth(case.organization.depth, case.escalation)
    return Organization.objects.filter(
        path=case.organization.path[:Organization.steplen * depth]).first()


def parent_path(organization: Organization) -> str:
    return organization.path[: -Organization.steplen]


def can_review(actor, case: Case) -> bool:
    """The level above reviews (a district administrator reviews the root's own cases)."""
    scope = scope_of(actor)
    path = parent_path(case.organization)
    if not path:
        return scope.everything
    return scope.covers_path(path, write=True)


def may_be_responsible(user: User, organization: Organization) -> bool:
    return user.is_active and scope_of(user).covers_path(organization.path, write=True)


def _case_errors(*, responsible, organization, plan, deadline, today) -> dict[str, str]:
    errors = {}
    if responsible is None or not may_be_responsible(responsible, organization):
        errors["responsible"] = _(
            "The responsible person must be able to work on this organization.")
    if not (plan or "").strip():
        errors["plan"] = _("Write the rectification plan.")
    if deadline is None:
        errors["deadline"] = _("Enter the deadline.")
    elif deadline < today:
        errors["deadline"] = _("The deadline cannot be in the past.")
    return errors


@transaction.atomic
def case_open(actor, organization: Organization, *, responsible, plan: str,
              deadline: dt.date | None, title: str = "", alert: Alert | None = None,
              today: dt.date | None = None) -> Case:
    """Open a rectification case for `organization`, from a warning or on its own."""
    _require_write(actor, organization)
    today = _today(today)
    errors = _case_errors(responsible=responsible, organization=organization, plan=plan,
                          deadline=deadline, today=today)
    if alert is not None and alert.organization_id != organization.pk:
        errors["warning"] = _("The warning belongs to another organization.")
    title = (title or "").strip() or (alert.title if alert else "")
    if not title:
        errors["title"] = _("Give the case a title.")
    if errors:
        raise ValidationError(errors)
    case = Case.objects.create(
        warning=alert, organization=organization, responsible=responsible, title=title[:200],
        plan=plan.strip(), deadline=deadline, created_by=actor)
    CaseEvent.objects.create(case=case, kind=EventKind.CREATED, text=case.plan, actor=actor)
    audit_log(actor, "rectification.open", case,
              {"warning": alert.pk if alert else None, "responsible": responsible.pk,
               "deadline": deadline.isoformat()}, organization_path=organization.path)
    return case


@transaction.atomic
def case_update(actor, case: Case, *, responsible=None, plan: str | None = None,
                deadline: dt.date | None = None, today: dt.date | None = None) -> Case:
    """Change the responsible person, the plan or the deadline of an unclosed case."""
    _require_write(actor, case.organization)
    if case.state == CaseState.CLOSED:
        raise ValidationError({"state": _("A closed case cannot be changed; reopen it.")})
    today = _today(today)
    new_responsible = responsible or case.responsible
    new_plan = case.plan if plan is None else plan
    new_deadline = deadline or case.deadline
    # An overdue case keeps its past deadline while other fields change; a new deadline
    # cannot be in the past.
    changed = new_deadline != case.deadline
    errors = _case_errors(responsible=new_responsible, organization=case.organization,
                          plan=new_plan, deadline=new_deadline,
                          today=today if changed else min(today, case.deadline))
    if errors:
        raise ValidationError(errors)
    before = {"responsible": case.responsible_id, "deadline": case.deadline.isoformat()}
    case.responsible, case.plan, case.deadline = new_responsible, new_plan.strip(), new_deadline
    if deadline is not None and deadline >= today:
        case.escalation = 0
    case.save()
    audit_log(actor, "rectification.update", case,
              {"before": before, "responsible": case.responsible_id,
               "deadline": case.deadline.isoformat()},
              organization_path=case.organization.path)
    return case


@transaction.atomic
def case_progress(actor, case: Case, *, text: str, file=None, submit: bool = False
                  ) -> CaseEvent:
    """Record progress with its evidence (text, a file); `submit` asks the level above to
    review and close."""
    _require_write(actor, case.organization)
    if case.state == CaseState.CLOSED:
        raise ValidationError({"text": _("The case is closed.")})
    if not (text or "").strip():
        raise ValidationError({"text": _("Describe the progress.")})
    if file:
        # Photos and documents only, their content matching their name, size capped.
        from fengling.meetings.services import check_upload

        check_upload(file)
    kind = EventKind.SUBMITTED if submit else EventKind.PROGRESS
    event = CaseEvent.objects.create(case=case, kind=kind, text=text.strip(),
                                     file=file or "", actor=actor)
    if submit:
        case.state = CaseState.SUBMITTED
        case.save(update_fields=["state", "updated_at"])
    audit_log(actor, f"rectification.{kind}", case, {"event": event.pk},
              organization_path=case.organization.path)
    return event


APPROVE, REOPEN = "approve", "reopen"


@transaction.atomic
def case_review(actor, case: Case, *, decision: str, text: str = "",
                deadline: dt.date | None = None, today: dt.date | None = None) -> Case:
    """The level above approves (closes) a submitted case, or reopens it with a reason."""
    if not can_review(actor, case):
        raise PermissionDenied
    today = _today(today)
    if decision == APPROVE:
        if case.state != CaseState.SUBMITTED:
            raise ValidationError({"decision": _("Only a submitted case can be approved.")})
        case.state, case.closed_on = CaseState.CLOSED, today
        kind = EventKind.APPROVED
    elif decision == REOPEN:
        if case.state == CaseState.OPEN:
            raise ValidationError({"decision": _("The case is already open.")})
        if not (text or "").strip():
            raise ValidationError({"text": _("Give the reason for reopening.")})
        if deadline is not None:
            if deadline < today:
                raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
            case.deadline, case.escalation = deadline, 0
        case.state, case.closed_on = CaseState.OPEN, None
        kind = EventKind.REOPENED
    else:
        raise ValidationError({"decision": _("Choose approve or reopen.")})
    case.save()
    CaseEvent.objects.create(case=case, kind=kind, text=(text or "").strip(), actor=actor)
    audit_log(actor, f"rectification.{kind}", case, {"text": text},
              organization_path=case.organization.path)
    return case

"""Changes in member development: one transaction each, validated, audited.

The time rules that forbid something outright are enforced here (see `rules.py` for the
rules and their sources); a deadline that has passed never stops a record being made.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengling.core.audit import audit_log
from fengling.core.lib import crypto, idcard
from fengling.core.scoping import scope_of
from fengling.members.models import ACTIVE_STATUSES, Member, Membership, MemberStatus
from fengling.members.services import ID_ERRORS, member_validate
from fengling.organizations.kinds import MEMBER_HOME_KINDS
from fengling.organizations.models import Organization

from . import rules
from . import steps as S
from .models import Candidate, Milestone, ProbationExtension

EDITABLE_FIELDS = ("name", "gender", "ethnicity", "birth_date", "phone", "education",
                   "occupation", "work_unit")

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# --- Candidates -------------------------------------------------------------------------------


def _person_errors(candidate: Candidate, id_number: str | None, today: dt.date) -> Errors:
    errors: Errors = {}
    if id_number is not None:
        try:
            parsed = idcard.parse(id_number)
        except idcard.IDNumberError as exc:
            _add(errors, "id_number", str(ID_ERRORS[exc.code]))
        else:
            # GB 11643: the number encodes the birth date and the gender.
            if candidate.birth_date and parsed.birth_date != candidate.birth_date:
                _add(errors, "birth_date", _("The date of birth does not match the ID number."))
            if candidate.gender and parsed.gender != candidate.gender:
                _add(errors, "gender", _("The gender does not match the ID number."))
            digest = crypto.lookup_digest(parsed.value)
            if Candidate.objects.filter(id_number_digest=digest).exclude(
                    pk=candidate.pk).exists():
                _add(errors, "id_number",
                     _("Another development candidate already has this ID number."))
            elif Member.objects.filter(id_number_digest=digest).exclude(
                    pk=candidate.member_id).exists():
                _add(errors, "id_number", _("A member already has this ID number."))
    if candidate.birth_date and candidate.birth_date > today:
        _add(errors, "birth_date", _("The date of birth cannot be in the future."))
    return errors


def _branch_errors(actor, organization: Organization) -> Errors:
    if not scope_of(actor).covers_path(organization.path, write=True):
        return {"organization": [_("You may not handle candidates in this organization.")]}
    if organization.kind not in MEMBER_HOME_KINDS:
        return {"organization": [
            _("Candidates are handled by a branch, general branch or committee.")
        ]}
    return {}


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")


@transaction.atomic
def candidate_create(actor, *, organization: Organization, id_number: str,
                     applied_on: dt.date, note: str = "", today: dt.date | None = None,
                     **fields: Any) -> Candidate:
    """Record an applicant and their written application (step 1)."""
    _check_fields(fields)
    today = _today(today)
    candidate = Candidate(organization=organization, **fields)
    errors = _branch_errors(actor, organization)
    for field, messages in _person_errors(candidate, id_number, today).items():
        errors.setdefault(field, []).extend(messages)
    if applied_on > today:
        _add(errors, "applied_on", _("The date of the application cannot be in the future."))
    # 党章 第一条: at least 18 on the day of the application.
    elif candidate.birth_date and rules.years_between(
            candidate.birth_date, applied_on) < rules.MIN_AGE:
        _add(errors, "applied_on",
             _("An applicant must be at least 18 years old on the day of the application."))
    _raise(errors)
    candidate.set_id_number(id_number)
    candidate.save()
    Milestone.objects.create(candidate=candidate, step=S.APPLICATION, date=applied_on,
                             note=note, recorded_by=_user(actor))
    audit_log(actor, "development.candidate.create", candidate,
              {"name": candidate.name, "applied_on": applied_on.isoformat()},
              organization_path=organization.path)
    return candidate


@transaction.atomic
def candidate_update(actor, candidate: Candidate, *, organization: Organization | None = None,
                     id_number: str | None = None, today: dt.date | None = None,
                     **fields: Any) -> Candidate:
    """Change a candidate's personal record; nothing is saved on a ValidationError."""
    _check_fields(fields)
    today = _today(today)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.member_id:
        # From admission on, the person's record is their member record.
        raise ValidationError({"__all__": [_(
            "This candidate has been admitted; change the member record instead.")]})
    before = {f: _plain(getattr(candidate, f)) for f in fields}
    errors: Errors = {}
    if organization is not None and organization.pk != candidate.organization_id:
        errors.update(_branch_errors(actor, organization))
        before["organization"] = candidate.organization_id
        candidate.organization = organization
    for field, value in fields.items():
        setattr(candidate, field, value)
    check_id = id_number
    if check_id is None and any(f in fields for f in ("birth_date", "gender")):
        check_id = crypto.decrypt(candidate.id_number_cipher)
    for field, messages in _person_errors(candidate, check_id, today).items():
        errors.setdefault(field, []).extend(messages)
    applied = candidate.milestones.filter(step=S.APPLICATION).values_list("date", flat=True)
    applied_on = applied[0] if applied else None
    if applied_on and candidate.birth_date and rules.years_between(
            candidate.birth_date, applied_on) < rules.MIN_AGE:
        _add(errors, "birth_date",
             _("An applicant must be at least 18 years old on the day of the application."))
    _raise(errors)
    if id_number is not None:
        candidate.set_id_number(id_number)
    candidate.save()
    changes = {f: [before[f], _plain(getattr(candidate, f if f != "organization"
                                            else "organization_id"))] for f in before}
    changes = {f: v for f, v in changes.items() if v[0] != v[1]}
    if id_number is not None:
        changes["id_number"] = ["***", "***"]
    audit_log(actor, "development.candidate.update", candidate, {"changes": changes},
              organization_path=candidate.organization.path)
    return candidate


@transaction.atomic
def candidate_withdraw(actor, candidate: Candidate, *, date: dt.date, reason: str,
                       today: dt.date | None = None) -> Candidate:
    """Close the file of a candidate who withdraws or is not taken further (before
    admission; a probationary member's status is the member record's business)."""
    today = _today(today)
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    errors: Errors = {}
    if candidate.member_id:
        _add(errors, "__all__", _("An admitted candidate cannot be withdrawn here."))
    if candidate.withdrawn_on:
        _add(errors, "__all__", _("This candidate has already withdrawn."))
    if date > today:
        _add(errors, "date", _("The date cannot be in the future."))
    if not reason.strip():
        _add(errors, "reason", _("Give the reason."))
    _raise(errors)
    candidate.withdrawn_on = date
    candidate.withdrawal_reason = reason.strip()
    candidate.save(update_fields=["withdrawn_on", "withdrawal_reason", "updated_at"])
    audit_log(actor, "development.candidate.withdraw", candidate,
              {"date": date.isoformat(), "reason": candidate.withdrawal_reason},
              organization_path=candidate.organization.path)
    return candidate


# --- Milestones -------------------------------------------------------------------------------


def _user(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _dates(candidate: Candidate) -> dict[int, dt.date]:
    """Step → its earliest date (for a repeatable step; its latest is in `_latest`)."""
    dates: dict[int, dt.date] = {}
    for step, day in candidate.milestones.order_by("date").values_list("step", "date"):
        dates.setdefault(step, day)
    return dates


def _sponsor_errors(candidate: Candidate, sponsors: list[Member], on: dt.date) -> list[str]:
    """党章 第五条: two sponsors, full members; of the candidate's branch (the brief)."""
    problems = []
    if len({s.pk for s in sponsors}) != rules.SPONSOR_COUNT:
        problems.append(_("Name exactly two different sponsors."))
    for sponsor in sponsors:
        if sponsor.organization_id != candidate.organization_id:
            problems.append(_("%(name)s is not a member of the candidate's branch.")
                            % {"name": sponsor.name})
        elif (sponsor.membership != Membership.FULL or sponsor.conversion_date is None
                or sponsor.conversion_date > on):
            problems.append(_("%(name)s is not a full member; a probationary member cannot "
                              "be a sponsor.") % {"name": sponsor.name})
        elif sponsor.status not in ACTIVE_STATUSES:
            problems.append(_("%(name)s is not a member in good standing.")
                            % {"name": sponsor.name})
    return problems


def _milestone_errors(candidate: Candidate, step: int, date: dt.date, *, hours: int | None,
                      sponsors: list[Member] | None, today: dt.date,
                      extension_months: int) -> Errors:
    errors: Errors = {}
    if step not in S.STEP_BY_NUMBER:
        _add(errors, "step", _("Choose one of the 25 steps."))
        return errors
    info = S.STEP_BY_NUMBER[step]
    if candidate.withdrawn_on:
        _add(errors, "__all__", _("This candidate has withdrawn; no more steps are recorded."))
        return errors
    dates = _dates(candidate)
    missing = S.missing_requirements(step, dates)
    if missing:
        _add(errors, "step", _("Record these steps first: %(steps)s.") % {
            "steps": "、".join(f"{n} {S.STEP_BY_NUMBER[n].name}" for n in missing)})
        return errors
    if step in dates and not info.repeatable:
        _add(errors, "step", _("This step is already recorded."))
        return errors
    if info.repeatable and any(step in s.requires and s.number in dates for s in S.STEPS):
        _add(errors, "step", _("This step is closed: the step after it is recorded."))
        return errors
    if date > today:
        _add(errors, "date", _("The date cannot be in the future."))
    earliest = max((dates[r] for r in info.requires), default=None)
    if earliest and date < earliest:
        _add(errors, "date", _("The date cannot be before the steps it follows (%(date)s).")
             % {"date": earliest.isoformat()})
    # Hard rules (see rules.py for their sources).
    if step == S.TARGET:
        allowed = rules.add_years(dates[S.ACTIVIST], rules.ACTIVIST_YEARS)
        if date < allowed:
            _add(errors, "date", _(
                "An activist can become a development target only after 1 year as an "
                "activist, from %(date)s.") % {"date": allowed.isoformat()})
    if step == S.SPONSORS:
        for problem in _sponsor_errors(candidate, sponsors or [], date):
            _add(errors, "sponsors", problem)
    if step == S.TRAINING and not hours:
        _add(errors, "hours", _("Enter the class hours of the training."))
    if step == S.COMMITTEE_REVIEW:
        trained = candidate.milestones.filter(step=S.TRAINING).values_list("hours", flat=True)
        if (trained[0] or 0) < rules.TRAINING_HOURS:
            _add(errors, "step", _(
                "The development target has fewer than %(hours)s class hours of training; "
                "without training there is no admission.") % {"hours": rules.TRAINING_HOURS})
    if step == S.ADMISSION_APPROVAL:
        latest = rules.add_months(dates[S.BRANCH_MEETING], rules.APPROVAL_MAX_MONTHS)
        if date > latest:
            _add(errors, "date", _(
                "Approval more than %(months)s months after the branch meeting is not "
                "allowed (latest %(date)s); the branch must discuss the admission again.")
                 % {"months": rules.APPROVAL_MAX_MONTHS, "date": latest.isoformat()})
    if step == S.CONVERSION_MEETING:
        end = rules.probation_end(dates[S.BRANCH_MEETING], extension_months)
        if date < end:
            _add(errors, "date", _(
                "Probation is complete on %(date)s; the conversion vote cannot come before.")
                 % {"date": end.isoformat()})
    return errors


def _extension_months(candidate: Candidate) -> int:
    ext = ProbationExtension.objects.filter(candidate=candidate).values_list(
        "months", flat=True).first()
    return ext or 0


@transaction.atomic
def milestone_record(actor, candidate: Candidate, *, step: int, date: dt.date, note: str = "",
                     hours: int | None = None, sponsors: list[Member] | None = None,
                     today: dt.date | None = None) -> Milestone:
    """Record that `step` was done on `date`. Step 17 admits the candidate (see
    `candidate_admit`), step 24 converts them (see `candidate_convert`)."""
    if step == S.ADMISSION_APPROVAL:
        return candidate_admit(actor, candidate, date=date, note=note, today=today)
    if step == S.CONVERSION_APPROVAL:
        return candidate_convert(actor, candidate, date=date, note=note, today=today)
    return _record(actor, candidate, step=step, date=date, note=note, hours=hours,
                   sponsors=sponsors, today=today)


def _record(actor, candidate: Candidate, *, step: int, date: dt.date, note: str = "",
            hours: int | None = None, sponsors: list[Member] | None = None,
            today: dt.date | None = None) -> Milestone:
    today = _today(today)
    # One writer at a time per candidate: steps depend on each other.
    candidate = Candidate.objects.select_for_update().select_related("organization").get(
        pk=candidate.pk)
    _raise(_milestone_errors(candidate, step, date, hours=hours, sponsors=sponsors,
                             today=today, extension_months=_extension_months(candidate)))
    info = S.STEP_BY_NUMBER[step]
    milestone = Milestone.objects.create(
        candidate=candidate, step=step, date=date, note=note.strip(),
        hours=hours if info.needs_hours else None, recorded_by=_user(actor),
    )
    data: dict[str, Any] = {"step": step, "date": date.isoformat()}
    if info.needs_sponsors:
        milestone.sponsors.set(sponsors or [])
        data["sponsors"] = sorted(s.pk for s in sponsors or [])
    if info.needs_hours:
        data["hours"] = hours
    audit_log(actor, "development.milestone.record", candidate, data,
              organization_path=candidate.organization.path)
    return milestone


@transaction.atomic
def candidate_admit(actor, candidate: Candidate, *, date: dt.date, note: str = "",
                    today: dt.date | None = None) -> Milestone:
    """Step 17, 上级党委审批: the candidate becomes a probationary member.

    Creates their member record: probationary, joined on the day of the branch meeting that
    admitted them (RULES §4.2: 党籍 from the 支部大会 once the 党委 approves; probation runs
    from that date), in the candidate's branch, with the ID number carried over encrypted.
    """
    milestone = _record(actor, candidate, step=S.ADMISSION_APPROVAL, date=date, note=note,
                        today=today)
    candidate = milestone.candidate
    meeting = candidate.milestones.get(step=S.BRANCH_MEETING).date
    member = Member(
        organization=candidate.organization, name=candidate.name, gender=candidate.gender,
        ethnicity=candidate.ethnicity, birth_date=candidate.birth_date, phone=candidate.phone,
        education=candidate.education, occupation=candidate.occupation,
        work_unit=candidate.work_unit, join_date=meeting,
        membership=Membership.PROBATIONARY, conversion_date=None, status=MemberStatus.NORMAL,
        id_number_cipher=candidate.id_number_cipher,
        id_number_digest=candidate.id_number_digest,
        id_number_masked=candidate.id_number_masked,
    )
    if Member.objects.filter(id_number_digest=member.id_number_digest).exists():
        raise ValidationError({"__all__": [_("A member already has this ID number.")]})
    member_validate(member, None)
    member.save()  # save() sets the pinyin search keys
    candidate.member = member
    candidate.save(update_fields=["member", "updated_at"])
    audit_log(actor, "member.create", member,
              {"name": member.name, "from_candidate": candidate.pk},
              organization_path=candidate.organization.path)
    audit_log(actor, "development.candidate.admit", candidate,
              {"member": member.pk, "join_date": meeting.isoformat(),
               "approved_on": date.isoformat()},
              organization_path=candidate.organization.path)
    return milestone


@transaction.atomic
def candidate_convert(actor, candidate: Candidate, *, date: dt.date, note: str = "",
                      today: dt.date | None = None) -> Milestone:
    """Step 24, 上级党委审批 of 转正: the probationary member becomes a full member.

    The conversion date is the day probation was complete (1 year from the branch meeting,
    plus the extension if any): 党龄 counts from it (党章).
    """
    member = None
    if candidate.member_id:
        member = Member.objects.select_for_update().get(pk=candidate.member_id)
    if member is None or member.membership != Membership.PROBATIONARY:
        raise ValidationError({"__all__": [
            _("Only a probationary member admitted through development can be converted.")]})
    milestone = _record(actor, candidate, step=S.CONVERSION_APPROVAL, date=date, note=note,
                        today=today)
    candidate = milestone.candidate
    meeting = candidate.milestones.get(step=S.BRANCH_MEETING).date
    conversion = rules.probation_end(meeting, _extension_months(candidate))
    before = {"membership": member.membership, "conversion_date": None}
    member.membership = Membership.FULL
    member.conversion_date = conversion
    member_validate(member, None)
    member.save(update_fields=["membership", "conversion_date", "updated_at"])
    audit_log(actor, "member.update", member, {"changes": {
        "membership": [before["membership"], Membership.FULL.value],
        "conversion_date": [None, conversion.isoformat()],
    }}, organization_path=member.organization.path)
    audit_log(actor, "development.candidate.convert", candidate,
              {"member": member.pk, "conversion_date": conversion.isoformat(),
               "approved_on": date.isoformat()},
              organization_path=candidate.organization.path)
    return milestone


@transaction.atomic
def probation_extend(actor, candidate: Candidate, *, decided_on: dt.date, months: int,
                     reason: str, today: dt.date | None = None) -> ProbationExtension:
    """延长预备期: once only, 6 to 12 months (细则 第三十二条), decided by the branch meeting
    before the conversion vote."""
    today = _today(today)
    candidate = Candidate.objects.select_for_update().select_related("organization").get(
        pk=candidate.pk)
    dates = _dates(candidate)
    errors: Errors = {}
    if S.ADMISSION_APPROVAL not in dates:
        _add(errors, "__all__", _("Only a probationary member's probation can be extended."))
    elif S.CONVERSION_MEETING in dates:
        _add(errors, "__all__", _("The conversion vote is recorded; probation is over."))
    elif ProbationExtension.objects.filter(candidate=candidate).exists():
        _add(errors, "__all__", _("Probation can be extended once only."))
    if not rules.extensions_ok((months,)):
        _add(errors, "months", _("An extension is between %(min)s and %(max)s months.")
             % {"min": rules.EXTENSION_MIN_MONTHS, "max": rules.EXTENSION_MAX_MONTHS})
    if decided_on > today:
        _add(errors, "decided_on", _("The date cannot be in the future."))
    elif S.BRANCH_MEETING in dates and decided_on < dates[S.BRANCH_MEETING]:
        _add(errors, "decided_on", _("The extension is decided during probation."))
    if not reason.strip():
        _add(errors, "reason", _("Give the reason."))
    _raise(errors)
    extension = ProbationExtension.objects.create(
        candidate=candidate, decided_on=decided_on, months=months, reason=reason.strip(),
        recorded_by=_user(actor),
    )
    audit_log(actor, "development.probation.extend", candidate,
              {"decided_on": decided_on.isoformat(), "months": months},
              organization_path=candidate.organization.path)
    return extension


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Organization):
        return value.pk
    return value

"""Evaluation pages (考评): democratic appraisal sessions, the member's ballot page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengling.core.scoping import scope_of
from fengling.organizations.selectors import access_organization

from . import rules
from .models import SessionState
from .selectors import (
    access_handling,
    access_session,
    can_write,
    has_voted,
    session_for_voter,
    session_list,
    session_tally,
    sessions_of_member,
)
from .services import (
    ballot_cast,
    handling_follow_up,
    self_assess,
    session_decide,
    session_open,
    session_propose,
)

PAGE_SIZE = 25


def _staff_only(user) -> None:
    scope = scope_of(user)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
@require_GET
def appraisals(request):
    """Appraisal sessions in scope with their counts; `?no_spread=1` lists those flagged
    一团和气 for the level above."""
    _staff_only(request.user)
    year = _int(request.GET.get("year"))
    flagged = request.GET.get("no_spread") == "1"
    page = Paginator(session_list(request.user, year=year, no_spread=True if flagged else None),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evaluation/appraisals.html", {
        "page": page, "year": year or "", "flagged": flagged,
        "this_year": timezone.localdate().year,
        "can_write": scope_of(request.user).can_write,
    })


@login_required
@require_POST
def appraisal_open(request):
    organization = access_organization(request.user, request.POST.get("organization"))
    if not can_write(request.user, organization.path):
        raise PermissionDenied
    year = _int(request.POST.get("year"), 0)
    try:
        session = session_open(request.user, organization, year)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("evaluation:appraisals")
    messages.success(request, _("The appraisal is open."))
    return redirect("evaluation:session", session.pk)


def _grades_from(post) -> dict[int, str]:
    return {int(k[6:]): v for k, v in post.items() if k.startswith("grade-") and k[6:].isdigit()}


@login_required
@require_GET
def session_detail(request, pk):
    """The secretary's page: participants, self-assessments, ballot counts, proposal and
    decision forms, handlings and their follow-ups."""
    session = access_session(request.user, pk)
    rows = session_tally(session)
    return render(request, "evaluation/session.html", {
        "session": session, "rows": rows,
        "voted": session.receipts.count(),
        "graded": sum(1 for r in rows if not r.participant.probationary),
        "excellent_allowed": rules.excellent_allowed(
            sum(1 for r in rows if not r.participant.probationary)),
        "can_write": can_write(request.user, session.organization.path),
        "grades": rules.Grade.choices, "handlings": rules.Handling.choices,
        "States": SessionState,
    })


@login_required
@require_POST
def session_propose_view(request, pk):
    session = access_session(request.user, pk, write=True)
    try:
        session_propose(request.user, session, _grades_from(request.POST))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The committee's proposal is recorded."))
    return redirect("evaluation:session", session.pk)


@login_required
@require_POST
def session_decide_view(request, pk):
    session = access_session(request.user, pk, write=True)
    post = request.POST
    handlings = {}
    for key in post:
        if key.startswith("action-") and key[7:].isdigit():
            pid = int(key[7:])
            due = post.get(f"due-{pid}") or None
            try:
                due = dt.date.fromisoformat(due) if due else None
            except ValueError:
                due = None
            handlings[pid] = {"action": post[key], "reasons": post.get(f"reasons-{pid}", ""),
                              "due_on": due}
    try:
        session_decide(request.user, session, _grades_from(post), handlings)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The meeting's decision is recorded."))
    return redirect("evaluation:session", session.pk)


@login_required
@require_POST
def follow_up(request, pk):
    handling = access_handling(request.user, pk, write=True)
    try:
        on = dt.date.fromisoformat(request.POST.get("on", ""))
    except ValueError:
        on = timezone.localdate()
    try:
        handling_follow_up(request.user, handling, on=on, note=request.POST.get("note", ""),
                           closes=request.POST.get("closes") == "1")
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The follow-up is recorded."))
    return redirect("evaluation:session", handling.participant.session_id)


@login_required
@require_GET
def mine(request):
    """A member's appraisals: where to assess themselves and vote."""
    if not request.user.member_id:
        raise PermissionDenied
    return render(request, "evaluation/mine.html", {
        "sessions": sessions_of_member(request.user.member_id)})


@login_required
@require_http_methods(["GET", "POST"])
def ballot(request, pk):
    """The phone page of a member taking part: self-assessment, then one anonymous ballot."""
    session, me = session_for_voter(request.user, pk)
    if request.method == "POST":
        try:
            if request.POST.get("what") == "self":
                self_assess(request.user, session, request.POST.get("text", ""))
                messages.success(request, _("Your self-assessment is saved."))
            else:
                ballot_cast(request.user, session, _grades_from(request.POST))
                messages.success(request, _("Your ballot is cast. Thank you."))
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("evaluation:ballot", session.pk)
    others = (session.participants.filter(probationary=False).exclude(pk=me.pk)
              .select_related("member"))
    return render(request, "evaluation/ballot.html", {
        "session": session, "me": me, "others": others,
        "voted": has_voted(session, request.user.member_id),
        "grades": rules.Grade.choices, "is_open": session.state == SessionState.OPEN,
    })

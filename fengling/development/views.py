"""Development pages: the pipeline board, a candidate's file, the deadlines, the forms."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengling.core.reveal import reveal_answer
from fengling.core.scoping import scope_of
from fengling.members.selectors import member_filter_organizations
from fengling.organizations.kinds import MEMBER_HOME_KINDS
from fengling.organizations.selectors import access_organization

from . import services
from .forms import BoardFilterForm, CandidateForm, ExtensionForm, MilestoneForm, WithdrawForm
from .models import Progress
from .privacy import access_candidate_to_reveal, candidate_reveal
from .selectors import (
    DEADLINE_WINDOW_DAYS,
    CandidateFilters,
    access_candidate,
    candidate_file,
    candidate_list,
    deadlines,
    sponsor_choices,
    stage_counts,
)
from .steps import Stage

PAGE_SIZE = 25


def _require_staff(user) -> None:
    """Development is staff work: a member (scope = their own record) has no pipeline."""
    scope = scope_of(user)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied


def _organization(request):
    raw = request.GET.get("organization", "").strip()
    # Out of scope is 404, as for every other way of naming an organization.
    return access_organization(request.user, raw) if raw else None


@login_required
@require_GET
def board(request):
    """Candidates by stage: the counts of each stage, and the candidates of one."""
    _require_staff(request.user)
    organization = _organization(request)
    form = BoardFilterForm(request.GET, organization_choices=member_filter_organizations(
        request.user, selected=organization))
    progress = form.value("progress") or Progress.ACTIVE
    filters = CandidateFilters(organization=organization, stage=form.value("stage"),
                               search=form.value("q") or "",
                               progress="" if progress == "all" else progress)
    page = Paginator(candidate_list(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page"))
    query = QueryDict(mutable=True)
    for key in ("q", "organization", "progress"):
        if request.GET.get(key, "").strip():
            query[key] = request.GET[key].strip()
    scope = scope_of(request.user)
    counts = stage_counts(request.user, filters)
    return render(request, "development/board.html", {
        "form": form,
        "page": page,
        "query": query,
        "stage": filters.stage,
        "columns": [(stage, counts[stage.value]) for stage in Stage],
        "total": sum(counts.values()),
        "organization": organization,
        "can_create": scope.can_write,
        "create_in": organization if organization is not None
        and organization.kind in MEMBER_HOME_KINDS
        and scope.covers_path(organization.path, write=True) else None,
    })


@login_required
@require_GET
def deadline_list(request):
    """Upcoming deadlines (next 30 days) and missed ones, per organization subtree."""
    _require_staff(request.user)
    organization = _organization(request)
    result = deadlines(request.user, organization=organization,
                       today=timezone.localdate())
    show = "missed" if request.GET.get("show") == "missed" else "upcoming"
    items = result.missed if show == "missed" else result.upcoming
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = QueryDict(mutable=True)
    if organization is not None:
        query["organization"] = str(organization.pk)
    return render(request, "development/deadlines.html", {
        "show": show,
        "page": page,
        "query": query,
        "upcoming_count": len(result.upcoming),
        "missed_count": len(result.missed),
        "organization": organization,
        "window": DEADLINE_WINDOW_DAYS,
        # U+3000 (ideographic space) indents sub-organizations inside the <select>.
        "organization_choices": [
            (pk, "\u3000" * indent + name)
            for pk, name, indent in member_filter_organizations(request.user,
                                                                selected=organization)
        ],
    })


def _detail_context(request, pk, **forms):
    file = candidate_file(request.user, pk, timezone.localdate())
    context = {"file": file, "candidate": file.candidate}
    if file.can_write:
        context["milestone_form"] = forms.get("milestone_form") or MilestoneForm(
            next_steps=file.next_steps, sponsor_choices=sponsor_choices(file.candidate),
            initial={"date": timezone.localdate()})
        context["extension_form"] = forms.get("extension_form") or ExtensionForm()
        context["withdraw_form"] = forms.get("withdraw_form") or WithdrawForm()
    return context


@login_required
@require_GET
def detail(request, pk):
    return render(request, "development/detail.html", _detail_context(request, pk))


@login_required
@require_POST
def reveal(request, pk):
    """Reveal one full value (`field`: id_number or phone), as on a member's page:
    permission-checked and audited. HTMX gets the value's fragment; a plain form post gets
    the page with it shown."""
    candidate = access_candidate_to_reveal(request.user, pk)
    return reveal_answer(
        request, functools.partial(candidate_reveal, request.user, candidate),
        lambda values: render(request, "development/detail.html",
                              {**_detail_context(request, pk), "revealed": values}),
    )


@login_required
@require_POST
def milestone_add(request, pk):
    candidate = access_candidate(request.user, pk, write=True)
    file = candidate_file(request.user, pk, timezone.localdate())
    form = MilestoneForm(request.POST, next_steps=file.next_steps,
                         sponsor_choices=sponsor_choices(candidate))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.milestone_record(
                request.user, candidate, step=data["step"], date=data["date"],
                note=data["note"], hours=data.get("hours"),
                sponsors=list(data.get("sponsors") or []) or None,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Recorded the step."))
            return redirect("development:detail", pk=candidate.pk)
    return render(request, "development/detail.html",
                  _detail_context(request, pk, milestone_form=form), status=400)


@login_required
@require_POST
def extend(request, pk):
    candidate = access_candidate(request.user, pk, write=True)
    form = ExtensionForm(request.POST)
    if form.is_valid():
        try:
            services.probation_extend(request.user, candidate, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Recorded the extension of probation."))
            return redirect("development:detail", pk=candidate.pk)
    return render(request, "development/detail.html",
                  _detail_context(request, pk, extension_form=form), status=400)


@login_required
@require_POST
def withdraw(request, pk):
    candidate = access_candidate(request.user, pk, write=True)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.candidate_withdraw(request.user, candidate, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Closed the file of %(name)s.")
                             % {"name": candidate.name})
            return redirect("development:detail", pk=candidate.pk)
    return render(request, "development/detail.html",
                  _detail_context(request, pk, withdraw_form=form), status=400)


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    if not scope_of(request.user).can_write:
        raise PermissionDenied
    home = None
    raw = request.GET.get("organization", "").strip()
    if raw:
        org = access_organization(request.user, raw, write=True)
        if org.kind in MEMBER_HOME_KINDS:
            home = org
    return _candidate_form(request, home=home)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    candidate = access_candidate(request.user, pk, write=True)
    return _candidate_form(request, candidate=candidate)


def _candidate_form(request, *, candidate=None, home=None):
    if request.method == "POST":
        form = CandidateForm(request.POST, user=request.user, candidate=candidate, home=home)
        if form.is_valid():
            saved = form.save()
            if saved is not None:
                if candidate is None:
                    messages.success(request, _("Added %(name)s to member development.")
                                     % {"name": saved.name})
                else:
                    messages.success(request, _("Saved the record of %(name)s.")
                                     % {"name": saved.name})
                return redirect("development:detail", pk=saved.pk)
    else:
        form = CandidateForm(user=request.user, candidate=candidate, home=home)
    return render(request, "development/form.html", {"form": form, "candidate": candidate})

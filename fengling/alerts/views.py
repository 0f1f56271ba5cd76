"""Pages of early warning (监测预警) and rectification (整转提升).

Every view goes through the scoping layer: `access_*` guards (404 out of scope, 403
read-only) and `visible_to` lists. The level above reviews a case (`services.can_review`).
"""

from __future__ import annotations

import datetime as dt
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengling.core.forms import add_service_errors
from fengling.core.scoping import scope_of
from fengling.organizations.selectors import access_organization

from . import forms, selectors, services
from .models import CaseState, WarningState
from .rules import RULE_BY_ID

PAGE_SIZE = 25


def _staff_only(user) -> None:
    scope = scope_of(user)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied


def _month(request, name: str) -> dt.date | None:
    """`?opened=2026-03`: a month, or None when absent or not a month (ignored)."""
    raw = request.GET.get(name, "").strip()
    try:
        return dt.datetime.strptime(raw, "%Y-%m").date() if raw else None
    except ValueError:
        return None


@login_required
@require_GET
def alert_index(request):
    """Warnings in scope: filters by level, rule, organization subtree and state."""
    _staff_only(request.user)
    raw = request.GET.get("organization", "").strip()
    organization = access_organization(request.user, raw) if raw else None
    form = forms.AlertFilterForm(request.GET or None)
    state = form.value("state") if "state" in request.GET else WarningState.OPEN
    opened, resolved = _month(request, "opened"), _month(request, "resolved")
    filters = selectors.AlertFilters(level=form.value("level"), rule=form.value("rule"),
                                     state=state, organization=organization,
                                     opened_month=opened, resolved_month=resolved)
    page = Paginator(selectors.alert_list(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "alerts/list.html", {
        "form": form, "page": page, "organization": organization,
        "opened": opened, "resolved": resolved,
        "counts": selectors.level_counts(request.user, organization),
        "scan": selectors.latest_scan(),
    })


@login_required
@require_GET
def alert_detail(request, pk):
    alert = selectors.access_alert(request.user, pk)
    scope = scope_of(request.user)
    return render(request, "alerts/detail.html", {
        "alert": alert, "rule": RULE_BY_ID.get(alert.rule),
        "cases": alert.cases.select_related("responsible").order_by("-created_at"),
        "can_rectify": scope.covers_path(alert.organization.path, write=True),
        "history": selectors.alert_list(request.user, selectors.AlertFilters(
            rule=alert.rule, state="")).filter(subject=alert.subject).exclude(pk=alert.pk),
    })


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request, pk):
    """Start a rectification case from a warning."""
    alert = selectors.access_alert(request.user, pk, write=True)
    form = forms.CaseForm(
        request.POST or None,
        responsible_choices=selectors.responsible_choices(alert.organization),
        initial={"title": alert.title, "deadline": timezone.localdate()
                 + timezone.timedelta(days=30)})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.case_open(request.user, alert.organization,
                                      responsible=d["responsible"], plan=d["plan"],
                                      deadline=d["deadline"], title=d["title"], alert=alert)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The rectification case is opened."))
            return redirect("alerts:case", pk=case.pk)
    return render(request, "alerts/case_form.html", {
        "form": form, "alert": alert, "organization": alert.organization,
        "title": _("Start a rectification"),
    })


@login_required
@require_GET
def case_index(request):
    _staff_only(request.user)
    raw = request.GET.get("organization", "").strip()
    organization = access_organization(request.user, raw) if raw else None
    form = forms.CaseFilterForm(request.GET or None)
    state = form.cleaned_data.get("state", "") if form.is_bound and form.is_valid() else ""
    today = timezone.localdate()
    filters = selectors.CaseFilters(state=state, organization=organization,
                                    overdue=request.GET.get("overdue") == "1")
    page = Paginator(selectors.case_list(request.user, filters, today), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "alerts/cases.html", {
        "form": form, "page": page, "today": today, "title": _("Rectification cases"),
        "organization": organization, "overdue": filters.overdue})


@login_required
@require_GET
def todo(request):
    """My to-do: unclosed cases I am responsible for (branch secretaries)."""
    page = Paginator(selectors.my_todo(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "alerts/cases.html", {
        "page": page, "today": timezone.localdate(), "title": _("My rectification to-do"),
        "mine": True})


@login_required
@require_GET
def case_file(request, pk, event_id):
    """An evidence file of a case, to whoever may open the case (never a bare media URL)."""
    case = selectors.access_case(request.user, pk)
    event = get_object_or_404(case.events.exclude(file=""), pk=event_id)
    return FileResponse(event.file.open("rb"), as_attachment=True,
                        filename=os.path.basename(event.file.name))


@login_required
@require_GET
def case_detail(request, pk):
    case = selectors.access_case(request.user, pk)
    scope = scope_of(request.user)
    can_write = scope.covers_path(case.organization.path, write=True)
    return render(request, "alerts/case.html", {
        "case": case, "events": case.events.select_related("actor"),
        "can_write": can_write and case.state != CaseState.CLOSED,
        "can_review": services.can_review(request.user, case),
        "progress_form": forms.ProgressForm(), "review_form": forms.ReviewForm(),
        "overdue": case.state != CaseState.CLOSED and case.deadline < timezone.localdate(),
        "escalated_to": services.escalated_to(case),
    })


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk):
    case = selectors.access_case(request.user, pk, write=True)
    form = forms.CaseForm(
        request.POST or None,
        responsible_choices=selectors.responsible_choices(case.organization),
        initial={"title": case.title, "responsible": case.responsible_id, "plan": case.plan,
                 "deadline": case.deadline})
    form.fields["title"].disabled = True
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.case_update(request.user, case, responsible=d["responsible"],
                                 plan=d["plan"], deadline=d["deadline"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The case is updated."))
            return redirect("alerts:case", pk=case.pk)
    return render(request, "alerts/case_form.html", {
        "form": form, "case": case, "organization": case.organization,
        "title": _("Change the case")})


@login_required
@require_POST
def case_progress(request, pk):
    case = selectors.access_case(request.user, pk, write=True)
    form = forms.ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.case_progress(request.user, case, text=form.cleaned_data["text"],
                                   file=form.cleaned_data.get("file"),
                                   submit=form.cleaned_data["submit"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The progress is recorded."))
    else:
        messages.error(request, _("Describe the progress."))
    return redirect("alerts:case", pk=case.pk)


@login_required
@require_POST
def case_review(request, pk):
    case = selectors.access_case(request.user, pk)
    if not services.can_review(request.user, case):
        raise PermissionDenied
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.case_review(request.user, case, decision=d["decision"], text=d["text"],
                                 deadline=d.get("deadline"))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The review is recorded."))
    else:
        messages.error(request, _("Choose approve or reopen."))
    return redirect("alerts:case", pk=case.pk)

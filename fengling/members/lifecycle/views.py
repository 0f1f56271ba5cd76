"""Lifecycle pages: the action forms of the member page and the per-organization lists.

Every view goes through the scoping layer: `access_member` / `access_*` guards (404 out of
scope, 403 read-only) and `visible_to` lists.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from fengling.core.forms import add_service_errors
from fengling.core.scoping import scope_of
from fengling.organizations.selectors import access_organization

from ..models import MemberStatus
from ..selectors import access_member, member_home_choices
from . import forms, rules, selectors, services

PAGE_SIZE = 25


def _action(request, *, form, title, member, call, done, back=None):
    """Show `form`; on a valid POST run `call(cleaned_data)` and go back to the member."""
    back = back or reverse("members:detail", args=[member.pk])
    if request.method == "POST" and form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(back)
    return render(request, "lifecycle/form.html",
                  {"form": form, "title": title, "member": member, "back": back})


def _data(request):
    return request.POST if request.method == "POST" else None


@login_required
@require_http_methods(["GET", "POST"])
def status_new(request, pk):
    member = access_member(request.user, pk, write=True)
    lifecycle = selectors.member_lifecycle(request.user, member, can_write=True)
    form = forms.StatusChangeForm(_data(request), kinds=lifecycle.manual_kinds)
    return _action(
        request, form=form, title=_("Record a change of standing"), member=member,
        done=_("The change is recorded."),
        call=lambda d: services.status_change_add(
            request.user, member, kind=d["kind"], effective_on=d["effective_on"],
            reason=d["reason"], document=d["document"]))


@login_required
@require_http_methods(["GET", "POST"])
def transfer_new(request, pk):
    member = access_member(request.user, pk, write=True)
    form = forms.TransferIssueForm(
        _data(request), receivers=selectors.receiving_choices().exclude(
            pk=member.organization_id),
        initial={"issued_on": timezone.localdate()})
    return _action(
        request, form=form, title=_("Issue a transfer letter"), member=member,
        done=_("The transfer letter is issued."),
        call=lambda d: services.transfer_issue(
            request.user, member, letter_number=d["letter_number"],
            issued_on=d["issued_on"], to_organization=d["to_organization"],
            outside_unit=d["outside_unit"], valid_until=d["valid_until"],
            reason=d["reason"]))


@login_required
@require_http_methods(["GET", "POST"])
def transfer_incoming(request, pk):
    member = access_member(request.user, pk, write=True)
    form = forms.TransferIncomingForm(
        _data(request), receivers=member_home_choices(request.user),
        initial={"to_organization": member.organization_id,
                 "received_on": timezone.localdate()})
    return _action(
        request, form=form, title=_("Record a transfer from outside the district"),
        member=member, done=_("The transfer is recorded."),
        call=lambda d: services.transfer_incoming(
            request.user, member, to_organization=d["to_organization"],
            outside_unit=d["outside_unit"], letter_number=d["letter_number"],
            issued_on=d["issued_on"], received_on=d["received_on"], reason=d["reason"]))


@login_required
@require_GET
def transfer_detail(request, pk):
    transfer = selectors.access_transfer(request.user, pk)
    today = timezone.localdate()
    view = selectors.transfer_view(request.user, transfer, today)
    scope = scope_of(request.user)
    return render(request, "lifecycle/transfer_detail.html", {
        "view": view, "t": transfer, "actions": view.actions(today),
        "form": forms.TransferActionForm(initial={"on": today}),
        "member_visible": scope.covers_path(transfer.member.organization.path)
        or transfer.member_id in scope.member_ids,
    })


@login_required
@require_POST
def transfer_act(request, pk, action):
    if action not in rules.TransferAction.values:
        raise PermissionDenied
    transfer = selectors.access_transfer(request.user, pk, write=True)
    form = forms.TransferActionForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    try:
        services.transfer_act(request.user, transfer, action, reason=data.get("reason", ""),
                              on=data.get("on"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done: %(action)s.")
                         % {"action": rules.TransferAction(action).label})
    return redirect("lifecycle:transfer", pk=transfer.pk)


@login_required
@require_http_methods(["GET", "POST"])
def mobile_new(request, pk):
    member = access_member(request.user, pk, write=True)
    form = forms.MobileForm(_data(request))
    return _action(
        request, form=form, title=_("Record a mobile member"), member=member,
        done=_("The mobile member record is saved."),
        call=lambda d: services.mobile_open(request.user, member, **d))


@login_required
@require_http_methods(["GET", "POST"])
def mobile_report(request, pk):
    record = selectors.access_mobile_record(request.user, pk, write=True)
    form = forms.MobileReportForm(_data(request),
                                  initial={"year": timezone.localdate().year,
                                           "reported_on": timezone.localdate()})
    return _action(
        request, form=form, title=_("Record an annual report"), member=record.member,
        done=_("The annual report is recorded."),
        call=lambda d: services.mobile_report_add(request.user, record, **d))


@login_required
@require_http_methods(["GET", "POST"])
def mobile_close(request, pk):
    record = selectors.access_mobile_record(request.user, pk, write=True)
    form = forms.MobileCloseForm(_data(request))
    return _action(
        request, form=form, title=_("End the mobile period"), member=record.member,
        done=_("The mobile period has ended."),
        call=lambda d: services.mobile_close(request.user, record, **d))


@login_required
@require_http_methods(["GET", "POST"])
def lost_new(request, pk):
    member = access_member(request.user, pk, write=True)
    form = forms.LostForm(_data(request))
    return _action(
        request, form=form, title=_("Record lost contact"), member=member,
        done=_("The lost-contact record is saved."),
        call=lambda d: services.lost_open(request.user, member, **d))


@login_required
@require_http_methods(["GET", "POST"])
def lost_effort(request, pk):
    record = selectors.access_lost_record(request.user, pk, write=True)
    form = forms.EffortForm(_data(request), initial={"made_on": timezone.localdate()})
    return _action(
        request, form=form, title=_("Record a search effort"), member=record.member,
        done=_("The search effort is recorded."),
        call=lambda d: services.lost_effort_add(request.user, record, **d))


@login_required
@require_http_methods(["GET", "POST"])
def lost_found(request, pk):
    record = selectors.access_lost_record(request.user, pk, write=True)
    form = forms.FoundForm(_data(request), initial={"found_on": timezone.localdate()})
    return _action(
        request, form=form, title=_("Found again"), member=record.member,
        done=_("The member is found; the lost-contact record is closed."),
        call=lambda d: services.lost_found(request.user, record, **d))


# --- lists ------------------------------------------------------------------------------------


def _list_organization(request):
    raw = request.GET.get("organization", "").strip()
    return access_organization(request.user, raw) if raw else None


def _staff_only(request) -> None:
    scope = scope_of(request.user)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@require_GET
@vary_on_headers("HX-Request")
def transfers(request):
    """Transfers in and out of an organization's subtree (or the whole scope); overdue
    letters (not received within validity) are highlighted."""
    _staff_only(request)
    organization = _list_organization(request)
    direction = request.GET.get("direction", "")
    state = request.GET.get("state", "")
    today = timezone.localdate()
    page = _page(request, selectors.transfer_list(
        request.user, organization=organization, direction=direction, state=state,
        today=today))
    rows = [selectors.transfer_view(request.user, t, today) for t in page.object_list]
    htmx = getattr(request, "htmx", None)
    fragment = bool(htmx) and not htmx.history_restore_request and htmx.target == "transfer-results"
    template = "lifecycle/transfers.html" + ("#results" if fragment else "")
    return render(request, template, {
        "page": page, "rows": rows, "organization": organization, "direction": direction,
        "state": state, "states": [*rules.TransferState.choices],
        "section": "transfers",
    })


@login_required
@require_GET
def mobile(request):
    """Mobile members (流动党员) of the home branches in scope, with their report status."""
    _staff_only(request)
    organization = _list_organization(request)
    today = timezone.localdate()
    page = _page(request, selectors.mobile_list(request.user, organization=organization))
    for record in page.object_list:
        record.report_due = rules.mobile_report_due(record.since, record.last_report_on)
        record.report_overdue = record.report_due < today
    return render(request, "lifecycle/mobile.html", {
        "page": page, "organization": organization, "section": "mobile"})


@login_required
@require_GET
def lost(request):
    """Lost-contact members (失联党员) in scope; those past 6 months are flagged for the
    停止党籍 decision (RULES §4.4)."""
    _staff_only(request)
    organization = _list_organization(request)
    today = timezone.localdate()
    page = _page(request, selectors.lost_list(request.user, organization=organization))
    for record in page.object_list:
        record.stop_due = rules.lost_stop_due(record.since)
        record.stop_overdue = (record.member.status == MemberStatus.LOST_CONTACT
                               and record.stop_due <= today)
        # Stopped and still unreachable: 除名 two years after stopping (RULES §4.4).
        record.removal_due = (rules.stopped_removal_due(record.stopped_on)
                              if record.member.status == MemberStatus.STOPPED
                              and record.stopped_on else None)
        record.removal_overdue = record.removal_due is not None and record.removal_due <= today
    return render(request, "lifecycle/lost.html", {
        "page": page, "organization": organization, "section": "lost"})

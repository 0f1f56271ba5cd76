"""Meeting pages: list, meeting page, forms, sign-in, themed Party Day, push, compliance."""

from __future__ import annotations

import datetime as dt
import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengling.core.forms import add_service_errors
from fengling.core.scoping import scope_of
from fengling.members.selectors import member_filter_organizations
from fengling.organizations.selectors import access_organization, organization_roots

from . import rules
from .forms import (
    CancelForm,
    FileForm,
    MeetingFilterForm,
    MeetingForm,
    PartyDayForm,
    PartyDaySettingForm,
    PeriodForm,
    VoteForm,
)
from .models import AttendanceStatus, Meeting, MeetingKind, MeetingState
from .selectors import (
    MeetingFilters,
    access_meeting,
    access_theme_push,
    attendance_summary,
    can_write,
    compliance_report,
    meeting_attendance,
    meeting_list,
    meetings_of_member,
    push_list,
    push_status,
)
from .services import (
    SigninRefused,
    attendance_set,
    meeting_file_add,
    meeting_schedule,
    meeting_signin,
    meeting_transition,
    meeting_update,
    meeting_vote_record,
    party_day_create_for_month,
    party_day_of,
    party_day_push,
    party_day_setting_set,
    signin_window,
)

PAGE_SIZE = 25


def _staff_only(user) -> None:
    """Pages over an organization's meetings need an organization scope (members have
    their own page, `mine`)."""
    scope = scope_of(user)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied


def _organization(request, *, required: bool = True):
    """`?organization=` (404 outside scope), else the top of the user's scope."""
    raw = request.GET.get("organization", "").strip() or request.POST.get("organization", "")
    if raw:
        return access_organization(request.user, raw)
    if not required:
        return None
    root = organization_roots(request.user).first()
    if root is None:
        raise Http404
    return root


@login_required
@require_GET
def index(request):
    """An organization's meetings (its whole subtree), filtered by kind, state and period."""
    _staff_only(request.user)
    organization = _organization(request, required=False)
    form = MeetingFilterForm(request.GET, organization_choices=member_filter_organizations(
        request.user, selected=organization))
    # Without a filter the page is about the top of the user's scope (its buttons too).
    here = organization or organization_roots(request.user).first()
    filters = MeetingFilters(organization=organization, kind=form.value("kind") or "",
                             state=form.value("state") or "", start=form.value("start"),
                             end=form.value("end"))
    page = Paginator(meeting_list(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page"))
    query = QueryDict(mutable=True)
    for key in ("organization", "kind", "state", "start", "end"):
        if request.GET.get(key, "").strip():
            query[key] = request.GET[key].strip()
    return render(request, "meetings/list.html", {
        "form": form, "page": page, "query": query, "organization": here,
        "can_create": here is not None and can_write(request.user, here),
        "holds_party_days": here is not None and here.kind in rules.PARTY_DAY_ORG_KINDS,
    })


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    organization = _organization(request)
    if not can_write(request.user, organization):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meeting_schedule(request.user, organization, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The meeting is planned."))
            return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/form.html", {"form": form, "organization": organization,
                                                  "meeting": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk):
    meeting = access_meeting(request.user, pk, write=True)
    form = MeetingForm(request.POST or None, instance=meeting,
                       organization=meeting.organization)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_update(request.user, Meeting.objects.get(pk=meeting.pk), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/form.html", {"form": form, "meeting": meeting,
                                                  "organization": meeting.organization})


@login_required
@require_GET
def detail(request, pk):
    """The meeting page: details, attendance, sign-in QR code (for those who run it), files."""
    meeting = access_meeting(request.user, pk)
    writable = can_write(request.user, meeting.organization)
    opens, closes = signin_window(meeting)
    return render(request, "meetings/detail.html", {
        "meeting": meeting,
        "attendance": list(meeting_attendance(meeting)),
        "summary": attendance_summary(meeting),
        "files": list(meeting.files.all()),
        "votes": list(meeting.votes.all()),
        "can_write": writable,
        "transitions": sorted(rules.TRANSITIONS[meeting.state]) if writable else [],
        "signin_url": request.build_absolute_uri(
            reverse("meetings:signin", args=[meeting.signin_token])) if writable else "",
        "signin_opens": opens, "signin_closes": closes,
        "statuses": [s for s in AttendanceStatus.choices if s[0] != AttendanceStatus.EXPECTED],
        "is_assembly": meeting.kind == MeetingKind.GENERAL_ASSEMBLY,
        "cancel_form": CancelForm(), "file_form": FileForm(), "vote_form": VoteForm(),
    })


@login_required
@require_POST
def transition(request, pk):
    meeting = access_meeting(request.user, pk, write=True)
    target = request.POST.get("state", "")
    try:
        meeting_transition(request.user, meeting, target,
                           reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The meeting is now “%(state)s”.") % {
            "state": MeetingState(target).label})
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def attendance(request, pk):
    """Record attendance from the table: `status_<member id>` and `reason_<member id>`."""
    meeting = access_meeting(request.user, pk, write=True)
    changes = {}
    for key, value in request.POST.items():
        if key.startswith("status_") and value:
            try:
                member_id = int(key.removeprefix("status_"))
            except ValueError:
                continue
            changes[member_id] = (value, request.POST.get(f"reason_{member_id}", ""))
    try:
        n = attendance_set(request.user, meeting, changes)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Attendance saved (%(n)s changed).") % {"n": n})
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_POST
def upload(request, pk):
    meeting = access_meeting(request.user, pk, write=True)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            meeting_file_add(request.user, meeting, form.cleaned_data["file"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The file is attached."))
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_GET
def download(request, pk, file_id):
    meeting = access_meeting(request.user, pk)
    item = get_object_or_404(meeting.files, pk=file_id)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


@login_required
@require_POST
def vote(request, pk):
    meeting = access_meeting(request.user, pk, write=True)
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the subject and the numbers of votes."))
    else:
        try:
            result = meeting_vote_record(request.user, meeting, **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The motion passed.") if result.passed
                             else _("The motion did not pass."))
    return redirect("meetings:detail", meeting.pk)


@login_required
@require_GET
def qr_code(request, pk):
    """The sign-in QR code as SVG, for those who run the meeting (segno, made here)."""
    meeting = access_meeting(request.user, pk, write=True)
    url = request.build_absolute_uri(reverse("meetings:signin", args=[meeting.signin_token]))
    buffer = io.BytesIO()
    # A standalone SVG document (with its namespace), so an <img> can show it; white border.
    segno.make(url, error="m").save(buffer, kind="svg", scale=6, border=2,
                                    title=_("Sign-in QR code"), light="#fff")
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@login_required
@require_http_methods(["GET", "POST"])
def signin(request, token):
    """Phone page behind the QR code: the member signs in with one tap."""
    meeting = get_object_or_404(Meeting.objects.select_related("organization"),
                                signin_token=token)
    row = None
    error = ""
    if request.method == "POST":
        try:
            row = meeting_signin(request.user, meeting)
        except SigninRefused as exc:
            error = exc.messages[0]
    opens, closes = signin_window(meeting)
    return render(request, "meetings/signin.html", {
        "meeting": meeting, "row": row, "error": error, "opens": opens, "closes": closes,
    }, status=400 if error else 200)


@login_required
@require_GET
def mine(request):
    """The member's own meetings: upcoming ones first, with their sign-in links."""
    if not request.user.member_id:
        raise Http404
    since = timezone.now() - dt.timedelta(days=31)
    rows = list(meetings_of_member(request.user.member_id, since=since)[:50])
    return render(request, "meetings/mine.html", {"rows": rows})


# --- Themed Party Day ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def party_day(request):
    """The secretary's themed-day page: the fixed day, and the one button."""
    organization = _organization(request)
    if organization.kind not in rules.PARTY_DAY_ORG_KINDS:
        raise Http404
    writable = can_write(request.user, organization)
    if request.method == "POST" and not writable:
        raise PermissionDenied
    form = PartyDayForm(request.POST if request.POST.get("action") == "create" else None)
    setting_form = PartyDaySettingForm(
        request.POST if request.POST.get("action") == "setting" else None,
        initial={"day_of_month": party_day_of(organization)})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "setting" and setting_form.is_valid():
                party_day_setting_set(request.user, organization,
                                      setting_form.cleaned_data["day_of_month"])
                messages.success(request, _("The fixed day is saved."))
                return redirect(f"{reverse('meetings:party_day')}?organization="
                                f"{organization.pk}")
            if request.POST.get("action") == "create" and form.is_valid():
                meeting, created = party_day_create_for_month(
                    request.user, organization, **form.cleaned_data)
                messages.success(request, _("The themed Party Day is created and the members "
                                            "are notified.") if created else
                                 _("This month's themed Party Day already exists."))
                return redirect("meetings:detail", meeting.pk)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    recent = meeting_list(request.user, MeetingFilters(organization=organization,
                                                       kind=MeetingKind.PARTY_DAY))[:12]
    return render(request, "meetings/party_day.html", {
        "organization": organization, "form": form, "setting_form": setting_form,
        "can_write": writable, "recent": list(recent),
    })


@login_required
@require_http_methods(["GET", "POST"])
def push(request):
    """A district or street pushes a theme to every branch below it."""
    _staff_only(request.user)
    organization = _organization(request)
    writable = can_write(request.user, organization)
    form = PartyDayForm(request.POST or None)
    if request.method == "POST":
        if not writable:
            raise PermissionDenied
        if form.is_valid():
            try:
                pushed, created = party_day_push(request.user, organization,
                                                 **form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("Pushed: %(n)s themed days created.") % {
                    "n": created})
                return redirect("meetings:push_status", pushed.pk)
    return render(request, "meetings/push.html", {
        "organization": organization, "form": form, "can_write": writable,
        "pushes": list(push_list(request.user, organization)[:24]),
    })


@login_required
@require_GET
def push_status_page(request, pk):
    """Who has held a pushed theme: every branch below, held or not."""
    _staff_only(request.user)
    pushed = access_theme_push(request.user, pk)
    rows = push_status(pushed)
    held = sum(1 for r in rows if r.state == MeetingState.HELD)
    return render(request, "meetings/push_status.html", {
        "push": pushed, "rows": rows, "held": held, "not_held": len(rows) - held,
    })


@login_required
@require_GET
def compliance(request):
    """What RULES requires vs what was held, for an organization and its subtree."""
    _staff_only(request.user)
    organization = _organization(request)
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("start", f"{today.year}-01-01")
    data.setdefault("end", f"{today.year}-12-31")
    form = PeriodForm(data)
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    report = compliance_report(request.user, organization, start, end, today=today)
    return render(request, "meetings/compliance.html", {
        "form": form, "report": report, "organization": organization,
        "kind_labels": [MeetingKind(k).label for k in report.kinds],
    })

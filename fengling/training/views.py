"""Training pages (教育培训): courses, sessions and attendance, exams, my study hours, the
organization's hours report, certification (持证上岗), study review, secondments and
pairings, party workers' reports. Thin: parse, call one selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengling.core.scoping import scope_of
from fengling.members.models import Member
from fengling.members.selectors import access_member
from fengling.organizations.models import Organization
from fengling.organizations.selectors import access_organization

from . import rules, selectors, services
from .forms import (
    CourseForm,
    ExamForm,
    PlacementForm,
    ReportForm,
    SessionForm,
    StudyRecordForm,
    parse_year,
)
from .models import CourseKind, PlacementKind, ReportKind, ReportStatus
from .pdf import FontMissing, certificate_filename, certificate_pdf

PAGE_SIZE = 25


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _staff(request) -> None:
    """Pages over an organization's records: staff with an organization scope only."""
    scope = scope_of(request.user)
    if not (scope.everything or scope.read_paths):
        raise PermissionDenied


def _organization_param(request) -> Organization | None:
    raw = request.GET.get("organization", "").strip()
    return access_organization(request.user, raw) if raw else None


# --- courses --------------------------------------------------------------------------------


@login_required
@require_GET
def course_index(request):
    _staff(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in CourseKind.values else ""
    year = parse_year(request.GET.get("year")) if request.GET.get("year") else None
    page = _page(request, selectors.course_list(request.user, kind=kind, year=year))
    return render(request, "training/course_list.html", {
        "page_obj": page, "kinds": CourseKind.choices, "kind": kind, "year": year,
        "can_create": scope_of(request.user).can_write,
    })


@login_required
@require_http_methods(["GET", "POST"])
def course_create(request):
    if not scope_of(request.user).can_write:
        raise PermissionDenied
    organizations = list(selectors.course_owner_choices(request.user)[:1000])
    form = CourseForm(request.POST or None, organizations=organizations,
                      initial={"starts_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organization = access_organization(request.user, data.pop("organization"), write=True)
        try:
            course = services.course_create(request.user, organization=organization, **data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Created the course %(title)s.") % {"title": course.title})
            return redirect("training:course", pk=course.pk)
    return render(request, "training/form.html",
                  {"form": form, "heading": _("New course"), "back": "training:courses"})


@login_required
@require_GET
def course_detail(request, pk):
    page = selectors.course_page(request.user, pk)
    return render(request, "training/course_detail.html", {
        "p": page, "course": page.course,
        "session_form": SessionForm(), "exam_form": ExamForm(),
    })


@login_required
@require_POST
def session_add(request, pk):
    course = selectors.access_course(request.user, pk, write=True)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            services.session_add(request.user, course, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Added the session."))
            return redirect("training:course", pk=course.pk)
    page = selectors.course_page(request.user, pk)
    return render(request, "training/course_detail.html", {
        "p": page, "course": course, "session_form": form, "exam_form": ExamForm(),
    }, status=422)


@login_required
@require_POST
def exam_add(request, pk):
    course = selectors.access_course(request.user, pk, write=True)
    form = ExamForm(request.POST)
    if form.is_valid():
        try:
            exam = services.exam_create(request.user, course, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("training:exam", pk=exam.pk)
    page = selectors.course_page(request.user, pk)
    return render(request, "training/course_detail.html", {
        "p": page, "course": course, "session_form": SessionForm(), "exam_form": form,
    }, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def course_enrol(request, pk):
    """Find members of the organizing subtree by name or pinyin and enrol the ticked ones."""
    course = selectors.access_course(request.user, pk, write=True)
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("member") if v.isdigit()]
        try:
            added = services.enrol_members(request.user, course, ids)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Enrolled %(count)d members.") % {"count": added})
            return redirect("training:course", pk=course.pk)
    q = request.GET.get("q", "").strip()
    candidates = selectors.enrolable_members(course)
    if q:
        candidates = candidates.search(q)
    return render(request, "training/enrol.html", {
        "course": course, "q": q, "candidates": list(candidates[:50]),
    })


@login_required
@require_http_methods(["GET", "POST"])
def session_detail(request, pk):
    """The session's roll: tick who was present; everyone else enrolled is absent."""
    session = selectors.access_session(request.user, pk)
    can_write = scope_of(request.user).covers_path(session.course.organization.path,
                                                  write=True)
    if request.method == "POST":
        session = selectors.access_session(request.user, pk, write=True)
        ids = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
        try:
            counts = services.attendance_record(request.user, session, ids)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved: %(present)d present, %(absent)d absent.")
                             % counts)
            return redirect("training:session", pk=session.pk)
    return render(request, "training/session_detail.html", {
        "session": session, "course": session.course, "can_write": can_write,
        "roll": selectors.session_roll(session),
        "started": session.starts_at <= timezone.now(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def exam_detail(request, pk):
    exam = selectors.access_exam(request.user, pk)
    can_write = scope_of(request.user).covers_path(exam.course.organization.path, write=True)
    errors: dict[int, str] = {}
    if request.method == "POST":
        exam = selectors.access_exam(request.user, pk, write=True)
        entered = {int(k[6:]): v.strip() for k, v in request.POST.items()
                   if k.startswith("score_") and k[6:].isdigit() and v.strip()}
        members = {m.pk: m for m in Member.objects.filter(pk__in=entered)
                   .select_related("organization")}
        try:
            with transaction.atomic():
                for member_id, raw in entered.items():
                    member = members.get(member_id)
                    if member is None:
                        raise Http404
                    try:
                        services.exam_score_record(request.user, exam, member, raw)
                    except (ValidationError, ArithmeticError, ValueError) as exc:
                        errors[member_id] = (" ".join(exc.messages)
                                             if isinstance(exc, ValidationError)
                                             else _("Enter a number."))
                if errors:
                    raise ValidationError("")
        except ValidationError:
            messages.error(request, _("Some scores are not valid; nothing was saved."))
        else:
            messages.success(request, _("Saved the scores."))
            return redirect("training:exam", pk=exam.pk)
    roll = selectors.exam_roll(exam)
    return render(request, "training/exam_detail.html", {
        "exam": exam, "course": exam.course, "can_write": can_write,
        "roll": [(m, s, errors.get(m.pk), request.POST.get(f"score_{m.pk}", ""))
                 for m, s in roll],
    }, status=422 if errors else 200)


# --- study hours ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_study(request):
    """The member's own study this year: hours vs required, sessions, records (phone view)."""
    if not request.user.member_id:
        raise Http404
    member = Member.objects.select_related("organization").get(pk=request.user.member_id)
    year = parse_year(request.GET.get("year"))
    form = StudyRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.study_record_add(request.user, member, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Recorded; it counts once it is approved."))
            return redirect("training:my_study")
    study = selectors.member_study(member, year)
    percent = min(100, int(100 * study.done / study.required)) if study.required else 100
    return render(request, "training/my_study.html",
                  {"study": study, "form": form, "percent": percent, "year": year},
                  status=422 if form.errors else 200)


@login_required
@require_GET
def hours_report(request):
    """Required vs done by organization (each row its whole subtree) and by member."""
    _staff(request)
    year = parse_year(request.GET.get("year"))
    organization, orgs = selectors.report_organizations(request.user,
                                                        _organization_param(request))
    behind = request.GET.get("behind") == "1"
    rollup = selectors.hours_rollup(orgs, year)
    members = _page(request, selectors.member_hours_list(
        request.user, organization, year, behind_only=behind))
    return render(request, "training/hours_report.html", {
        "organization": organization, "rollup": rollup, "page_obj": members, "year": year,
        "behind": behind, "required": selectors.required_by_group(year),
        "ancestors": [a for a in organization.ancestors()
                      if scope_of(request.user).covers_path(a.path)] if organization else [],
    })


@login_required
@require_GET
def study_review(request):
    _staff(request)
    page = _page(request, selectors.pending_study_records(request.user))
    return render(request, "training/study_review.html", {"page_obj": page})


@login_required
@require_POST
def study_review_decide(request, pk):
    record = selectors.access_study_record(request.user, pk, write=True)
    approve = request.POST.get("decision") == "approve"
    try:
        services.study_record_review(request.user, record, approve=approve,
                                     comment=request.POST.get("comment", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Approved.") if approve else _("Rejected."))
    return redirect("training:study_review")


# --- certification (持证上岗) ---------------------------------------------------------------


STATUS_LABELS = {
    rules.CERTIFIED: _("Certified"),
    rules.EXPIRING: _("Expiring soon"),
    rules.EXPIRED: _("Expired"),
    rules.UNCERTIFIED: _("Not certified"),
}


@login_required
@require_GET
def certification(request):
    _staff(request)
    today = timezone.localdate()
    organization = _organization_param(request)
    status = request.GET.get("status", "")
    status = status if status in STATUS_LABELS else ""
    qs, _conditions = selectors.certification_list(request.user, status=status, today=today,
                                                   organization=organization)
    page = _page(request, qs)
    rows = [(m, rules.certification_status(m.valid_until, today)) for m in page.object_list]
    return render(request, "training/certification.html", {
        "page_obj": page, "rows": rows, "status": status, "labels": STATUS_LABELS,
        "organization": organization,
        "counts": selectors.certification_counts(request.user, today=today,
                                                 organization=organization),
    })


@login_required
@require_GET
def certificate_download(request, pk):
    certificate = selectors.access_certificate(request.user, pk)
    try:
        content = certificate_pdf(certificate)
    except FontMissing:
        return HttpResponse(_("The certificate font is not installed; ask the administrator "
                              "to run “make assets”."), status=503,
                            content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificate_filename(certificate)}"'
    return response


# --- secondments and pairings ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def placements(request):
    _staff(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in PlacementKind.values else ""
    scope = scope_of(request.user)
    form = None
    if scope.can_write:
        candidates = (Member.objects.visible_to(request.user, write=True).active()
                      .filter(selectors.party_worker_q()).select_related("organization")
                      .order_by("organization__path", "name")[:500])
        form = PlacementForm(request.POST or None, members=candidates)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            member = access_member(request.user, data.pop("member"), write=True)
            try:
                services.placement_create(request.user, member, **data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Recorded."))
                return redirect("training:placements")
    page = _page(request, selectors.placement_list(request.user, kind=kind))
    return render(request, "training/placements.html", {
        "page_obj": page, "form": form, "kind": kind, "kinds": PlacementKind.choices,
    }, status=422 if form is not None and form.errors else 200)


# --- reports (述职, 调研报告) -----------------------------------------------------------------


@login_required
@require_GET
def report_index(request):
    """Reports in scope to review, by status; a member sees their own."""
    status = request.GET.get("status", "")
    status = status if status in ReportStatus.values else ""
    year = parse_year(request.GET.get("year")) if request.GET.get("year") else None
    page = _page(request, selectors.report_list(request.user, status=status, year=year))
    return render(request, "training/report_list.html", {
        "page_obj": page, "status": status, "statuses": ReportStatus.choices, "year": year,
        "kinds": ReportKind.choices,
    })


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request):
    """A member writes their own report (述职 or 调研报告)."""
    if not request.user.member_id:
        raise Http404
    member = Member.objects.select_related("organization").get(pk=request.user.member_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_save(request.user, member, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved as a draft."))
            return redirect("training:report", pk=report.pk)
    return render(request, "training/form.html",
                  {"form": form, "heading": _("New report"), "back": "training:reports"})


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, pk):
    report = selectors.access_report(request.user, pk)
    is_author = request.user.member_id == report.member_id
    can_review = (not is_author and scope_of(request.user).covers_path(
        report.member.organization.path, write=True))
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in {"submit", "accept", "return"}:
            raise Http404
        if action == "submit" and not is_author and not can_review:
            raise PermissionDenied
        if action != "submit":
            selectors.access_report(request.user, pk, write=True)
        try:
            services.report_transition(request.user, report, action,
                                       request.POST.get("comment", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            report.refresh_from_db()
        else:
            messages.success(request, _("Done."))
            return redirect("training:report", pk=report.pk)
    return render(request, "training/report_detail.html", {
        "report": report, "is_author": is_author, "can_review": can_review,
    })

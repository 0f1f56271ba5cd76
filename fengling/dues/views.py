"""Dues pages: an organization's overview (collection rate, arrears), a member's dues (profile,
bills, payments, forms), the yearly statement, remittances, the Excel export."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fengling.core.scoping import scope_of
from fengling.members.selectors import access_member
from fengling.organizations.selectors import access_organization, organization_roots

from . import selectors, services
from .exports import dues_export
from .forms import PaymentForm, ProfileForm, RemittanceForm
from .rates import month_start, parse_month

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _month(request, today):
    try:
        return parse_month(request.GET.get("month", ""))
    except ValueError:
        return month_start(today)


def _year(request, today) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2008 <= int(raw) <= today.year + 1 else today.year


@login_required
@require_GET
def index(request):
    """Staff start at the top of their scope; a member at their own dues."""
    scope = scope_of(request.user)
    if scope.everything or scope.read_paths:
        root = organization_roots(request.user).order_by("path").first()
        if root is not None:
            return redirect("dues:organization", pk=root.pk)
    if request.user.member_id:
        return redirect("dues:member", pk=request.user.member_id)
    raise PermissionDenied


@login_required
@require_GET
def organization(request, pk):
    org = access_organization(request.user, pk)
    today = timezone.localdate()
    month = _month(request, today)
    total, children = selectors.collection_rollup(org, month, month)
    arrears = Paginator(selectors.arrears_list(request.user, org, today=today),
                        PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dues/organization.html", {
        "organization": org,
        "month": month,
        "total": total,
        "children": children,
        "arrears": arrears,
        "arrears_rows": selectors.with_levels(arrears.object_list),
        "year": month.year,
        "can_write": scope_of(request.user).covers_path(org.path, write=True),
    })


def _member_context(request, pk, **forms):
    today = timezone.localdate()
    dues = selectors.member_dues(request.user, pk, year=_year(request, today), today=today)
    current = dues.current
    initial_profile = {"effective_month": f"{month_start(today):%Y-%m}"}
    if current is not None:
        initial_profile.update(category=current.category, income_base=current.income_base,
                               fixed_amount=current.fixed_amount)
    else:
        initial_profile["category"] = dues.member.occupation
    return {
        "dues": dues,
        "member": dues.member,
        "today": today,
        "payment_form": forms.get("payment_form")
        or PaymentForm(initial={"paid_on": today, "months": 1}),
        "profile_form": forms.get("profile_form") or ProfileForm(initial=initial_profile),
    }


@login_required
@require_GET
def member(request, pk):
    return render(request, "dues/member.html", _member_context(request, pk))


@login_required
@require_POST
def member_pay(request, pk):
    member_obj = access_member(request.user, pk, write=True)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            payment = services.dues_payment_record(request.user, member_obj, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Recorded receipt %(receipt)s: %(amount)s yuan.")
                             % {"receipt": payment.receipt_number, "amount": payment.amount})
            return redirect("dues:member", pk=member_obj.pk)
    return render(request, "dues/member.html", _member_context(request, pk, payment_form=form),
                  status=422)


@login_required
@require_POST
def member_profile(request, pk):
    member_obj = access_member(request.user, pk, write=True)
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            services.dues_profile_set(request.user, member_obj, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved the dues profile of %(name)s.")
                             % {"name": member_obj.name})
            return redirect("dues:member", pk=member_obj.pk)
    return render(request, "dues/member.html", _member_context(request, pk, profile_form=form),
                  status=422)


@login_required
@require_GET
def statement(request, pk, year):
    today = timezone.localdate()
    dues = selectors.member_dues(request.user, pk, year=year, today=today)
    return render(request, "dues/statement.html", {"dues": dues, "member": dues.member,
                                                   "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def remittances(request, pk):
    org = access_organization(request.user, pk)
    today = timezone.localdate()
    form = None
    if request.method == "POST":
        org = access_organization(request.user, pk, write=True)
        form = RemittanceForm(request.POST)
        if form.is_valid():
            try:
                services.remittance_record(request.user, org, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Recorded the remittance."))
                return redirect("dues:remittances", pk=org.pk)
    page = Paginator(selectors.remittances_of(request.user, org), PAGE_SIZE).get_page(
        request.GET.get("page"))
    central = Paginator(selectors.central_remittances(request.user, org), PAGE_SIZE).get_page(
        request.GET.get("central_page"))
    quarter_start = month_start(today).replace(month=(today.month - 1) // 3 * 3 + 1)
    return render(request, "dues/remittances.html", {
        "organization": org,
        "page": page,
        "central": central,
        "form": form or RemittanceForm(initial={
            "first_month": f"{quarter_start:%Y-%m}", "last_month": f"{month_start(today):%Y-%m}",
            "remitted_on": today}),
        "can_write": scope_of(request.user).covers_path(org.path, write=True),
        "collected": selectors.collected_dues(org, today.replace(month=1, day=1),
                                              month_start(today)),
        "year": today.year,
    }, status=422 if form is not None else 200)


@login_required
@require_GET
def export(request, pk):
    org = access_organization(request.user, pk)
    workbook = dues_export(request.user, org, _year(request, timezone.localdate()))
    return FileResponse(io.BytesIO(workbook.content), as_attachment=True,
                        filename=workbook.filename, content_type=XLSX)

"""API: dues profiles, bills, payments, arrears, collection rate, statements — through the
same scopes, selectors and services as the pages."""


from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from fengling.core.api import PagedRows, Pagination, error_responses
from fengling.members.selectors import access_member
from fengling.organizations.selectors import access_organization

from . import selectors, services
from .models import BillStatus
from .rates import month_start, parse_month
from .schemas import (
    ArrearsOut,
    BillOut,
    CollectionOut,
    MonthText,
    PaymentIn,
    PaymentOut,
    ProfileIn,
    ProfilesOut,
    StatementOut,
)

router = Router(tags=["dues"])


def _profiles(member) -> dict:
    history = selectors.profile_history(member)
    return {"member": member.pk,
            "current": selectors.profile_in_force(history, month_start(timezone.localdate())),
            "history": history}


@router.get("/profiles/{member_id}", response={200: ProfilesOut, **error_responses(401, 404)},
            summary="Get a member's dues profile")
def profile_get(request: HttpRequest, member_id: int):
    """The profile in force this month and the history by effective month (newest first)."""
    return _profiles(access_member(request.auth, member_id))


@router.put("/profiles/{member_id}",
            response={200: ProfilesOut, **error_responses(401, 403, 404, 422)},
            summary="Set a member's dues profile")
def profile_set(request: HttpRequest, member_id: int, payload: ProfileIn):
    """Record the category, income base and relief from `effective_month` on (a row of the
    same month is replaced); unpaid bills from that month on are re-priced."""
    member = access_member(request.auth, member_id, write=True)
    data = payload.dict()
    data["effective_month"] = parse_month(data["effective_month"])
    services.dues_profile_set(request.auth, member, **data)
    return _profiles(member)


class BillQuery(Schema):
    organization: int | None = None
    member: int | None = None
    month: MonthText | None = None
    year: int | None = None
    status: BillStatus | None = None


@router.get("/bills", response={200: list[BillOut], **error_responses(401, 404, 422)},
            summary="List bills")
@paginate(Pagination)
def bill_index(request: HttpRequest, query: Query[BillQuery]):
    """Monthly bills in your scope, newest month first; `organization` keeps its subtree."""
    filters = selectors.BillFilters(
        organization=access_organization(request.auth, query.organization)
        if query.organization is not None else None,
        member=access_member(request.auth, query.member) if query.member is not None else None,
        month=parse_month(query.month) if query.month else None,
        year=query.year,
        status=query.status or "",
    )
    return selectors.bill_list(request.auth, filters)


class PaymentQuery(Schema):
    organization: int | None = None
    member: int | None = None
    year: int | None = None


@router.get("/payments", response={200: list[PaymentOut], **error_responses(401, 404, 422)},
            summary="List payments")
@paginate(Pagination)
def payment_index(request: HttpRequest, query: Query[PaymentQuery]):
    return selectors.payment_list(
        request.auth,
        organization=access_organization(request.auth, query.organization)
        if query.organization is not None else None,
        member=access_member(request.auth, query.member) if query.member is not None else None,
        year=query.year,
    )


@router.post("/payments", response={201: PaymentOut, **error_responses(401, 403, 404, 422)},
             summary="Record a payment")
def payment_create(request: HttpRequest, payload: PaymentIn):
    """Record a payment once: a receipt number already recorded is refused (422, nothing
    changes). Back pay and prepayment are limited to 6 months; a voluntary extra of 1000 yuan
    or more is flagged `remit_to_central`."""
    data = payload.dict()
    member = access_member(request.auth, data.pop("member"), write=True)
    payment = services.dues_payment_record(request.auth, member, **data)
    return Status(201, selectors.access_payment(request.auth, payment.pk))


class ArrearsQuery(Schema):
    organization: int
    min_months: int = 1


@router.get("/arrears", response={200: list[ArrearsOut], **error_responses(401, 404, 422)},
            summary="List members in arrears")
@paginate(Pagination)
def arrears_index(request: HttpRequest, query: Query[ArrearsQuery]):
    """Members of the organization's subtree with unpaid months up to now, longest first,
    with the warning level (3 yellow, 5 red, 6 lapse review)."""
    org = access_organization(request.auth, query.organization)
    rows = selectors.arrears_list(request.auth, org, today=timezone.localdate(),
                                  min_months=query.min_months)
    return PagedRows(rows, _arrears_page)


def _arrears_page(page) -> list[dict]:
    return [
        {"member": {"id": r["member_id"], "name": r["member__name"]},
         "organization": {"id": r["organization_id"], "name": r["organization__name"]},
         "months_owed": r["months_owed"], "oldest_month": r["oldest_month"],
         "amount_owed": r["amount_owed"], "level": r["level"]}
        for r in selectors.with_levels(page)
    ]


class CollectionQuery(Schema):
    organization: int
    month: MonthText | None = None
    last_month: MonthText | None = None


def _collection_row(c) -> dict:
    return {"organization": {"id": c.organization.pk, "name": c.organization.name},
            "bills_due": c.bills_due, "bills_paid": c.bills_paid, "amount_due": c.amount_due,
            "amount_paid": c.amount_paid, "rate_percent": c.rate,
            "unassessed": c.unassessed, "exempt": c.exempt}


@router.get("/collection", response={200: CollectionOut, **error_responses(401, 404, 422)},
            summary="Collection rate of an organization")
def collection(request: HttpRequest, query: Query[CollectionQuery]):
    """Dues due and paid over `month` (to `last_month`, default the same; default this month)
    in the organization's subtree and each child's subtree; rate = paid / due amount."""
    org = access_organization(request.auth, query.organization)
    first = parse_month(query.month) if query.month else month_start(timezone.localdate())
    last = parse_month(query.last_month) if query.last_month else first
    total, children = selectors.collection_rollup(org, first, last)
    return {"first_month": first, "last_month": last, "total": _collection_row(total),
            "children": [_collection_row(c) for c in children]}


@router.get("/statements/{member_id}",
            response={200: StatementOut, **error_responses(401, 404, 422)},
            summary="A member's yearly statement")
def statement(request: HttpRequest, member_id: int, year: int | None = None):
    today = timezone.localdate()
    dues = selectors.member_dues(request.auth, member_id, year=year or today.year, today=today)
    return {"member": {"id": dues.member.pk, "name": dues.member.name}, "year": dues.year,
            "bills": dues.bills, "payments": dues.payments, "total_due": dues.totals["due"],
            "total_paid": dues.totals["paid"], "voluntary": dues.totals["voluntary"],
            "months_owed": dues.arrears.months_owed, "amount_owed": dues.arrears.amount_owed}

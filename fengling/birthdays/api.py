"""API: political birthdays (政治生日) of a month, within the caller's scope."""

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from fengling.core.api import PagedRows, Pagination, error_responses
from fengling.organizations.selectors import access_organization

from . import rules, selectors

router = Router(tags=["birthdays"])


class BirthdayQuery(Schema):
    month: str = Field("", pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$",
                       description="YYYY-MM; default this month")
    organization: int | None = None


class Ref(Schema):
    id: int
    name: str


class BirthdayOut(Schema):
    member: Ref
    organization: Ref
    join_date: dt.date
    day: dt.date = Field(description="the day it is kept in that year (29 Feb → 28 Feb in "
                                     "common years)")
    years: int = Field(description="years in the Party on that day")


@router.get("", response={200: list[BirthdayOut], **error_responses(401, 404, 422)},
            summary="List a month's political birthdays")
@paginate(Pagination)
def birthday_index(request: HttpRequest, query: Query[BirthdayQuery]):
    """Active members in your scope (within `organization`'s subtree, if given; 404 outside
    your scope) whose political birthday falls in `month`, by day, branch and name."""
    organization = (access_organization(request.auth, query.organization)
                    if query.organization is not None else None)
    year, month = rules.parse_month(query.month, timezone.localdate())
    members = selectors.month_birthdays(request.auth, organization, year, month)
    return PagedRows(members, lambda page: _birthday_page(page, year))


def _birthday_page(page, year: int) -> list[dict]:
    return [
        {"member": {"id": b.member.pk, "name": b.member.name},
         "organization": {"id": b.member.organization_id,
                          "name": b.member.organization.name},
         "join_date": b.member.join_date, "day": b.day, "years": b.years}
        for b in selectors.as_birthdays(page, year)
    ]

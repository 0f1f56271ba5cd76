"""Scoped reads of political birthdays (政治生日): who has one in a month, and one card."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import ExtractDay

from fengling.members.models import Member
from fengling.members.selectors import access_member
from fengling.organizations.models import Organization

from . import rules


@dataclass(frozen=True)
class Birthday:
    member: Member
    day: dt.date  # the day it is kept this year (29 Feb → 28 Feb in common years)
    years: int


def month_birthdays(user, organization: Organization | None, year: int, month: int):
    """Active members in scope (within `organization`'s subtree, if given) whose political
    birthday falls in `month` of `year`, by day then branch then name.

    A QuerySet, so it can be paginated; wrap rows with `as_birthdays`.
    """
    qs = Member.objects.visible_to(user).active().filter(
        join_date__month=month, join_date__year__lt=year
    )
    if organization is not None:
        qs = qs.in_subtree(organization.path)
    return (
        qs.select_related("organization")
        .annotate(join_day=ExtractDay("join_date"))
        .order_by("join_day", "organization__path", "name", "pk")
    )


def as_birthdays(members, year: int) -> list[Birthday]:
    return [Birthday(member=m, day=rules.anniversary(m.join_date, year),
                     years=rules.years_in_party(m.join_date, year)) for m in members]


def birthday_card(user, member_pk, year: int) -> Birthday:
    """The card of member `member_pk` for `year` (404 outside `user`'s scope; a member
    sees their own)."""
    member = access_member(user, member_pk)
    return Birthday(member=member, day=rules.anniversary(member.join_date, year),
                    years=rules.years_in_party(member.join_date, year))


def kept_on(day: dt.date):
    """All active members (no scope: for the daily greeting job) whose political birthday
    is kept on `day`, with the id of their user account (None without one)."""
    q = Q(pk__in=[])
    for month, dom in rules.join_days_kept_on(day):
        q |= Q(join_date__month=month, join_date__day=dom)
    return (
        Member.objects.active().filter(q, join_date__year__lt=day.year)
        .select_related("organization")
        .order_by("pk")
    )

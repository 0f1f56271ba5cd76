"""Political birthday greetings (政治生日祝福): one notification per member per year."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from fengling.accounts.models import User
from fengling.notifications import conf as notify_conf
from fengling.notifications.models import Kind
from fengling.notifications.services import Message, notify_many

from . import rules
from .selectors import kept_on

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GreetingResult:
    due: int  # members whose political birthday is kept that day
    greeted: int  # notifications newly created
    without_account: int  # members who have no user account (nothing to send to)


def dedupe_key(member_pk: int, year: int) -> str:
    return f"birthday:{member_pk}:{year}"


def send_birthday_greetings(day: dt.date) -> GreetingResult:
    """Greet every active member whose political birthday is kept on `day`.

    Idempotent: the key is per member and year, so a second run (or a run on another day
    of the same year) creates nothing new.
    """
    members = list(kept_on(day))
    accounts = dict(
        User.objects.filter(member__in=[m.pk for m in members], is_active=True)
        .values_list("member_id", "pk")
    )
    messages = []
    with translation.override(notify_conf.language()):
        for member in members:
            user_id = accounts.get(member.pk)
            if user_id is None:
                continue
            years = rules.years_in_party(member.join_date, day.year)
            params = {"name": member.name, "years": years,
                      "date": member.join_date.strftime("%Y-%m-%d"),
                      "organization": member.organization.name}
            messages.append(Message(
                recipient_id=user_id,
                kind=Kind.BIRTHDAY,
                title=_("Happy %(years)s-year political birthday, comrade %(name)s")
                % params,
                body=_("On %(date)s you joined the Communist Party of China. Today is your "
                       "political birthday: %(years)s years in the Party. %(organization)s "
                       "sends its warm greetings. Remember the oath you took, and keep "
                       "your original aspiration.") % params,
                url=reverse("birthdays:card", args=[member.pk]) + f"?year={day.year}",
                dedupe_key=dedupe_key(member.pk, day.year),
                organization_id=member.organization_id,
            ))
    greeted = notify_many(messages)
    without = len(members) - len(messages)
    if without:
        log.info("Political birthdays %s: %d member(s) without an account", day, without)
    return GreetingResult(due=len(members), greeted=greeted, without_account=without)

"""Dues reminders (党费提醒) through the notifications app: one per member in arrears a month.

Idempotent: the dedupe key is the member and the month, so running the command again the
same month sends nothing new. Set-based: one grouped query for the arrears of every member
who has a user account, then `notify_many` (one insert of notifications and deliveries).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from fengling.accounts.models import User
from fengling.notifications.models import Kind
from fengling.notifications.services import Message, notify_many, render
from fengling.organizations.models import Organization

from . import rates
from .models import BillStatus, DuesBill
from .rates import month_start


def dues_reminders_send(today: dt.date, organization: Organization | None = None) -> int:
    """Remind every member with unpaid months up to this month; return how many were sent."""
    month = month_start(today)
    bills = DuesBill.objects.filter(status=BillStatus.OPEN, month__lte=month)
    if organization is not None:
        bills = bills.in_subtree(organization.path)
    rows = (bills.values("member_id", "organization_id")
            .annotate(n=Count("id"), oldest=Min("month"), owed=Sum("amount")).order_by())
    users = dict(User.objects.filter(is_active=True, member__isnull=False,
                                     member_id__in=bills.values("member_id"))
                 .values_list("member_id", "pk"))
    messages = []
    for row in rows:
        user_id = users.get(row["member_id"])
        if user_id is None:
            continue
        owed = (row["owed"] or rates.ZERO).quantize(rates.CENT)
        title = render(ngettext_lazy(
            "Dues reminder: %(n)d month unpaid", "Dues reminder: %(n)d months unpaid", row["n"],
        ) % {"n": row["n"]})
        body = render(_(
            "You owe %(amount)s yuan of Party dues since %(month)s. Please pay your branch. "
            "Six months unpaid without good reason lead to a lapse review (Party "
            "Constitution, article 9)."
        ) % {"amount": owed, "month": f"{row['oldest']:%Y-%m}"})
        messages.append(Message(
            recipient_id=user_id, kind=Kind.DUES_REMINDER, title=title, body=body,
            url=reverse("dues:member", args=[row["member_id"]]),
            dedupe_key=f"dues:{row['member_id']}:{month:%Y-%m}",
            organization_id=row["organization_id"],
        ))
    return notify_many(messages)

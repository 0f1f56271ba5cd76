"""Revealing a person's full ID or phone number (PIPL), shared by members (`members.privacy`)
and development candidates (`development.privacy`), which check who may: what may be
revealed, reading and recording it (`reveal_values`), and the answer to a reveal button
(`core/partials/reveal.html`)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from .audit import audit_log
from .net import client_ip, user_agent

# What may be revealed, in the order they are shown.
REVEALABLE = ("id_number", "phone")


def reveal_values(actor, subject, fields, *, action: str, organization_path: str,
                  ip_address: str | None = None, user_agent: str = "") -> dict[str, str]:
    """The clear values of `fields` of `subject` (a model with `reveal_id_number()` and
    `phone`), recorded in the audit log as `action`: who, whose, which fields, when, from
    which address and browser, never the values. Call inside the caller's transaction, once
    it has checked the right to reveal."""
    fields = [f for f in REVEALABLE if f in set(fields)]
    if not fields:
        raise ValueError("nothing to reveal")
    values = {name: subject.reveal_id_number() if name == "id_number" else subject.phone
              for name in fields}
    audit_log(actor, action, subject, {"fields": fields, "user_agent": user_agent},
              organization_path=organization_path, ip_address=ip_address)
    return values


def reveal_answer(request: HttpRequest, reveal: Callable[..., dict[str, str]],
                  page: Callable[[dict[str, str]], HttpResponse]) -> HttpResponse:
    """Answer a reveal button's POST (`field`: id_number or phone). `reveal(fields, *,
    ip_address, user_agent)` returns the clear values and writes the audit entry (the caller
    has checked the right to reveal); HTMX gets the value's fragment, a plain form post
    `page(values)`: the record's page with the value shown."""
    field = request.POST.get("field", "")
    if field not in REVEALABLE:
        return HttpResponseBadRequest(_("Choose what to reveal."))
    values = reveal([field], ip_address=client_ip(request), user_agent=user_agent(request))
    if request.htmx:
        return render(request, "core/partials/reveal.html",
                      {"field": field, "value": values[field]})
    return page(values)

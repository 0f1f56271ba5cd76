"""The change history (变更记录) of a record: django-auditlog's field changes merged with our
own audit entries (reveals, exports, imports …), newest first, for people to read.

django-auditlog records every model (settings: AUDITLOG_INCLUDE_ALL_MODELS) with the actor
and client address of the request (`core.middleware.AuditTrailMiddleware`). What it may
write is tightened here, once, when the apps are ready (`tighten_registry`):

* fields named `*_cipher` are never recorded, and `*_digest` only as "changed" (`hidden`):
  a keyed hash of an ID number can be matched by anyone holding the key, so it is no more
  written to the history than the clear value; the masked form (`*_masked`) is kept;
* the bookkeeping of the tree (treebeard's path, depth, numchild) is left out;
* a model that says `audit_trail = False` is not tracked at all (high-churn rows).

Reading is one fixed set of queries per page, whatever the number of entries: the page's
keys from a UNION of both logs, then each log's rows, then one query per related model
named in foreign-key changes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AuditEntry

# What a hidden value is written as; it says only that the value changed.
HIDDEN = "***"
PAGE_SIZE = 25
TREE_FIELDS = ("path", "depth", "numchild")
# Recorded, but shown masked in the history, as everywhere else (reveal is a separate action).
MASKED_ON_DISPLAY = frozenset({"phone", "mobile", "mobile_phone"})
_CHANGE, _ACTION = 1, 2


def hidden(value) -> str:
    """django-auditlog's mask (AUDITLOG_MASK_CALLABLE): keep nothing of the value."""
    return HIDDEN


def tighten_registry() -> None:
    """Apply the rules above to every model django-auditlog has registered."""
    from auditlog.registry import auditlog
    from treebeard.mp_tree import MP_Node

    for model in auditlog.get_models():
        if getattr(model, "audit_trail", True) is False:
            auditlog.unregister(model)
            continue
        # The registry keeps these lists per model and reads them on every change.
        rules = auditlog._registry[model]
        names = [f.name for f in model._meta.concrete_fields]
        exclude = rules["exclude_fields"]
        mask = rules["mask_fields"]
        for name in names:
            if name.endswith("_cipher") and name not in exclude:
                exclude.append(name)
            elif name.endswith("_digest") and name not in mask:
                mask.append(name)
        if issubclass(model, MP_Node):
            exclude.extend(n for n in TREE_FIELDS if n not in exclude)


def check_history_access(user, path: str, member_id: int | None = None) -> None:
    """403 unless `user`'s role reads change histories where the record lies
    (`RoleRule.history`; a member, their own record only). Check the scope (404) first."""
    from django.core.exceptions import PermissionDenied

    from .scoping import scope_of

    if not scope_of(user).may_read_history(path, member_id):
        raise PermissionDenied(_("Your role may not read the change history of this record."))


# --- Reading ---------------------------------------------------------------------------------

# Our own actions whose effect the field changes already show; kept only when they carry
# what the fields do not (a member's roles are rows of their own, written in bulk).
MIRRORED_ACTIONS = ("member.create", "member.update", "organization.create",
                    "organization.update")

ACTION_LABELS = {
    "candidate.reveal": gettext_lazy("Revealed full personal data"),
    "member.reveal": gettext_lazy("Revealed full personal data"),
    "member.update": gettext_lazy("Changed roles"),
    "members.export": gettext_lazy("Exported the member list"),
    "members.import": gettext_lazy("Imported members"),
    "organizations.export": gettext_lazy("Exported the organization list"),
    "organization.move": gettext_lazy("Moved in the organization tree"),
}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str = ""
    new: str = ""
    # The value is not shown, only that it changed (e.g. the ID number's keyed hash).
    hidden: bool = False


@dataclass
class HistoryRow:
    at: dt.datetime
    actor: object | None
    ip_address: str | None
    kind: str  # "create", "update", "delete" (field changes) or "action"
    title: str
    changes: list[FieldChange] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)


def _entries_keys(obj):
    from auditlog.models import LogEntry

    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    changes = (
        LogEntry.objects.filter(content_type=content_type, object_id=obj.pk)
        .annotate(kind=models.Value(_CHANGE, output_field=models.IntegerField()))
        .order_by().values_list("pk", "timestamp", "kind")
    )
    actions = (
        AuditEntry.objects.filter(content_type=content_type, object_id=str(obj.pk))
        .exclude(models.Q(action__in=MIRRORED_ACTIONS)
                 & ~models.Q(data__changes__has_key="roles"))
        .annotate(kind=models.Value(_ACTION, output_field=models.IntegerField()))
        .order_by().values_list("pk", "created_at", "kind")
    )
    return changes.union(actions, all=True).order_by("-timestamp", "-kind", "-pk")


class RecordHistory:
    """The history of `obj`, newest first, as a lazy sequence of HistoryRow: give it to a
    Paginator (pages) or to the API's pagination; only the rows of a slice are read.

    Check the reader's right to it first (`check_history_access`). `show_addresses=False`
    blanks the client addresses of the changes (a member reading their own record's history
    sees who changed what, not the staff's IP addresses).
    """

    def __init__(self, obj, *, show_addresses: bool = True):
        self.obj = obj
        self.keys = _entries_keys(obj)
        self.show_addresses = show_addresses

    def count(self) -> int:
        return self.keys.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index:index + 1][0]
        rows = _rows(type(self.obj), list(self.keys[index]))
        if not self.show_addresses:
            rows = [replace(row, ip_address=None) for row in rows]
        return rows


def record_history(obj, page_number=None, per_page: int = PAGE_SIZE, *,
                   show_addresses: bool = True):
    """One page (a Paginator page of HistoryRow) of the history of `obj`."""
    return Paginator(RecordHistory(obj, show_addresses=show_addresses),
                     per_page).get_page(page_number)


def shows_addresses(user, path: str) -> bool:
    """Staff who read histories where the record lies see the client addresses; a member
    reading their own record's history does not."""
    from .scoping import scope_of

    return scope_of(user).may_read_history(path)


def _rows(model, keys) -> list[HistoryRow]:
    from auditlog.models import LogEntry

    change_ids = [pk for pk, _at, kind in keys if kind == _CHANGE]
    action_ids = [pk for pk, _at, kind in keys if kind == _ACTION]
    changes = {e.pk: e for e in LogEntry.objects.filter(pk__in=change_ids)
               .select_related("actor")} if change_ids else {}
    actions = {e.pk: e for e in AuditEntry.objects.filter(pk__in=action_ids)
               .select_related("actor")} if action_ids else {}
    names = _related_names(model, changes.values())
    return [_change_row(model, changes[pk], names) if kind == _CHANGE
            else _action_row(model, actions[pk]) for pk, _at, kind in keys]


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _related_names(model, entries) -> dict[tuple[type, str], str]:
    """The names of the rows that foreign-key changes point at: one query per model."""
    wanted: dict[type, set] = defaultdict(set)
    for entry in entries:
        for name, values in (entry.changes or {}).items():
            f = _field(model, name)
            if f is not None and f.many_to_one and isinstance(values, list):
                wanted[f.related_model].update(str(v) for v in values if v not in (None, ""))
    names = {}
    for related, pks in wanted.items():
        clean = [pk for pk in pks if pk.isdigit()]
        for row in related._base_manager.filter(pk__in=clean):
            names[(related, str(row.pk))] = str(row)
    return names


def mask_contact(value: str) -> str:
    """`13812345678` → `138****5678`, as phone numbers are masked everywhere by default
    (the same rule as `members.masking.mask_phone`, which core cannot import)."""
    value = value.strip()
    if len(value) >= 11:
        return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"
    if len(value) > 4:
        return f"{'*' * (len(value) - 2)}{value[-2:]}"
    return "*" * len(value)


def _display(f, value, names) -> str:
    if value is None or value == "" or value == "None":
        return "—"
    if f is None:
        return str(value)
    if f.name in MASKED_ON_DISPLAY:
        return mask_contact(str(value))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if f.many_to_one:
        return names.get((f.related_model, str(value)), f"#{value}")
    if isinstance(f, models.BooleanField):
        return _("Yes") if value in (True, "True", "true") else _("No")
    return str(value)


def _label(model, name: str) -> str:
    f = _field(model, name)
    if f is None:
        return name
    if name.endswith("_digest"):
        # The hash stands for the value it hashes: show the name of its masked form.
        masked = _field(model, name[: -len("_digest")] + "_masked")
        if masked is not None:
            return capfirst(str(masked.verbose_name))
    return capfirst(str(f.verbose_name))


def _change_row(model, entry, names) -> HistoryRow:
    from auditlog.models import LogEntry

    kind = {LogEntry.Action.CREATE: "create", LogEntry.Action.UPDATE: "update",
            LogEntry.Action.DELETE: "delete"}.get(entry.action, "update")
    titles = {"create": _("Created"), "update": _("Changed"), "delete": _("Deleted")}
    changes = []
    raw = entry.changes or {}
    for name, values in raw.items():
        f = _field(model, name)
        if f is None or not (f.concrete or f.many_to_many) or f.primary_key:
            continue  # the id, and reverse relations django-auditlog lists on creation
        label = _label(model, name)
        if isinstance(values, dict) and values.get("type") == "m2m":
            objects = ", ".join(str(o) for o in values.get("objects", []))
            if values.get("operation") == "add":
                changes.append(FieldChange(label, new=_("added: %(items)s") % {"items": objects}))
            else:
                changes.append(FieldChange(label,
                                           new=_("removed: %(items)s") % {"items": objects}))
            continue
        old, new = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
        if HIDDEN in (old, new) and name.endswith("_digest"):
            if name[: -len("_digest")] + "_masked" in raw:
                continue  # the masked form already says what changed
            changes.append(FieldChange(label, hidden=True))
            continue
        changes.append(FieldChange(label, _display(f, old, names), _display(f, new, names)))
    changes.sort(key=lambda c: _order(model, c.label))
    return HistoryRow(at=entry.timestamp, actor=entry.actor, ip_address=entry.remote_addr,
                      kind=kind, title=titles[kind], changes=changes)


def _order(model, label: str) -> int:
    for index, f in enumerate(model._meta.get_fields()):
        if capfirst(str(getattr(f, "verbose_name", ""))) == label:
            return index
    return 10_000


def _field_labels(model, names) -> str:
    labels = []
    for name in names:
        if name == "id_number":
            name = "id_number_masked"
        labels.append(_label(model, name))
    return ", ".join(labels)


def _action_row(model, entry: AuditEntry) -> HistoryRow:
    data = entry.data or {}
    details: list[tuple[str, str]] = []
    if data.get("fields"):
        details.append((_("Fields"), _field_labels(model, data["fields"])))
    for key, label in (("rows", _("Rows")), ("count", _("Rows")), ("file", _("File"))):
        if data.get(key) not in (None, ""):
            details.append((label, formats.number_format(data[key], force_grouping=True)
                            if isinstance(data[key], int) else str(data[key])))
    if "masked" in data:
        details.append((_("Masked"), _("Yes") if data["masked"] else _("No")))
    if data.get("filters"):
        details.append((_("Filters"), ", ".join(f"{k}={v}" for k, v in data["filters"].items())))
    changes = []
    roles = (data.get("changes") or {}).get("roles") if isinstance(data.get("changes"),
                                                                  dict) else None
    if roles:
        f = _field_model_choices(model, "roles")
        old, new = (", ".join(str(f.get(r, r)) for r in side) or "—" for side in roles)
        changes.append(FieldChange(_("Roles"), old, new))
    return HistoryRow(
        at=entry.created_at, actor=entry.actor, ip_address=entry.ip_address, kind="action",
        title=str(ACTION_LABELS.get(entry.action, entry.action)), changes=changes,
        details=details,
    )


def _field_model_choices(model, relation: str) -> dict:
    """Choice labels of the `role` field of the rows behind a reverse relation."""
    f = _field(model, relation)
    related = getattr(f, "related_model", None)
    role = _field(related, "role") if related is not None else None
    return dict(role.flatchoices) if role is not None and role.choices else {}

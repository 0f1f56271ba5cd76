"""The one scoping layer: who may see and change which rows.

Every organization-owned row reaches the user through `Model.objects.visible_to(user)` for
lists, or an `access_<entity>(user, id, write=False)` guard for single objects. A user's scope
is the union of the organization subtrees where they hold a role (materialized paths, so a
subtree is one prefix condition), plus their own member record. Out of scope is 404 (a 403
would reveal that the row exists); in scope but read-only is 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from .roles import ROLE_PRECEDENCE, ROLE_RULES

_CACHE_ATTR = "_fengling_scope"


@dataclass(frozen=True)
class Scope:
    """What one user may read and write. Built once per request, then cached on the user."""

    everything: bool = False
    read_paths: tuple[str, ...] = ()
    write_paths: tuple[str, ...] = ()
    member_ids: frozenset[int] = field(default_factory=frozenset)
    roles: tuple[str, ...] = ()
    # Where full personal values may be revealed and change histories read (roles.RoleRule);
    # `own_*`: on the user's own member record.
    reveal_paths: tuple[str, ...] = ()
    history_paths: tuple[str, ...] = ()
    own_reveal: bool = False
    own_history: bool = False

    def paths(self, write: bool) -> tuple[str, ...]:
        return self.write_paths if write else self.read_paths

    def covers_path(self, path: str, write: bool = False) -> bool:
        return self.everything or any(path.startswith(p) for p in self.paths(write))

    def may_reveal(self, path: str, member_id: int | None = None) -> bool:
        """May the user reveal full personal values of a record at `path` (of member
        `member_id`)? Check that the record is in scope first (404 before 403)."""
        return (self.everything or any(path.startswith(p) for p in self.reveal_paths)
                or (self.own_reveal and member_id is not None and member_id in self.member_ids))

    def may_read_history(self, path: str, member_id: int | None = None) -> bool:
        """May the user read the change history of a record at `path` (of member
        `member_id`)?"""
        return (self.everything or any(path.startswith(p) for p in self.history_paths)
                or (self.own_history and member_id is not None
                    and member_id in self.member_ids))

    @property
    def can_reveal(self) -> bool:
        """May reveal anywhere beyond their own record (offers unmasked exports)."""
        return self.everything or bool(self.reveal_paths)

    @property
    def can_write(self) -> bool:
        return self.everything or bool(self.write_paths)

    @property
    def covers_a_root(self) -> bool:
        """Whether the user reads a whole tree (a district): then district-wide figures are
        theirs, and a scope filter on a search would only cost time."""
        from fengling.organizations.models import Organization

        return self.everything or any(len(p) == Organization.steplen for p in self.read_paths)

    @property
    def key(self) -> str:
        """What a cached scoped result depends on: the same for two users who read the same
        rows (their roles aside)."""
        return "|".join(("*" if self.everything else ",".join(sorted(self.read_paths)),
                         ",".join(map(str, sorted(self.member_ids)))))

    @property
    def primary_role(self) -> str | None:
        for role in ROLE_PRECEDENCE:
            if role in self.roles:
                return role
        return None


NOTHING = Scope()


def _minimal_prefixes(paths: set[str]) -> tuple[str, ...]:
    """Drop paths that lie inside another one: the query needs only the outermost."""
    kept: list[str] = []
    for path in sorted(paths):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return tuple(kept)


def scope_of(user) -> Scope:
    """The scope of `user`, computed with one query and cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = Scope(everything=True, roles=tuple(ROLE_PRECEDENCE[:1]))
    else:
        read: set[str] = set()
        write: set[str] = set()
        reveal: set[str] = set()
        history: set[str] = set()
        own_reveal = own_history = False
        member_ids: set[int] = set()
        roles: list[str] = []
        assignments = user.role_assignments.active().values_list(
            "role", "organization__path"
        )
        for role, path in assignments:
            rule = ROLE_RULES[role]
            roles.append(role)
            if rule.subtree:
                read.add(path)
                if rule.write:
                    write.add(path)
                if rule.reveal:
                    reveal.add(path)
                if rule.history:
                    history.add(path)
            elif user.member_id:
                member_ids.add(user.member_id)
                own_reveal = own_reveal or rule.reveal
                own_history = own_history or rule.history
        scope = Scope(
            read_paths=_minimal_prefixes(read),
            write_paths=_minimal_prefixes(write),
            member_ids=frozenset(member_ids),
            roles=tuple(dict.fromkeys(roles)),
            reveal_paths=_minimal_prefixes(reveal),
            history_paths=_minimal_prefixes(history),
            own_reveal=own_reveal,
            own_history=own_history,
        )
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user) -> None:
    """Call after changing a user's roles within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def path_q(lookup: str, paths: tuple[str, ...]) -> models.Q:
    """`lookup` starts with any of `paths`; an empty tuple matches nothing."""
    q = models.Q(pk__in=[])
    for path in paths:
        q |= models.Q(**{f"{lookup}__subtree": path})
    return q


class ScopedQuerySet(models.QuerySet):
    """Base for every organization-owned model's QuerySet.

    Subclasses say how a row relates to the tree (`scope_path_lookup`) and, where a member
    may see a row of their own, how (`scope_member_lookup`).
    """

    scope_path_lookup: str = "organization__path"
    scope_member_lookup: str | None = None

    def visible_to(self, user, write: bool = False):
        scope = scope_of(user)
        if scope.everything:
            return self
        q = path_q(self.scope_path_lookup, scope.paths(write))
        if self.scope_member_lookup and scope.member_ids and not write:
            q |= models.Q(**{f"{self.scope_member_lookup}__in": scope.member_ids})
        return self.filter(q)


def guard(queryset: ScopedQuerySet, user, pk, write: bool = False):
    """Fetch one row through the scope: 404 outside it, 403 when it is read-only.

    The shared body of every `access_<entity>` guard.
    """
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    obj = queryset.visible_to(user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    if write and not queryset.model._default_manager.visible_to(user, write=True).filter(
        pk=pk
    ).exists():
        raise PermissionDenied
    return obj

"""Users, the roles they hold at organizations, and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengling.core.roles import Role
from fengling.core.scoping import ScopedQuerySet


class User(AbstractUser):
    """A person who logs in. A member's account links to their member record."""

    member = models.OneToOneField(
        "members.Member", verbose_name=_("member record"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="account",
    )
    display_name = models.CharField(_("display name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username


class RoleAssignmentQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"

    def active(self):
        today = timezone.localdate()
        return self.filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=today),
            starts_on__lte=today,
        )


class RoleAssignment(models.Model):
    """`user` holds `role` at `organization` (and so over its subtree) for a period."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("organization"),
        on_delete=models.PROTECT, related_name="role_assignments",
    )
    starts_on = models.DateField(_("from"), default=timezone.localdate)
    ends_on = models.DateField(_("until"), null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "organization"], name="role_assignment_once"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()} · {self.organization}"


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.user} · {self.expires_at:%Y-%m-%d}"

"""Party members (党员): the core record of 锋领e家."""

from __future__ import annotations

import re

from django.db import models
from django.db.models.functions import Right
from django.utils.translation import gettext_lazy as _

from fengling.core.lib import crypto, idcard, pinyin
from fengling.core.models import TimeStampedModel
from fengling.core.scoping import ScopedQuerySet

from . import pinyin_index


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Education(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    JUNIOR_HIGH = "junior_high", _("Junior high school")
    SENIOR_HIGH = "senior_high", _("Senior high or vocational school")
    COLLEGE = "college", _("Junior college")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTOR = "doctor", _("Doctorate")


class Occupation(models.TextChoices):
    """Occupation category; it decides which dues rule applies (党费规定 第二～六条)."""

    IN_SERVICE = "in_service", _("Employed, monthly salary")
    ANNUAL_SALARY = "annual_salary", _("Employed, annual salary")
    SELF_EMPLOYED = "self_employed", _("Self-employed or no monthly pay")
    RETIREE = "retiree", _("Retired")
    FARMER = "farmer", _("Farmer")
    STUDENT = "student", _("Student")
    UNEMPLOYED = "unemployed", _("Laid off or unemployed")
    RELIEF = "relief", _("On relief or minimum living allowance")


class Membership(models.TextChoices):
    FULL = "full", _("Full member")
    PROBATIONARY = "probationary", _("Probationary member")


class MemberStatus(models.TextChoices):
    NORMAL = "normal", _("Normal")
    MOBILE = "mobile", _("Mobile")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    # 保留党籍 / 停止党籍 (教育管理条例; RULES Part B §4.4). Derived from the status history.
    RESERVED = "reserved", _("Membership reserved")
    STOPPED = "stopped", _("Membership stopped")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    LEFT = "left", _("Left the Party")
    DECEASED = "deceased", _("Deceased")


# Statuses of members the branch still counts and serves.
ACTIVE_STATUSES = (MemberStatus.NORMAL, MemberStatus.MOBILE, MemberStatus.LOST_CONTACT)


class MemberRoleKind(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    PARTY_WORKER = "party_worker", _("Party worker")
    VOLUNTEER = "volunteer", _("Volunteer")
    GRID_MEMBER = "grid_member", _("Grid Party member")
    REPRESENTATIVE = "representative", _("Party representative")


class MemberQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"
    # A member sees their own record.
    scope_member_lookup = "pk"

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def in_subtree(self, path: str):
        return self.filter(organization__path__subtree=path)

    def search(self, text: str, *, within_scope: bool = True):
        """Members matching one search box, annotated with `search_rank` (lower is better).

        Matches: the name contains the text; typed pinyin is a prefix of (or, from 3
        letters, inside) the full pinyin, or a prefix of the initials (`zs` → 张三); 4
        digits end the phone or the ID number (its last 4 are visible when masked, `002X`
        too); 6 digits are the ID number's area code. Rank: exact name, name prefix, full
        pinyin, initials, pinyin prefix, anything else. Scope it first (`visible_to`).

        Typed pinyin is looked for in the keys only: they hold a name's letters too ("Tom
        Li" → "tomli").

        The matches are one list of ids, a UNION of one query per kind of match, each
        answered from one index alone (the database then reads the matches by id, never
        the scope's members one by one): a pinyin prefix is a range of its key's index, pinyin
        inside a key a look-up in a trigram index (`pinyin_index` on SQLite, pg_trgm on
        PostgreSQL), 4 digits an equality on the generated `phone_last4` / `id_last4`
        columns. A name fragment is looked for within the scope (the (organization, name)
        index) unless `within_scope` is False, as for a scope that is the whole tree, when
        one scan of that index is cheaper than a look-up per organization. The outer query
        applies the scope and the rank.
        """
        text = pinyin.normalise_query(text)
        if not text:
            return self
        rank = [models.When(name__iexact=text, then=0),
                models.When(name__istartswith=text, then=1)]
        table = self.model._base_manager.order_by()
        pieces = []
        key = pinyin.pinyin_query(text)
        if key:
            prefix = (models.Q(name_pinyin__keyprefix=key)
                      | models.Q(name_initials__keyprefix=key))
            # From 3 letters pinyin may match inside the key; that covers the prefix too.
            pieces.append(pinyin_index.members_containing(table, key) if len(key) >= 3
                          else table.filter(name_pinyin__keyprefix=key))
            pieces.append(table.filter(name_initials__keyprefix=key))
            rank += [models.When(name_pinyin=key, then=2),
                     models.When(name_initials=key, then=3),
                     models.When(prefix, then=4)]
        elif not text.isdigit():
            # Digits are looked for in the phone and the ID number only.
            names = self.order_by() if within_scope else table
            # Chinese has no case: a plain LIKE, which PostgreSQL need not upper-case
            # every name for (as icontains does).
            lookup = "name__icontains" if re.search(r"[a-z]", text) else "name__contains"
            pieces.append(names.filter(**{lookup: text}))
        id_digits = text.upper()
        if len(text) == 4 and text.isdigit():
            pieces.append(table.filter(phone_last4=text))
        if len(id_digits) == 4 and (id_digits.isdigit() or (id_digits[:3].isdigit()
                                                            and id_digits[3] == "X")):
            pieces.append(table.filter(id_last4=id_digits))
        elif len(text) == 6 and text.isdigit():
            pieces.append(table.filter(id_number_masked__startswith=text))
        if not pieces:
            return self.none().annotate(search_rank=models.Value(5))
        # One list of ids (a UNION): the database reads the matches from it, by id.
        matches = pieces[0].values("pk")
        if len(pieces) > 1:
            matches = matches.union(*(p.values("pk") for p in pieces[1:]))
        q = models.Q(pk__in=matches)
        return self.filter(q).annotate(
            search_rank=models.Case(*rank, default=5, output_field=models.IntegerField())
        )


class Member(TimeStampedModel):
    """One Party member. The ID number is stored encrypted; see `core.lib.crypto`."""

    organization = models.ForeignKey(
        "organizations.Organization", verbose_name=_("home branch"),
        on_delete=models.PROTECT, related_name="members",
    )
    name = models.CharField(_("name"), max_length=50, db_index=True)
    # Search keys kept from the name on every save (see `set_search_keys`): 张三 → "zhangsan"
    # and "zs". Bulk writes that bypass save() must call `set_search_keys` themselves.
    name_pinyin = models.CharField(max_length=300, blank=True, editable=False)
    name_initials = models.CharField(max_length=50, blank=True, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    birth_date = models.DateField(_("date of birth"))
    # Personal data (PIPL): cipher text, a keyed digest for uniqueness and look-up, and the
    # masked form shown everywhere by default.
    id_number_cipher = models.TextField(editable=False)
    id_number_digest = models.CharField(max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, editable=False)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    # Search keys the database keeps: the last 4 digits of the phone and of the ID number
    # (visible when masked), each with an index, so "1234" is an equality look-up.
    phone_last4 = models.GeneratedField(
        expression=Right("phone", 4), output_field=models.CharField(max_length=4),
        db_persist=True,
    )
    id_last4 = models.GeneratedField(
        expression=Right("id_number_masked", 4), output_field=models.CharField(max_length=4),
        db_persist=True,
    )
    education = models.CharField(_("education"), max_length=16, choices=Education.choices)
    occupation = models.CharField(
        _("occupation category"), max_length=16, choices=Occupation.choices
    )
    work_unit = models.CharField(_("work unit"), max_length=120, blank=True)
    join_date = models.DateField(_("date of joining"), help_text=_("Political birthday."))
    membership = models.CharField(
        _("membership"), max_length=16, choices=Membership.choices, default=Membership.FULL
    )
    conversion_date = models.DateField(_("date of conversion to full member"), null=True,
                                       blank=True)
    # Derived from the status history (members.lifecycle, 党籍): written only by its services,
    # kept here for fast filtering; never edited by hand.
    status = models.CharField(
        _("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.NORMAL,
        db_index=True,
    )
    # 党小组 (支部工作条例 第十三条; RULES Part B §4.1 step 19 "编入党支部和党小组"): one of the
    # Party groups of the member's own branch, or none. Checked by `services.member_validate`;
    # cleared when the home organization changes, the member is transferred out or the group
    # is moved to another branch (`organizations.services.organization_move`).
    party_group = models.ForeignKey(
        "organizations.Organization", verbose_name=_("Party group"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="group_members",
        limit_choices_to={"kind": "party_group"},
    )
    functional_organizations = models.ManyToManyField(
        "organizations.Organization", verbose_name=_("functional organizations"),
        blank=True, related_name="functional_members",
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["organization_id", "name", "id"]
        indexes = [
            models.Index(fields=["organization", "name"], name="member_org_name_idx"),
            models.Index(fields=["join_date"], name="member_join_date_idx"),
            # Pinyin prefix search; pattern ops let PostgreSQL use them for LIKE 'zs%'.
            models.Index(fields=["name_pinyin"], name="member_name_pinyin_idx",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_initials"], name="member_name_initials_idx",
                         opclasses=["varchar_pattern_ops"]),
            # Counts by organization, status and membership (tree, home, organization page)
            # are answered from this index alone.
            models.Index(
                fields=["organization", "status", "membership"], name="member_org_status_idx"
            ),
            models.Index(fields=["phone_last4"], name="member_phone_last4_idx"),
            models.Index(fields=["id_last4"], name="member_id_last4_idx"),
        ]
        constraints = [
            # A probationary member has no conversion date yet; a full one converted after
            # joining (党章 第七条: one year of probation, possibly extended).
            models.CheckConstraint(
                condition=models.Q(membership=Membership.FULL)
                | models.Q(conversion_date__isnull=True),
                name="member_probationary_not_converted",
            ),
            models.CheckConstraint(
                condition=models.Q(conversion_date__isnull=True)
                | models.Q(conversion_date__gt=models.F("join_date")),
                name="member_conversion_after_joining",
            ),
            models.CheckConstraint(
                condition=models.Q(join_date__gt=models.F("birth_date")),
                name="member_joined_after_birth",
            ),
        ]

    def __str__(self):
        return self.name

    def set_search_keys(self) -> None:
        """Derive the pinyin search keys from the name (its surname read as a surname)."""
        self.name_pinyin, self.name_initials = pinyin.keys(self.name, surname=True)

    def save(self, *args, **kwargs):
        self.set_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_pinyin", "name_initials"}
        super().save(*args, **kwargs)

    def set_id_number(self, value: str) -> idcard.IDNumber:
        """Validate, encrypt and store an ID number; return what it says."""
        parsed = idcard.parse(value)
        self.id_number_cipher = crypto.encrypt(parsed.value)
        self.id_number_digest = crypto.lookup_digest(parsed.value)
        self.id_number_masked = parsed.masked
        return parsed

    def reveal_id_number(self) -> str:
        """The clear ID number. Call only from a permission-checked, audited service."""
        return crypto.decrypt(self.id_number_cipher)


class MemberRole(models.Model):
    """A role a member plays (PRODUCT §3.2): secretary, party worker, volunteer …"""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=24, choices=MemberRoleKind.choices)

    class Meta:
        verbose_name = _("member role")
        verbose_name_plural = _("member roles")
        constraints = [
            models.UniqueConstraint(fields=["member", "role"], name="member_role_once"),
        ]

    def __str__(self):
        return self.get_role_display()


# The member lifecycle (党籍 history, transfers, mobile and lost-contact records).
from .lifecycle.models import (  # noqa: E402, F401
    LostContactRecord,
    MobileRecord,
    MobileReport,
    SearchEffort,
    StatusChange,
    Transfer,
)

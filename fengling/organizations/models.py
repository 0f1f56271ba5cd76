"""The organization tree (组织), committees and terms (班子与任期), side relations, centres."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from fengling.core.lib import pinyin
from fengling.core.models import TimeStampedModel
from fengling.core.scoping import ScopedQuerySet

from . import rules
from .kinds import GRASSROOTS_KINDS, Domain, FunctionalType, OrgKind


class OrganizationQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    scope_path_lookup = "path"

    def grassroots(self):
        return self.filter(kind__in=GRASSROOTS_KINDS)

    def subtree_of(self, org: Organization):
        """`org` and everything below it: one prefix condition on the indexed path."""
        return self.filter(path__subtree=org.path)

    def children_of(self, org: Organization):
        return self.filter(path__subtree=org.path, depth=org.depth + 1)

    def search(self, text: str):
        """Organizations whose name or short name contains the text, whose pinyin or
        initials contain typed pinyin (`zssq` → 中山社区), or whose code is the text."""
        text = pinyin.normalise_query(text)
        if not text:
            return self
        q = (models.Q(name__icontains=text) | models.Q(short_name__icontains=text)
             | models.Q(code__iexact=text))
        key = pinyin.pinyin_query(text)
        if key:
            q |= models.Q(name_pinyin__keyprefix=key) | models.Q(name_initials__contains=key)
            if len(key) >= 3:
                q |= models.Q(name_pinyin__contains=key)
        return self.filter(q)


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):
    def get_queryset(self):
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")


class Organization(MP_Node, TimeStampedModel):
    """A node of the tree: district committee down to Party groups.

    The materialized path (treebeard MP_Node) makes a subtree one indexed prefix query; it is
    also what scoping filters on. Use `organizations.services` to add or move nodes.
    """

    # 36 characters a step, 4 steps: 1.6M children per node, 63 levels in a 255-char path.
    steplen = 4
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    node_order_by = []

    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    # Search keys kept from the name on every save (see `set_search_keys`); bulk writes that
    # bypass save() must call `set_search_keys` themselves.
    name_pinyin = models.CharField(max_length=720, blank=True, editable=False)
    name_initials = models.CharField(max_length=120, blank=True, editable=False)
    kind = models.CharField(_("kind"), max_length=24, choices=OrgKind.choices, db_index=True)
    domain = models.CharField(_("field"), max_length=24, choices=Domain.choices)
    functional_type = models.CharField(
        _("functional type"), max_length=24, choices=FunctionalType.choices, blank=True
    )
    code = models.CharField(_("organization code"), max_length=32, unique=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    # 行业党委: "谁主管谁负责" — the department that supervises an industry or social body.
    supervising_department = models.CharField(
        _("supervising department"), max_length=120, blank=True
    )
    registration = models.CharField(_("registration"), max_length=120, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # A joint branch (联合支部) covers at most 5 units (支部工作条例 第五条).
    units_covered = models.PositiveSmallIntegerField(_("units covered"), default=1)

    objects = OrganizationManager()

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["path"]
        indexes = [
            # PostgreSQL uses a pattern-ops index for `path LIKE 'prefix%'` in any collation.
            models.Index(
                fields=["path"], name="org_path_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["kind", "path"], name="org_kind_path_idx"),
            # The top levels of a tree (`depth <= 2`: the member lists' organization
            # filter) without reading every organization.
            models.Index(fields=["depth", "path"], name="org_depth_path_idx"),
            models.Index(fields=["name_pinyin"], name="org_name_pinyin_idx",
                         opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_initials"], name="org_name_initials_idx",
                         opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(units_covered__gte=1) & models.Q(units_covered__lte=5),
                name="org_units_covered_1_to_5",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=OrgKind.FUNCTIONAL) | ~models.Q(functional_type=""),
                name="org_functional_has_type",
            ),
        ]

    def __str__(self):
        return self.name

    def set_search_keys(self) -> None:
        """Derive the pinyin search keys from the name."""
        self.name_pinyin, self.name_initials = pinyin.keys(self.name)

    def save(self, *args, **kwargs):
        self.set_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_pinyin", "name_initials"}
        super().save(*args, **kwargs)

    @property
    def is_grassroots(self) -> bool:
        return self.kind in GRASSROOTS_KINDS

    def ancestor_paths(self) -> list[str]:
        return [self.path[: i * self.steplen] for i in range(1, self.depth)]

    def ancestors(self):
        """Ancestors from the root down, one query."""
        return Organization.objects.filter(path__in=self.ancestor_paths()).order_by("depth")

    @property
    def term_years(self) -> int:
        return rules.term_years(self.kind, self.domain)


class CommitteeTerm(TimeStampedModel):
    """One elected term (届) of an organization's committee (班子)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.CASCADE,
        related_name="terms",
    )
    started_on = models.DateField(_("term start"))
    # The length that applied when the term began (任期意见), kept with the term.
    years = models.PositiveSmallIntegerField(_("term length (years)"))
    # An approved postponement (at most 1 year past the end, 选举条例 第三条).
    postponed_until = models.DateField(_("election postponed until"), null=True, blank=True)

    class Meta:
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")
        ordering = ["organization", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "started_on"], name="term_unique_start_per_org"
            ),
            models.CheckConstraint(
                condition=models.Q(years__gte=1) & models.Q(years__lte=5),
                name="term_years_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.organization} {self.started_on:%Y}"

    @property
    def ends_on(self):
        return rules.term_end(self.started_on, self.years)

    @property
    def election_due_on(self):
        return rules.election_due(self.started_on, self.years, self.postponed_until)


class Post(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    ORGANIZATION = "organization", _("Organization member")
    PROPAGANDA = "propaganda", _("Propaganda member")
    DISCIPLINE = "discipline", _("Discipline inspection member")
    MEMBER = "member", _("Committee member")


class CommitteePostQuerySet(ScopedQuerySet):
    scope_path_lookup = "term__organization__path"

    def current(self):
        return self.filter(ended_on__isnull=True)


class CommitteePost(TimeStampedModel):
    """A seat on a committee: held by a member, or by a part-time member from an outside unit
    (大党委兼职委员: the community police officer, the owners' committee chair …)."""

    term = models.ForeignKey(
        CommitteeTerm, verbose_name=_("term"), on_delete=models.CASCADE, related_name="posts"
    )
    post = models.CharField(_("post"), max_length=24, choices=Post.choices)
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="committee_posts",
    )
    external_name = models.CharField(_("name (outside member)"), max_length=50, blank=True)
    external_unit = models.CharField(_("unit (outside member)"), max_length=120, blank=True)
    external_title = models.CharField(_("title (outside member)"), max_length=60, blank=True)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    # Secretaries and deputies are approved one level up; other members are filed.
    approved_on = models.DateField(_("approved on"), null=True, blank=True)

    objects = CommitteePostQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee post")
        verbose_name_plural = _("committee posts")
        ordering = ["term", "post", "started_on"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(member__isnull=False) & models.Q(external_name=""))
                | (models.Q(member__isnull=True) & ~models.Q(external_name="")),
                name="post_member_xor_outside_person",
            ),
        ]

    def __str__(self):
        return f"{self.get_post_display()}: {self.holder_name}"

    @property
    def is_part_time(self) -> bool:
        return self.member_id is None

    @property
    def holder_name(self) -> str:
        return self.member.name if self.member_id else self.external_name


class AllianceKind(models.TextChoices):
    JOINT_COMMITTEE = "joint_committee", _("Regional joint or comprehensive committee")
    ALLIANCE = "alliance", _("Party-building alliance")


class AllianceQuerySet(ScopedQuerySet):
    scope_path_lookup = "lead__path"


class Alliance(TimeStampedModel):
    """A relation beside the tree: a joint committee that unites organizations which stay in
    their own place in the tree (天一商圈综合党委 unites 16), or a Party-building alliance."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=24, choices=AllianceKind.choices)
    lead = models.ForeignKey(
        Organization, verbose_name=_("leading organization"), on_delete=models.PROTECT,
        related_name="led_alliances",
    )
    members = models.ManyToManyField(
        Organization, verbose_name=_("member organizations"), through="AllianceMembership",
        related_name="alliances",
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)

    objects = AllianceQuerySet.as_manager()

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AllianceMembership(models.Model):
    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["alliance", "organization"], name="alliance_member_once"
            )
        ]

    def __str__(self):
        return f"{self.alliance} · {self.organization}"


class CentreStatus(models.TextChoices):
    BUILT = "built", _("Built")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    PLANNED = "planned", _("Planned")


class ServiceCentreQuerySet(ScopedQuerySet):
    scope_path_lookup = "organization__path"


class ServiceCentre(TimeStampedModel):
    """A Party-mass service centre (党群服务中心), run by one organization."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("run by"), on_delete=models.PROTECT,
        related_name="service_centres",
    )
    name = models.CharField(_("name"), max_length=120)
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=24, choices=CentreStatus.choices)
    built_year = models.PositiveSmallIntegerField(_("year built"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    objects = ServiceCentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("Party-mass service centre")
        verbose_name_plural = _("Party-mass service centres")
        ordering = ["organization", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(area_m2__isnull=True) | models.Q(area_m2__gt=0),
                name="centre_area_positive",
            )
        ]

    def __str__(self):
        return self.name


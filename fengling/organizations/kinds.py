"""Kinds of organizations and the fields (领域) they work in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    DISTRICT = "district", _("District committee")
    STREET = "street", _("Street working committee")
    TOWN = "town", _("Town committee")
    COMMUNITY = "community", _("Community Party committee")
    VILLAGE = "village", _("Village Party committee")
    BUSINESS_DISTRICT = "business_district", _("Business-district Party committee")
    TWO_NEW = "two_new", _("Two-new organization Party committee")
    INSTITUTION = "institution", _("Institution Party committee")
    INDUSTRY = "industry", _("Industry Party committee")
    GENERAL_BRANCH = "general_branch", _("General Party branch")
    BRANCH = "branch", _("Party branch")
    PARTY_GROUP = "party_group", _("Party group")
    FUNCTIONAL = "functional", _("Functional Party organization")


class Domain(models.TextChoices):
    """The field an organization works in; branches take their committee's."""

    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    TOWN = "town", _("Town")
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")
    BUSINESS_DISTRICT = "business_district", _("Business district")
    TWO_NEW = "two_new", _("Two-new organizations")
    INSTITUTION = "institution", _("Institutions")
    INDUSTRY = "industry", _("Industry")


class FunctionalType(models.TextChoices):
    """The four functional organizations of 四室四组."""

    PUBLIC_WELFARE = "public_welfare", _("Public welfare")
    CULTURE = "culture", _("Culture and recreation")
    EMERGENCY = "emergency", _("Emergency response")
    HARMONY = "harmony", _("Harmony and mediation")


# 基层党委: Party committees below the street level (a town committee is one too).
COMMITTEE_KINDS = frozenset(
    {
        OrgKind.TOWN,
        OrgKind.COMMUNITY,
        OrgKind.VILLAGE,
        OrgKind.BUSINESS_DISTRICT,
        OrgKind.TWO_NEW,
        OrgKind.INSTITUTION,
        OrgKind.INDUSTRY,
    }
)
# What the Party's statistics count as grassroots organizations (基层党组织):
# 基层党委 + 总支 + 支部. Street working committees (党工委) are agencies of the district
# committee, Party groups sit inside branches, and functional organizations sit beside them.
GRASSROOTS_KINDS = COMMITTEE_KINDS | {OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}
# Kinds whose members are recorded directly (a member's home organization).
MEMBER_HOME_KINDS = frozenset({OrgKind.BRANCH, OrgKind.GENERAL_BRANCH} | COMMITTEE_KINDS)

"""Subtree reads are one indexed query on SQLite and on PostgreSQL."""

import pytest
from django.db import connection

from fengling.members.models import Member
from fengling.organizations.models import Organization

pytestmark = pytest.mark.django_db


def plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Tiny test tables make a sequential scan cheapest; ask whether the index *can*
            # serve the condition.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " ".join(str(col) for row in cursor.fetchall() for col in row)


def test_subtree_lookup_returns_exactly_the_subtree(cast):
    inside = Organization.objects.filter(path__subtree=cast.community_a.path)
    assert set(inside) == {cast.community_a, cast.branch_a, cast.branch_a2}


def test_subtree_of_organizations_uses_the_path_index(cast):
    text = plan(Organization.objects.filter(path__subtree=cast.street1.path).only("id"))
    if connection.vendor == "postgresql":
        assert "org_path_prefix_idx" in text
    else:
        assert "SEARCH" in text and "org_path_prefix_idx" in text


def test_members_of_a_subtree_use_indexes_only(cast):
    text = plan(Member.objects.in_subtree(cast.street1.path).only("id"))
    if connection.vendor == "postgresql":
        assert "org_path_prefix_idx" in text
    else:
        assert "SCAN members_member" not in text
        assert "org_path_prefix_idx" in text

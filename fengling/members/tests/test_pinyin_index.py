"""The trigram index of full pinyin (SQLite; pg_trgm on PostgreSQL) answers what a scan
would, follows every kind of write, and comes back after a table rebuild."""

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate

from fengling.members import pinyin_index
from fengling.members.models import Member
from fengling.members.selectors import MemberFilters, member_list
from fengling.testing.factories import MemberFactory, make_id_number

pytestmark = pytest.mark.django_db

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite",
                                 reason="the FTS5 index is SQLite's (pg_trgm elsewhere)")

NAMES = ["张三", "欧阳建国", "陈建国", "王磊", "王蕾", "汪雷", "Tom Li", "单雄信", "曾小贤", "李建"]


def inside(key: str) -> set[int]:
    return set(pinyin_index.members_containing(Member.objects.all(), key)
               .values_list("pk", flat=True))


def scanned(key: str) -> set[int]:
    return set(Member.objects.filter(name_pinyin__contains=key).values_list("pk", flat=True))


def found(user, text) -> list[str]:
    return sorted(m.name for m in member_list(user, MemberFilters(search=text)))


@pytest.mark.parametrize("key", ["jianguo", "jian", "wanglei", "lei", "ang", "tomli", "omlixx",
                                 "xiongxin", "zengxiaoxian", "zzz"])
def test_the_index_finds_what_a_scan_of_the_keys_finds(cast, key):
    for name in NAMES:
        MemberFactory(organization=cast.branch_a, name=name)
    assert inside(key) == scanned(key)


def test_it_follows_renames_bulk_inserts_updates_and_deletes(cast):
    member = MemberFactory(organization=cast.branch_a, name="陈建国")
    assert found(cast.community_secretary, "jianguo") == ["陈建国"]

    member.name = "陈立新"
    member.save()
    assert found(cast.community_secretary, "jianguo") == []
    assert found(cast.community_secretary, "lixin") == ["陈立新"]

    # Bulk writes bypass save(); the keys are set by hand, the triggers still fire.
    bulk = [MemberFactory.build(organization=cast.branch_a, name=n) for n in ("欧阳建国", "李建国")]
    for row in bulk:
        row.set_id_number(make_id_number(row.birth_date, row.gender))
        row.set_search_keys()
    Member.objects.bulk_create(bulk)
    assert found(cast.community_secretary, "jianguo") == ["李建国", "欧阳建国"]

    Member.objects.filter(name="李建国").update(name="李卫国", name_pinyin="liweiguo")
    assert found(cast.community_secretary, "jianguo") == ["欧阳建国"]
    assert found(cast.community_secretary, "weiguo") == ["李卫国"]

    Member.objects.filter(name="欧阳建国")._raw_delete(Member.objects.db)
    assert found(cast.community_secretary, "jianguo") == []


@sqlite_only
def test_after_a_table_rebuild_migrate_puts_the_triggers_back_and_refills(cast):
    # Django rebuilds a SQLite table (copy, drop, rename) for many schema changes, which
    # drops its triggers: the members written meanwhile are missing from the index.
    with connection.cursor() as cursor:
        for sql in pinyin_index.DROP_TRIGGERS:
            cursor.execute(sql)
    MemberFactory(organization=cast.branch_a, name="陈建国")
    assert found(cast.community_secretary, "jianguo") == []

    config = apps.get_app_config("members")
    post_migrate.send(sender=config, app_config=config, verbosity=0, interactive=False,
                      using=connection.alias, apps=apps, plan=[])

    assert found(cast.community_secretary, "jianguo") == ["陈建国"]
    MemberFactory(organization=cast.branch_a, name="林建国")
    assert found(cast.community_secretary, "jianguo") == ["林建国", "陈建国"]


@sqlite_only
def test_migrate_leaves_the_index_alone_when_it_is_whole(cast):
    assert pinyin_index.ensure(connection.alias, repair=True) is False


@sqlite_only
def test_a_search_reads_the_index_not_the_keys(cast):
    sql = str(member_list(cast.district_admin, MemberFilters(search="jianguo")).query)
    assert f"{pinyin_index.TABLE} MATCH" in sql
    assert "name_pinyin\" LIKE '%" not in sql

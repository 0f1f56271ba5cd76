"""The data migration gives every existing member one history row matching their status."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("members", "0006_lifecycle_records")]
AFTER = [("members", "0007_initial_status_history")]


@pytest.mark.django_db(transaction=True)
def test_initial_history_rows(settings):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        apps = executor.loader.project_state(BEFORE).apps
        org = apps.get_model("organizations", "Organization").objects.create(
            name="支部", kind="branch", domain="community", code="M1", path="0001", depth=1,
            numchild=0)
        Member = apps.get_model("members", "Member")
        statuses = ["normal", "mobile", "deceased", "left", "lost_contact"]
        for i, status in enumerate(statuses):
            Member.objects.create(
                organization=org, name=f"党员{i}", gender="M", birth_date=dt.date(1970, 1, 1),
                id_number_cipher="x", id_number_digest=f"d{i}", id_number_masked="m",
                education="bachelor", occupation="in_service", join_date=dt.date(2000, 1, i + 1),
                membership="full", conversion_date=dt.date(2001, 1, 1), status=status)
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        apps = executor.loader.project_state(AFTER).apps
        rows = sorted(apps.get_model("members", "StatusChange").objects.values_list(
            "member__name", "kind", "status", "effective_on"))
        assert rows == [(f"党员{i}", "initial", s, dt.date(2000, 1, i + 1))
                        for i, s in enumerate(statuses)]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

"""Nobody changes or deletes an audit row: not the model, not a bulk query, not raw SQL, not
the Django admin (superuser included)."""

import threading

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from jiesu.audit.log import record
from jiesu.audit.models import AuditEvent, AuditRefused


@pytest.fixture
def row(people):
    return record("export", user=people["zuoxi"], what="工单台账", count=1)


def refused(action) -> str:
    """Run a write that must fail at the database; the test goes on in a clean transaction."""
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        action()
    return str(error.value)


def test_the_model_refuses_to_save_a_change_or_delete(row):
    row.detail = {"what": "别的"}
    with pytest.raises(AuditRefused):
        row.save()
    with pytest.raises(AuditRefused):
        row.delete()
    assert AuditEvent.objects.get(pk=row.pk).detail == {"what": "工单台账", "count": 1}


def test_bulk_update_and_delete_hit_the_trigger(row):
    assert "只能追加" in refused(lambda: AuditEvent.objects.filter(pk=row.pk).update(kind="login"))
    assert "只能追加" in refused(lambda: AuditEvent.objects.all().delete())
    assert AuditEvent.objects.filter(pk=row.pk, kind="export").exists()


def test_raw_sql_update_and_delete_hit_the_trigger(row):
    def sql(statement):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(statement, [row.pk])

        return run

    assert "只能追加" in refused(sql("UPDATE audit_auditevent SET ip = '1.1.1.1' WHERE id = %s"))
    assert "只能追加" in refused(sql("DELETE FROM audit_auditevent WHERE id >= %s"))
    assert AuditEvent.objects.get(pk=row.pk).ip == ""


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_truncate_hits_the_trigger_on_postgresql(row):
    def truncate():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditevent")

    assert "只能追加" in refused(truncate)


def test_deleting_a_user_leaves_their_rows(people, row):
    User.objects.filter(pk=people["zuoxi"].pk).delete()
    kept = AuditEvent.objects.get(pk=row.pk)
    assert (kept.actor_id, kept.actor_username) == (people["zuoxi"].pk, "zuoxi")


@pytest.fixture
def superuser_client(client, people):
    User.objects.filter(pk=people["admin"].pk).update(is_staff=True, is_superuser=True)
    client.force_login(people["admin"])
    return client


def test_the_admin_shows_the_log_but_cannot_change_or_delete_it(superuser_client, row):
    url = f"/admin/audit/auditevent/{row.pk}/"
    page = superuser_client.get(f"{url}change/")
    assert page.status_code == 200
    assert "工单台账" in page.content.decode()
    assert f"{url}delete/" not in page.content.decode()
    assert superuser_client.get(f"{url}delete/").status_code == 403
    assert superuser_client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    superuser_client.post(f"{url}change/", {"kind": "login"})
    listing = superuser_client.get("/admin/audit/auditevent/").content.decode()
    assert "delete_selected" not in listing
    assert superuser_client.get("/admin/audit/auditevent/add/").status_code == 403
    bulk = superuser_client.post(
        "/admin/audit/auditevent/", {"action": "delete_selected", "_selected_action": [row.pk]}
    )
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.get(pk=row.pk).kind == "export"


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain(capsys):
    from django.db import connections

    errors = []

    def append(name):
        try:
            for n in range(15):
                record("export", what=name, count=n)
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(f"线程{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.count() == 30
    assert {e.detail["what"] for e in AuditEvent.objects.all()} == {"线程0", "线程1"}
    call_command("audit", "verify")
    assert "审计日志完整:共 30 条" in capsys.readouterr().out

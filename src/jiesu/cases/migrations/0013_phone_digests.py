"""Fill the phone digest and last four digits of the cases already here (see cases.search),
in batches of 5,000, each committed on its own: an interrupted run resumes where it stopped."""

import hashlib
import hmac

from django.db import migrations, transaction

BATCH = 5000


def fill(apps, schema_editor):
    from jiesu.cases.search import phone_digits  # how the search reads a number

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM cases_phonesearchkey WHERE id = 1")
        key = cursor.fetchone()[0].encode("ascii")
    last = 0
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, caller_phone FROM cases_case WHERE id > %s AND caller_phone <> ''"
                " AND caller_phone_digest = '' ORDER BY id LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            updates = []
            for pk, phone in rows:
                digits = phone_digits(phone)
                if digits:
                    digest = hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()
                    updates.append((digest, digits[-4:] if len(digits) >= 4 else "", pk))
            cursor.executemany(
                "UPDATE cases_case SET caller_phone_digest = %s, caller_phone_tail = %s"
                " WHERE id = %s",
                updates,
            )
        last = rows[-1][0]


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("cases", "0012_phone_key_number_index")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop, atomic=False)]

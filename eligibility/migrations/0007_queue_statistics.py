"""PostgreSQL only: statistics on how the review queue's columns go together.

The queue's rows are the latest screenings (`is_latest`) whose status needs a physician; the
planner, taking each condition as independent, expected 149 of 1,493 at clinic scale, sorted
them all, and served the first page in about 4 ms. With these statistics it expects about
1,200 and walks the queue's index in order, stopping after the page (about 1.4 ms).
SQLite has no such statistics; its planner already reads the index in order.
"""

from django.db import migrations

CREATE = (
    "CREATE STATISTICS IF NOT EXISTS screening_queue_stats (dependencies, mcv) "
    "ON is_latest, current_status, status_until, valid_until FROM eligibility_screening"
)
DROP = "DROP STATISTICS IF EXISTS screening_queue_stats"


def _run(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0006_queue_covering_index")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]

"""The database's plan for a query, for tests that a page's query reads the index meant for it.

On PostgreSQL the table is analysed first, as autovacuum would (without statistics the planner
guesses every condition's selectivity), and sequential scans are switched off for the test's
transaction: its tables are tiny, and the planner would rightly scan them whole.
"""

from django.db import connection
from django.db.models import QuerySet


def plan(queryset: QuerySet) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{queryset.model._meta.db_table}"')
            cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()

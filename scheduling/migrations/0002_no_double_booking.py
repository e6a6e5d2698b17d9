"""No provider, room, device or patient in two overlapping live sessions (PostgreSQL only).

An `ExclusionConstraint` in the model's Meta would break `migrate` on SQLite (it has no GiST
indexes and no range types), so the constraints are not declared there: this migration adds
them only when the database is PostgreSQL, together with the btree_gist extension they need to
compare plain columns with `=` in a GiST index. On SQLite the booking service runs the same check
inside an IMMEDIATE transaction, which serialises writers.

The constraints are written out here rather than imported from the app, so this migration keeps
doing what it did even if the app's code changes later.
"""

from django.db import migrations
from django.db.models import Func, Q

RESOURCES = ("provider", "room", "device", "patient")
RELEASED = ["cancelled", "no_show"]


def _constraints():
    from django.contrib.postgres.constraints import ExclusionConstraint
    from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators

    class TsTzRange(Func):
        function = "TSTZRANGE"
        output_field = DateTimeRangeField()

    return [
        ExclusionConstraint(
            name=f"session_no_overlap_{resource}",
            expressions=[
                (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                (resource, RangeOperators.EQUAL),
            ],
            condition=~Q(status__in=RELEASED),
            violation_error_message=f"The {resource} is already booked at that time.",
        )
        for resource in RESOURCES
    ]


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    model = apps.get_model("scheduling", "TreatmentSession")
    for constraint in _constraints():
        schema_editor.add_constraint(model, constraint)


def remove_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("scheduling", "TreatmentSession")
    for constraint in _constraints():
        schema_editor.remove_constraint(model, constraint)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(add_constraints, remove_constraints)]

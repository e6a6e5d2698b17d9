"""SessionType moves here from scheduling, rows and all: only Django's state changes.

The table keeps its name (`db_table = "scheduling_sessiontype"`, and so its providers table is
still `scheduling_sessiontype_providers`); scheduling's migration 0005 drops the model from its
own state and points TreatmentSession.session_type here, again without touching the database.
Its content type moves too, so the permissions granted on it and its audit-log entries follow.
"""

from django.conf import settings
from django.db import migrations, models

import treatments.models


def _move_content_type(apps, source: str, target: str) -> None:
    """Relabel the model's content type (a fresh database has none yet: they are made after
    `migrate`); if the target already has one, both are left as they are."""
    content_type = apps.get_model("contenttypes", "ContentType")
    if not content_type.objects.filter(app_label=target, model="sessiontype").exists():
        content_type.objects.filter(app_label=source, model="sessiontype").update(app_label=target)


def forwards(apps, schema_editor):
    _move_content_type(apps, "scheduling", "treatments")


def backwards(apps, schema_editor):
    _move_content_type(apps, "treatments", "scheduling")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("scheduling", "0003_defaults"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SessionType",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=60, unique=True)),
                        (
                            "procedure_codes",
                            models.CharField(
                                help_text=(
                                    "Procedure codes joined by '+', in order, "
                                    "e.g. 'prp+microneedling'."
                                ),
                                max_length=60,
                                validators=[treatments.models.validate_procedure_codes],
                                verbose_name="procedures",
                            ),
                        ),
                        ("duration_minutes", models.PositiveSmallIntegerField()),
                        (
                            "room_kind",
                            models.CharField(
                                choices=[("procedure", "Procedure room"), ("laser", "Laser room")],
                                max_length=20,
                            ),
                        ),
                        (
                            "device_kind",
                            models.CharField(
                                choices=[
                                    ("mn_pen", "Microneedling pen"),
                                    ("centrifuge", "PRP centrifuge"),
                                    ("laser", "Laser / light unit"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("active", models.BooleanField(default=True)),
                        (
                            "providers",
                            models.ManyToManyField(
                                blank=True,
                                help_text="The staff who may perform this session type.",
                                related_name="session_types",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "scheduling_sessiontype",
                        "ordering": ["name"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("duration_minutes__gte", 5), ("duration_minutes__lte", 480)
                                ),
                                name="session_type_duration_range",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]

"""The consent texts move from code (scheduling/consent.py) into the database, as versions."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0003_default_session_types"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ConsentText",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "procedure",
                    models.CharField(
                        choices=[
                            ("microneedling", "Microneedling"),
                            ("prp", "PRP"),
                            ("lllt", "Laser (LLLT)"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "version",
                    models.CharField(
                        max_length=20,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^\\d{4}\\.\\d{2}\\.\\d+$", "A version reads YYYY.MM.N."
                            )
                        ],
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                ("body", models.TextField(help_text="The paragraphs, separated by a blank line.")),
                ("published_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "published_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for the texts the app was installed with.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["procedure", "-published_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("procedure", "version"), name="consent_text_unique_version"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("title", ""), _negated=True),
                            models.Q(("body", ""), _negated=True),
                        ),
                        name="consent_text_not_empty",
                    ),
                ],
            },
        ),
    ]

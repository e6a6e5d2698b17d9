"""SessionType now lives in treatments (its migration 0001): scheduling forgets it and its
sessions point there. State only: the table, its rows and the foreign key's column and
constraint stay exactly as they were."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0004_attention_events"),
        ("treatments", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="treatmentsession",
                    name="session_type",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="treatments.sessiontype",
                    ),
                ),
                migrations.DeleteModel(name="SessionType"),
            ],
            database_operations=[],
        ),
    ]

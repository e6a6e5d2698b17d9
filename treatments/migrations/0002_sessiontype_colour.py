"""Each session type gets a colour, for the calendar and badges."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("treatments", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="sessiontype",
            name="colour",
            field=models.CharField(
                choices=[
                    ("primary", "Blue"),
                    ("info", "Cyan"),
                    ("success", "Green"),
                    ("warning", "Yellow"),
                    ("danger", "Red"),
                    ("secondary", "Grey"),
                    ("dark", "Black"),
                ],
                default="primary",
                help_text="How the calendar and badges show this session type.",
                max_length=20,
            ),
        ),
    ]

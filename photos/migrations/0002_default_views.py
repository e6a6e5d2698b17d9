"""The standard views a clinic starts with (issue 17), when it has none yet."""

from django.db import migrations

# Written out, not imported from photos.models, so this migration keeps doing what it did
# whatever the app's code becomes.
DEFAULTS = (
    ("frontal", "Frontal hairline"),
    ("mid_scalp", "Mid-scalp"),
    ("vertex", "Vertex (crown)"),
    ("left_temporal", "Left temporal"),
    ("right_temporal", "Right temporal"),
    ("occipital", "Occipital"),
)


def seed(apps, schema_editor):
    """Fill an empty table with the defaults, in order; a clinic's own views are left alone."""
    photo_view = apps.get_model("photos", "PhotoView")
    if photo_view.objects.exists():
        return
    photo_view.objects.bulk_create(
        photo_view(code=code, label=label, position=(index + 1) * 10)
        for index, (code, label) in enumerate(DEFAULTS)
    )


class Migration(migrations.Migration):
    dependencies = [("photos", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

# ruff: noqa: RUF001 - clinical text uses en dashes, as CLINICAL.md does
"""The consent texts the app shipped with until now, version 2026.11.1 of each procedure's, so
every consent already signed (scheduling's `Consent.text_version`) still finds its text.

Written out here, not imported, so this migration keeps doing what it did whatever the app's
code becomes. `add_missing` is also what treatments.apps runs after a flush (the test runner's,
between transactional tests), so a flushed database has its texts back as it has its
permissions back.
"""

from django.db import migrations
from django.utils import timezone

_COMMON_RISKS = (
    "Risks include bleeding, bruising, infection, an allergic reaction, and redness or marks "
    "that can last a few days. No result is guaranteed; several sessions and later maintenance "
    "sessions are usually needed."
)
_ALTERNATIVES = (
    "Alternatives include medicines such as minoxidil (applied to the scalp) and finasteride "
    "(tablets), and doing nothing."
)

# procedure, version, title, paragraphs
TEXTS = (
    (
        "microneedling",
        "2026.11.1",
        "Consent to scalp microneedling",
        (
            "Microneedling makes many tiny punctures in the scalp with fine needles to stimulate "
            "hair growth. Microneedling devices are authorised for facial scars and wrinkles; "
            "their use on the scalp for hair loss is off-label.",
            _ALTERNATIVES,
            _COMMON_RISKS,
            "Before: tell the clinic about any cut, spot, infection or cold sore on the scalp. "
            "After: no hair washing for 24 hours; no minoxidil or other topicals for 24 hours "
            "unless the physician says otherwise; call the clinic for spreading redness, pus, "
            "fever or pain that grows.",
        ),
    ),
    (
        "prp",
        "2026.11.1",
        "Consent to platelet-rich plasma (PRP) treatment",
        (
            "A small amount of blood is drawn, spun in a centrifuge to concentrate the platelets, "
            "and the plasma is injected into the scalp. PRP outside transfusion medicine is an "
            "off-label use.",
            _ALTERNATIVES,
            _COMMON_RISKS,
            "Before: avoid aspirin and anti-inflammatory painkillers for the days the clinic "
            "tells you. After: no hair washing for 24 hours; no sauna, hard exercise or strong "
            "sun for 1–3 days; call the clinic for spreading redness, pus, fever or pain that "
            "grows.",
        ),
    ),
    (
        "lllt",
        "2026.11.1",
        "Consent to low-level laser therapy (LLLT)",
        (
            "Low-level laser or light therapy shines red light on the scalp to stimulate hair "
            "growth. Use outside the device's cleared population is off-label.",
            _ALTERNATIVES,
            "Risks include scalp warmth, redness or itching, and no guaranteed result; several "
            "sessions and later maintenance sessions are needed.",
            "Before: tell the clinic about broken skin on the scalp and any medicine that makes "
            "skin sensitive to light. After: avoid strong sun on the scalp that day.",
        ),
    ),
)


def add_missing(consent_text, using: str) -> None:
    """Give each procedure without a text its 2026.11.1 text (bulk: the model refuses nothing
    here, and there is no one to name in the audit log)."""
    rows = consent_text.objects.using(using)
    present = set(rows.values_list("procedure", flat=True))
    now = timezone.now()
    rows.bulk_create(
        consent_text(
            procedure=procedure,
            version=version,
            title=title,
            body="\n\n".join(paragraphs),
            published_at=now,
        )
        for procedure, version, title, paragraphs in TEXTS
        if procedure not in present
    )


def seed(apps, schema_editor):
    add_missing(apps.get_model("treatments", "ConsentText"), schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0004_consenttext")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

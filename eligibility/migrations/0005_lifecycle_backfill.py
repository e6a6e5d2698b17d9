"""Give stored screenings and decisions what the lifecycle reads: when each answer was given,
the intake's free text, the verdict, and the facts a decision was bound to."""

from django.db import migrations

DAY_OF = ("scalp_wound", "scalp_acne", "acute_infection", "scalp_inflammation",
          "active_cold_sore", "recent_sunburn")


def backfill(apps, schema_editor):
    Screening = apps.get_model("eligibility", "Screening")
    PhysicianReview = apps.get_model("eligibility", "PhysicianReview")
    for screening in Screening.objects.select_related("intake").iterator(chunk_size=500):
        taken = screening.intake.taken_at.isoformat()
        answered_at = {code: taken for code in screening.answers}
        if screening.kind == "day_of":
            for code in DAY_OF:
                if code in answered_at:
                    answered_at[code] = screening.screened_at.isoformat()
        screening.answered_at = answered_at
        screening.details = {
            "medications": screening.intake.medications.strip(),
            "allergies": screening.intake.allergies.strip(),
            "medical_details": screening.intake.medical_details.strip(),
        }
        screening.status = screening.current_status = screening.outcome
        screening.save(update_fields=["answered_at", "details", "status", "current_status"])
    for review in PhysicianReview.objects.select_related("screening").iterator(chunk_size=500):
        screening = review.screening
        review.facts = {
            code: screening.answers.get(code, (screening.derived or {}).get("age"))
            for code in review.codes
        }
        review.details = screening.details
        review.save(update_fields=["facts", "details"])


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0004_lifecycle")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

"""Consent texts: versions per procedure, a new version for any change (issue 14)."""

urlpatterns: list = []

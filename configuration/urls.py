from django.urls import include, path

app_name = "configuration"

urlpatterns: list = [
    path("consent-texts/", include("configuration.consent_texts")),
]

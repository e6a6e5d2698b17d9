"""The photo pages: taking a photo from the session page, serving it privately, comparing,
the contact sheet, consent and the clinic's views; who may open which (issue 17)."""

import io

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from photos.models import PhotoConsent, PhotoView, ScalpPhoto
from tests.photos.helpers import jpeg_bytes, jpeg_upload, png_bomb, sign, take
from tests.scheduling.factories import make_session, on_day, screened_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(clinic):
    return screened_patient(by=clinic.desk)


@pytest.fixture
def session(clinic, patient):
    return make_session(clinic, patient=patient, start=on_day(0, 9))


@pytest.fixture
def photo(session, physician_user):
    sign(session.patient, by=physician_user)
    return take(session, PhotoView.objects.get(code="frontal"), by=physician_user)


def _frontal() -> PhotoView:
    return PhotoView.objects.get(code="frontal")


def _post_photo(client, session, upload, view=None):
    return client.post(
        reverse("photos:upload", args=[session.pk]),
        {"view": (view or _frontal()).pk, "image": upload},
    )


# ---- taking a photo -----------------------------------------------------------------------


def test_a_physician_takes_a_photo_and_its_gps_is_gone(physician_client, physician_user, session):
    sign(session.patient, by=physician_user)
    response = _post_photo(physician_client, session, jpeg_upload())
    assert response.status_code == 302
    assert response.url == reverse("scheduling:session-detail", args=[session.pk]) + "#photos"
    photo = ScalpPhoto.objects.get()
    with photo.image.open("rb") as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    assert not image.getexif() and "exif" not in image.info
    assert b"PhoneCam" not in data
    assert image.size == (40, 60)  # turned as the camera meant
    page = physician_client.get(response.url).content.decode()
    assert "Frontal hairline photo saved." in page


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("notes.jpg", b"Not a photo at all\n", "image/jpeg"), "not a photo"),
        (SimpleUploadedFile("bomb.png", png_bomb(), "image/png"), "claims far more pixels"),
    ],
    ids=["text-named-jpg", "png-bomb"],
)
def test_a_refused_file_is_said_on_the_form(
    physician_client, physician_user, session, upload, message
):
    sign(session.patient, by=physician_user)
    response = _post_photo(physician_client, session, upload)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "The photo was not saved" in html
    assert not ScalpPhoto.objects.exists()


def test_an_image_over_the_pixel_limit_is_refused_on_the_form(
    physician_client, physician_user, session, settings
):
    settings.PHOTOS_MAX_PIXELS = 100
    sign(session.patient, by=physician_user)
    response = _post_photo(physician_client, session, jpeg_upload())
    assert "too large to handle safely" in response.content.decode()


def test_an_oversized_file_is_refused_on_the_form(
    physician_client, physician_user, session, settings
):
    settings.PHOTOS_MAX_BYTES = 200
    sign(session.patient, by=physician_user)
    response = _post_photo(physician_client, session, jpeg_upload())
    assert "a photo can be at most 200" in response.content.decode()


def test_without_consent_the_page_says_so_and_links_to_it(physician_client, session):
    response = _post_photo(physician_client, session, jpeg_upload())
    html = response.content.decode()
    assert "No photo consent" in html
    assert not ScalpPhoto.objects.exists()
    page = physician_client.get(reverse("scheduling:session-detail", args=[session.pk]))
    html = page.content.decode()
    consent_url = reverse("photos:consent-create", args=[session.patient.pk])
    assert f'href="{consent_url}?session={session.pk}"' in html
    assert 'type="file"' not in html


def test_the_session_card_shows_each_view_and_the_camera_form(physician_client, photo, session):
    html = physician_client.get(reverse("scheduling:session-detail", args=[session.pk])).content
    html = html.decode()
    assert 'id="photos"' in html
    assert reverse("photos:thumbnail", args=[photo.pk]) in html
    assert html.count("Not taken") == PhotoView.objects.filter(active=True).count() - 1
    assert 'accept="image/*"' in html and 'capture="environment"' in html
    assert 'enctype="multipart/form-data"' in html
    assert reverse("photos:contact-sheet", args=[session.pk]) in html
    assert reverse("photos:compare", args=[session.patient.pk]) in html
    assert "scalp/" not in html  # no storage path anywhere


def test_the_front_desk_sees_no_photos_card(desk_client, photo, session):
    html = desk_client.get(reverse("scheduling:session-detail", args=[session.pk])).content
    assert b'id="photos"' not in html
    page = desk_client.get(reverse("intake:patient-detail", args=[session.patient.pk])).content
    assert b'id="photos"' not in page


def test_the_patient_card_counts_photos_and_links_to_compare(physician_client, photo, patient):
    html = physician_client.get(reverse("intake:patient-detail", args=[patient.pk])).content
    html = html.decode()
    assert "1 photo from 1 session" in html
    assert reverse("photos:compare", args=[patient.pk]) in html
    consent = PhotoConsent.objects.get()
    assert reverse("photos:consent-withdraw", args=[consent.pk]) in html


# ---- serving ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["photos:image", "photos:thumbnail"])
def test_a_photo_is_streamed_uncached_and_its_access_logged(
    physician_client, physician_user, photo, name
):
    response = physician_client.get(reverse(name, args=[photo.pk]))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "no-store, private"
    data = b"".join(response.streaming_content)
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    entry = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        actor=physician_user,
        content_type=ContentType.objects.get_for_model(ScalpPhoto),
        object_pk=str(photo.pk),
    )
    assert entry.count() == 1


def test_a_missing_file_is_a_404(physician_client, photo):
    photo.image.storage.delete(photo.image.name)
    assert physician_client.get(reverse("photos:image", args=[photo.pk])).status_code == 404


def _every_photo_url(photo) -> list[str]:
    session, patient = photo.session, photo.patient
    consent = PhotoConsent.objects.get()
    return [
        reverse("photos:image", args=[photo.pk]),
        reverse("photos:thumbnail", args=[photo.pk]),
        reverse("photos:contact-sheet", args=[session.pk]),
        reverse("photos:upload", args=[session.pk]),
        reverse("photos:compare", args=[patient.pk]),
        reverse("photos:consent-create", args=[patient.pk]),
        reverse("photos:consent-withdraw", args=[consent.pk]),
        reverse("photos:view-list"),
        reverse("photos:view-create"),
        reverse("photos:view-update", args=[photo.view.pk]),
    ]


def test_every_photo_url_is_listed_here(photo):
    from photos.urls import urlpatterns

    assert len(_every_photo_url(photo)) == len(urlpatterns)


def test_the_front_desk_gets_403_on_every_photo_url(desk_client, photo):
    for url in _every_photo_url(photo):
        assert desk_client.get(url).status_code == 403, url
        assert desk_client.post(url).status_code == 403, url


def test_an_anonymous_visitor_never_gets_a_working_photo_url(photo):
    client = Client()
    for url in _every_photo_url(photo):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url


def test_a_physician_has_no_say_over_the_clinics_views(physician_client, photo):
    for url in _every_photo_url(photo)[-3:]:
        assert physician_client.get(url).status_code == 403


# ---- compare and the contact sheet --------------------------------------------------------


@pytest.fixture
def course(clinic, patient, physician_user):
    """Three sessions a month apart, a frontal photo at each (the middle one also a vertex)."""
    sign(patient, by=physician_user)
    sessions = [make_session(clinic, patient=patient, start=on_day(d, 10)) for d in (-60, -30, 0)]
    frontal, vertex = _frontal(), PhotoView.objects.get(code="vertex")
    photos = [take(s, frontal, by=physician_user) for s in sessions]
    take(sessions[1], vertex, by=physician_user)
    return sessions, photos


def test_compare_defaults_to_the_first_and_latest(physician_client, patient, course):
    _, photos = course
    response = physician_client.get(reverse("photos:compare", args=[patient.pk]))
    assert response.status_code == 200
    assert response.context["before"] == photos[0]
    assert response.context["after"] == photos[2]
    html = response.content.decode()
    assert reverse("photos:image", args=[photos[0].pk]) in html
    assert reverse("photos:image", args=[photos[2].pk]) in html
    assert 'type="range"' in html and "js/photos.js" in html and "css/photos.css" in html
    assert " style=" not in html and "<script>" not in html


def test_compare_takes_any_two_dates_by_id(physician_client, physician_user, patient, course):
    sessions, photos = course
    url = reverse("photos:compare", args=[patient.pk])
    query = {"view": _frontal().pk, "before": sessions[1].pk, "after": sessions[2].pk}
    response = physician_client.get(url, query)
    assert response.context["before"] == photos[1]
    assert response.context["after"] == photos[2]
    shown = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS,
        actor=physician_user,
        content_type=ContentType.objects.get_for_model(ScalpPhoto),
    ).values_list("object_pk", flat=True)
    assert {str(photos[1].pk), str(photos[2].pk)} <= set(shown)


def test_compare_says_when_a_date_has_no_photo_of_the_view(physician_client, patient, course):
    sessions, _ = course
    vertex = PhotoView.objects.get(code="vertex")
    query = {"view": vertex.pk, "before": sessions[0].pk, "after": sessions[1].pk}
    response = physician_client.get(reverse("photos:compare", args=[patient.pk]), query)
    assert response.context["before"] is None
    assert "No vertex (crown) photo on" in response.content.decode()


def test_compare_ignores_ids_that_are_not_the_patients(physician_client, patient, course, clinic):
    other = make_session(clinic, patient=screened_patient(by=clinic.desk), start=on_day(1, 10))
    query = {"view": _frontal().pk, "before": other.pk, "after": course[0][0].pk}
    response = physician_client.get(reverse("photos:compare", args=[patient.pk]), query)
    assert response.status_code == 200
    assert response.context["before"] == course[1][0]  # back to the defaults


def test_compare_without_photos(physician_client, patient):
    response = physician_client.get(reverse("photos:compare", args=[patient.pk]))
    assert "No photos of this patient yet" in response.content.decode()


def test_the_contact_sheet_shows_every_view_and_logs_them(physician_client, physician_user, course):
    sessions, _ = course
    response = physician_client.get(reverse("photos:contact-sheet", args=[sessions[1].pk]))
    assert response.status_code == 200
    sheet = response.context["sheet"]
    assert [row.view.code for row in sheet.rows] == list(
        PhotoView.objects.filter(active=True).values_list("code", flat=True)
    )
    assert sheet.taken == 2
    logged = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=physician_user)
    assert logged.filter(object_pk=str(sessions[1].pk)).exists()
    assert logged.filter(content_type=ContentType.objects.get_for_model(ScalpPhoto)).count() == 2


# ---- consent ------------------------------------------------------------------------------


def test_consent_is_signed_from_the_form_and_withdrawn(physician_client, session, patient):
    url = reverse("photos:consent-create", args=[patient.pk])
    page = physician_client.get(url + f"?session={session.pk}").content.decode()
    assert "Consent to clinical scalp photographs" in page
    assert "I may withdraw it at any time" in page
    response = physician_client.post(
        url + f"?session={session.pk}", {"typed_name": "Ada Byron", "agreed": "on"}
    )
    assert response.url == reverse("scheduling:session-detail", args=[session.pk]) + "#photos"
    consent = PhotoConsent.objects.get()
    withdraw = reverse("photos:consent-withdraw", args=[consent.pk])
    assert physician_client.get(withdraw).status_code == 200
    response = physician_client.post(withdraw)
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_consent_unticked_is_refused(physician_client, patient):
    response = physician_client.post(
        reverse("photos:consent-create", args=[patient.pk]), {"typed_name": "Ada Byron"}
    )
    assert response.status_code == 200
    assert not PhotoConsent.objects.exists()


# ---- the clinic's views -------------------------------------------------------------------


def test_an_admin_adds_renames_reorders_and_retires_a_view(admin_client_):
    listing = admin_client_.get(reverse("photos:view-list"))
    assert listing.status_code == 200 and b"Frontal hairline" in listing.content
    response = admin_client_.post(
        reverse("photos:view-create"), {"code": "donor", "label": "Donor area", "position": 70}
    )
    assert response.status_code == 302
    view = PhotoView.objects.get(code="donor")
    response = admin_client_.post(
        reverse("photos:view-update", args=[view.pk]), {"label": "Donor zone", "position": 1}
    )
    assert response.status_code == 302
    view.refresh_from_db()
    assert (view.label, view.position, view.active) == ("Donor zone", 1, False)
    assert PhotoView.objects.first() == view


def test_a_retired_view_is_not_offered_for_new_photos(physician_client, photo, session):
    PhotoView.objects.filter(code="occipital").update(active=False)
    html = physician_client.get(reverse("photos:upload", args=[session.pk])).content.decode()
    assert "Occipital" not in html


def test_jpeg_helper_carries_gps():
    exif = Image.open(io.BytesIO(jpeg_bytes())).getexif()
    assert exif.get_ifd(34853)

"""Admin fixes: favicon, the admin's own 403 page, the country filters, the partner pairs
explanation, the committee picker's names, a narrower practice list, and Import after
Preview without choosing the file again."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from practices.models import Practice
from tests.factories import (
    AwardFactory,
    JurisdictionFactory,
    PracticeFactory,
    RecognitionFactory,
    UserFactory,
)
from tests.test_import import IMPORT_URL, good_row, refs, to_csv  # noqa: F401 - fixture


@pytest.mark.django_db
def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")


@pytest.mark.django_db
def test_a_refused_committee_member_sees_the_admin_layout(client, committee_a):
    other = RecognitionFactory(award=AwardFactory(name="Not theirs"))
    client.force_login(committee_a)
    response = client.get(reverse("admin:awards_recognition_change", args=[other.pk]))
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="site-name"' in html and "breadcrumbs" in html
    assert "only the recognitions of the awards whose committee lists them" in html


@pytest.mark.django_db
def test_public_403_uses_the_site_layout(client, rf):
    from clearinghouse.admin_pages import permission_denied

    request = rf.get("/somewhere/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    response = permission_denied(request)
    assert response.status_code == 403
    assert b"skip-link" in response.content


@pytest.mark.django_db
def test_country_filters_list_only_countries_in_use(client, superuser):
    JurisdictionFactory(country="SV")
    PracticeFactory(lead_jurisdiction=JurisdictionFactory(country="MX"))
    client.force_login(superuser)
    for name in ("practices_practice", "practices_jurisdiction"):
        html = client.get(reverse(f"admin:{name}_changelist")).content.decode()
        assert "El Salvador" in html and "Mexico" in html
        assert "Zimbabwe" not in html and "Afghanistan" not in html
    response = client.get(reverse("admin:practices_practice_changelist"), {"lead_country": "MX"})
    assert response.status_code == 200
    assert "1 practice" in response.content.decode()


@pytest.mark.django_db
def test_partner_pairs_are_explained(client, superuser):
    client.force_login(superuser)
    html = client.get(reverse("admin:practices_initiative_add")).content.decode()
    assert "two jurisdictions that an initiative paired" in html
    html = client.get(reverse("admin:practices_partnerpair_add")).content.decode()
    assert "two jurisdictions that an initiative paired" in html


@pytest.mark.django_db
def test_committee_picker_shows_full_names(client, superuser):
    UserFactory(
        username="dortiz",
        first_name="Dana",
        last_name="Ortiz",
        email="dana@example.org",
        is_staff=True,
    )
    client.force_login(superuser)
    html = client.get(reverse("admin:awards_award_add")).content.decode()
    assert "Dana Ortiz (dortiz, dana@example.org)" in html


@pytest.mark.django_db
def test_practice_list_has_few_columns(client, superuser):
    PracticeFactory()
    client.force_login(superuser)
    html = client.get(reverse("admin:practices_practice_changelist")).content.decode()
    assert "column-title" in html and "column-updated_by" not in html
    assert "column-updated_at" not in html and "column-last_change" in html
    assert "column-language" not in html and "column-published_at" not in html


@pytest.mark.django_db
def test_import_after_preview_does_not_ask_for_the_file_again(client, refs, superuser):  # noqa: F811
    client.force_login(superuser)
    url = reverse(IMPORT_URL)
    data = to_csv([good_row()])
    preview = client.post(
        url, {"file": SimpleUploadedFile("p.csv", data, content_type="text/csv"), "preview": "1"}
    )
    assert preview.status_code == 200
    token = preview.context["kept_token"]
    assert token and f'value="{token}"' in preview.content.decode()
    assert not Practice.objects.exists()
    response = client.post(url, {"upload_token": token, "import": "1"})
    assert response.status_code == 302
    assert Practice.objects.filter(slug="night-lights").exists()
    # The kept file is used once.
    again = client.post(url, {"upload_token": token, "import": "1"})
    assert "no longer kept" in again.content.decode()


@pytest.mark.django_db
def test_a_kept_file_belongs_to_whoever_previewed_it(client, refs, superuser):  # noqa: F811
    client.force_login(superuser)
    url = reverse(IMPORT_URL)
    data = to_csv([good_row()])
    preview = client.post(
        url, {"file": SimpleUploadedFile("p.csv", data, content_type="text/csv"), "preview": "1"}
    )
    token = preview.context["kept_token"]
    other = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(other)
    response = client.post(url, {"upload_token": token, "import": "1"})
    assert "no longer kept" in response.content.decode()
    assert not Practice.objects.exists()

"""Issue 12 through real requests: a shared practice becomes a draft, then a published
practice; a correction reaches the practice's history; an adoption report shows on the
practice page once approved. Every message arrives at a real local SMTP server."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse

from intake.models import Adoption, Correction, IntakeState, Submission
from practices.models import Jurisdiction, Practice, Publication, PublishingState
from tests.factories import (
    AdoptionFactory,
    CorrectionFactory,
    DepartmentFactory,
    JurisdictionFactory,
    PracticeFactory,
    SubmissionFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\nstartxref\n9\n%%EOF\n"


@pytest.fixture
def curators_inbox(curator):
    """The curator fixture has an address; a second curator too, and a committee member
    (who must not be told)."""
    second = UserFactory(username="second-curator", is_staff=True)
    second.groups.add(Group.objects.get(name="Curators"))
    UserFactory(username="judge", is_staff=True).groups.add(
        Group.objects.get(name="Award committee")
    )
    return sorted([curator.email, second.email])


def share_data(**overrides):
    data = {
        "title": "Lights on in the park",
        "summary": "Evening leagues and better lighting in Lakeside Park.",
        "problem": "Fights and robberies in the park after dark.",
        "approach": "Parks staff ran evening leagues; public works fixed the lights.",
        "results": "Calls for service fell by a third in two years.",
        "cost_notes": "About $40,000 a year.",
        "other_departments": "Mosquito Control, Public works",
        "partners": "Lakeside Youth League",
        "jurisdiction_name": "Lakeside",
        "jurisdiction_kind": "city",
        "country": "US",
        "region": "Ohio",
        "population": "42000",
        "year_started": "2019",
        "year_ended": "",
        "source_links": "Evaluation | https://lakeside.example.org/evaluation\n"
        "https://news.example.org/park",
        "contact_name": "Ana Ruiz",
        "contact_role": "Parks director",
        "contact_email": "ana.ruiz@lakeside.example.org",
        "contact_phone": "+1 555 0100",
        "homepage": "",
    }
    data.update(overrides)
    return data


def decide(client, item, decision, message=""):
    name = item._meta.model_name
    url = reverse(f"admin:intake_{name}_decide", args=[item.pk])
    return client.post(url, {"decision": decision, "message": message})


# --- Share a practice ------------------------------------------------------------------


def test_shared_practice_becomes_a_draft_then_a_published_practice(
    client, curator, curators_inbox, smtp_server
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    TopicFactory(name="Environmental design", name_es="Diseño ambiental", slug="design")
    parks = DepartmentFactory(name="Parks and recreation", slug="parks")
    works = DepartmentFactory(name="Public works", slug="works")

    page = client.get(reverse("intake:share"))
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"

    data = share_data(
        topics=["Environmental design"],
        departments=["Parks and recreation"],
        document=SimpleUploadedFile("report.pdf", PDF, "application/pdf"),
    )
    response = client.post(reverse("intake:share"), data)
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert response["Location"] == reverse("intake:received", args=[submission.reference])
    assert submission.state == IntakeState.NEW
    assert submission.language == "en"
    assert submission.document.name.endswith(".pdf")
    assert submission.topic_names == "Environmental design"
    assert submission.department_names == "Parks and recreation\nMosquito Control\nPublic works"

    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert submission.reference in receipt.content.decode()
    # The receipt shows nothing private.
    assert "ana.ruiz" not in receipt.content.decode()

    # A confirmation to the sender, and a note to each curator (not to the committee).
    messages = smtp_server.wait_for(3)
    to_sender = [m for m in messages if m["To"] == "ana.ruiz@lakeside.example.org"]
    assert len(to_sender) == 1
    assert submission.reference in to_sender[0]["Subject"]
    assert submission.reference in to_sender[0].get_content()
    to_curators = sorted(m["To"] for m in messages if m["To"] != "ana.ruiz@lakeside.example.org")
    assert to_curators == curators_inbox
    curator_mail = next(m for m in messages if m["To"] == curators_inbox[0])
    assert f"/admin/intake/submission/{submission.pk}/change/" in curator_mail.get_content()

    # Nothing is public yet.
    assert not Practice.objects.exists()

    smtp_server.clear()
    client.force_login(curator)
    assert (
        client.get(reverse("admin:intake_submission_change", args=[submission.pk])).status_code
        == 200
    )
    response = decide(client, submission, "accept")
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == IntakeState.ACCEPTED
    assert submission.handled_by == curator

    practice = submission.practice
    assert practice.state == PublishingState.DRAFT
    assert practice.title == "Lights on in the park"
    assert practice.problem.startswith("Fights")
    # The sender's contact details are private: the draft does not publish them.
    assert practice.contact_name == practice.contact_email == practice.contact_phone == ""
    assert [t.name for t in practice.topics.all()] == ["Environmental design"]
    assert set(practice.departments.all()) == {parks, works}
    assert "Mosquito Control" in practice.partners
    assert practice.lead_jurisdiction.name == "Lakeside"
    assert practice.lead_jurisdiction.population == 42_000
    assert [(s.title, s.url) for s in practice.sources.all()] == [
        ("Evaluation", "https://lakeside.example.org/evaluation"),
        ("https://news.example.org/park", "https://news.example.org/park"),
    ]
    document = Publication.objects.get()
    assert document.state == PublishingState.DRAFT
    assert list(document.practices.all()) == [practice]
    # The draft links back to the submission: in its history and through the relation.
    assert practice.submission == submission
    history = LogEntry.objects.filter(object_id=str(practice.pk), content_type__model="practice")
    assert submission.reference in history.get().change_message

    # The sender hears that it was accepted.
    [accepted] = smtp_server.wait_for(1)
    assert accepted["To"] == "ana.ruiz@lakeside.example.org"
    assert submission.reference in accepted["Subject"]

    # Still not public: a draft.
    client.logout()
    assert client.get(practice.get_absolute_url()).status_code == 404

    # The curator publishes it through the catalogue's workflow.
    client.force_login(curator)
    response = client.post(
        reverse("admin:practices_practice_changelist"),
        {"action": "publish", "_selected_action": [practice.pk]},
    )
    assert response.status_code == 302
    client.logout()
    page = client.get(practice.get_absolute_url())
    assert page.status_code == 200
    assert "Lights on in the park" in page.content.decode()
    assert "ana.ruiz" not in page.content.decode() and "Ana Ruiz" not in page.content.decode()


def test_existing_jurisdiction_is_matched_by_name_and_a_new_one_created(client, curator):
    existing = JurisdictionFactory(name="Lakeside", slug="lakeside-oh", country="US", region="Ohio")
    matched = SubmissionFactory(jurisdiction_name="  lakeside ", country="US")
    created = SubmissionFactory(jurisdiction_name="Ciudad Nueva", country="MX", region="Jalisco")
    client.force_login(curator)
    decide(client, matched, "accept")
    decide(client, created, "accept")
    matched.refresh_from_db()
    created.refresh_from_db()
    assert matched.practice.lead_jurisdiction == existing
    place = created.practice.lead_jurisdiction
    assert (place.name, place.country.code, place.region) == ("Ciudad Nueva", "MX", "Jalisco")
    assert Jurisdiction.objects.count() == 2


def test_a_submission_is_accepted_once(client, curator):
    submission = SubmissionFactory()
    client.force_login(curator)
    decide(client, submission, "accept")
    response = decide(client, submission, "accept")
    assert response.status_code == 302
    assert Practice.objects.count() == 1
    follow = client.get(response["Location"])
    assert "already accepted" in follow.content.decode()


def test_spanish_form_is_in_spanish_and_the_sender_hears_in_spanish(client, smtp_server, settings):
    settings.INTAKE_NOTIFY_CURATORS = False
    TopicFactory(name="Environmental design", name_es="Diseño ambiental", slug="design")
    page = client.get("/es/share/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'lang="es"' in body
    assert "Comparta una práctica" in body
    assert "Diseño ambiental" in body
    response = client.post("/es/share/", share_data(topics=["Environmental design"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/es/")
    submission = Submission.objects.get()
    assert submission.language == "es"
    [message] = smtp_server.wait_for(1)
    assert "Recibimos" in message["Subject"]


def test_curator_notice_can_be_turned_off(client, curator, smtp_server, settings):
    settings.INTAKE_NOTIFY_CURATORS = False
    assert client.post(reverse("intake:share"), share_data()).status_code == 302
    messages = smtp_server.wait_for(1)
    assert [m["To"] for m in messages] == ["ana.ruiz@lakeside.example.org"]


# --- Suggest a correction --------------------------------------------------------------


def test_correction_goes_into_the_practice_history(client, curator, smtp_server):
    practice = PracticeFactory(published=True, slug="late-night-basketball")
    page = client.get(practice.get_absolute_url())
    assert reverse("intake:correction", args=[practice.slug]) in page.content.decode()

    url = reverse("intake:correction", args=[practice.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "field": "results",
            "correction": "Arrests fell by 20%, not 30%; see the 2021 evaluation.",
            "source_url": "https://city.example.org/evaluation-2021",
            "contact_name": "Lee Park",
            "contact_email": "lee.park@example.org",
        },
    )
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert correction.practice == practice
    assert correction.state == IntakeState.NEW
    messages = smtp_server.wait_for(2)
    assert {m["To"] for m in messages} == {"lee.park@example.org", curator.email}

    smtp_server.clear()
    client.force_login(curator)
    decide(client, correction, "accept")
    correction.refresh_from_db()
    assert correction.state == IntakeState.ACCEPTED
    entry = correction.history_entry
    assert entry.object_id == str(practice.pk)
    assert entry.content_type.model == "practice"
    assert correction.reference in entry.change_message
    assert "20%, not 30%" in entry.change_message
    history = client.get(reverse("admin:practices_practice_history", args=[practice.pk]))
    assert correction.reference in history.content.decode()
    [accepted] = smtp_server.wait_for(1)
    assert accepted["To"] == "lee.park@example.org"


def test_corrections_and_adoptions_only_for_published_practices(client):
    draft = PracticeFactory(slug="still-a-draft")
    assert client.get(reverse("intake:correction", args=[draft.slug])).status_code == 404
    assert client.get(reverse("intake:adoption", args=[draft.slug])).status_code == 404
    assert client.post(reverse("intake:adoption", args=[draft.slug]), {}).status_code == 404
    assert not Correction.objects.exists() and not Adoption.objects.exists()


# --- We adopted this -------------------------------------------------------------------


def test_adoption_shows_on_the_practice_page_after_approval(client, curator, smtp_server):
    practice = PracticeFactory(published=True, slug="late-night-basketball")
    url = reverse("intake:adoption", args=[practice.slug])
    assert url in client.get(practice.get_absolute_url()).content.decode()
    response = client.post(
        url,
        {
            "jurisdiction_name": "Hillview",
            "jurisdiction_kind": "town",
            "country": "US",
            "region": "Texas",
            "population": "8500",
            "year_adopted": "2022",
            "changes": "Ran it on Friday nights only.",
            "outcome": "worked",
            "outcome_notes": "Calls after dark fell.",
            "contact_name": "Sam Lee",
            "contact_email": "sam.lee@hillview.example.org",
        },
    )
    assert response.status_code == 302
    adoption = Adoption.objects.get()
    assert {m["To"] for m in smtp_server.wait_for(2)} == {
        "sam.lee@hillview.example.org",
        curator.email,
    }

    # Not shown before a curator approves it (the page was cached before, too).
    page = client.get(practice.get_absolute_url()).content.decode()
    assert "Also tried in" not in page and "Hillview" not in page

    smtp_server.clear()
    client.force_login(curator)
    decide(client, adoption, "accept")
    client.logout()
    adoption.refresh_from_db()
    assert adoption.state == IntakeState.ACCEPTED
    assert adoption.jurisdiction.name == "Hillview"

    page = client.get(practice.get_absolute_url()).content.decode()
    assert "Also tried in" in page
    assert "Hillview" in page
    assert "Under 10,000" in page
    assert "It worked well" in page
    assert "Calls after dark fell." in page
    assert "sam.lee" not in page  # contacts stay private
    [accepted] = smtp_server.wait_for(1)
    assert accepted["To"] == "sam.lee@hillview.example.org"

    # The list can keep only practices adopted elsewhere.
    other = PracticeFactory(published=True, title="Never adopted anywhere")
    listing = client.get(reverse("practices:practice_list"), {"adopted": "yes"})
    assert listing.status_code == 200
    body = listing.content.decode()
    assert practice.title in body and other.title not in body
    # An unknown value is left out with a notice; the rest of the list still works.
    unknown = client.get(reverse("practices:practice_list"), {"adopted": "maybe"})
    assert unknown.status_code == 200
    assert "“maybe” is not one of the choices, so it was left out." in unknown.content.decode()


def test_unapproved_adoptions_never_show(client):
    practice = PracticeFactory(published=True)
    for state in (
        IntakeState.NEW,
        IntakeState.IN_PROGRESS,
        IntakeState.DECLINED,
        IntakeState.WAITING,
    ):
        AdoptionFactory(practice=practice, state=state, jurisdiction_name=f"Place {state}")
    page = client.get(practice.get_absolute_url()).content.decode()
    assert "Also tried in" not in page
    assert not any(f"Place {state}" in page for state in IntakeState.values)
    listing = client.get(reverse("practices:practice_list"), {"adopted": "yes"})
    assert practice.title not in listing.content.decode()


# --- Declining, asking for more --------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "state", "subject"),
    [("decline", IntakeState.DECLINED, "Not accepted"), ("ask", IntakeState.WAITING, "more")],
)
def test_declining_or_asking_emails_the_curators_message(
    client, curator, smtp_server, decision, state, subject
):
    submission = SubmissionFactory(contact_email="ana@lakeside.example.org")
    client.force_login(curator)
    message = "Could you send the evaluation <report>? Thanks & regards."
    decide(client, submission, decision, message)
    submission.refresh_from_db()
    assert submission.state == state
    assert not Practice.objects.exists()
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "ana@lakeside.example.org"
    assert subject in mail["Subject"]
    # Plain text, not HTML-escaped.
    assert message in mail.get_content()


def test_declining_needs_a_message_when_the_sender_can_be_told(client, curator):
    submission = SubmissionFactory()
    client.force_login(curator)
    response = decide(client, submission, "decline", "   ")
    submission.refresh_from_db()
    assert submission.state == IntakeState.NEW
    assert "Write the message" in client.get(response["Location"]).content.decode()


def test_an_anonymous_correction_can_be_declined_but_not_asked(client, curator):
    correction = CorrectionFactory(contact_email="")
    client.force_login(curator)
    decide(client, correction, "ask", "What source?")
    correction.refresh_from_db()
    assert correction.state == IntakeState.NEW
    decide(client, correction, "decline")
    correction.refresh_from_db()
    assert correction.state == IntakeState.DECLINED


def test_home_and_practice_list_link_to_sharing_a_practice(client):
    PracticeFactory(published=True)
    share = reverse("intake:share")
    for url in (reverse("home"), reverse("practices:practice_list")):
        assert f'href="{share}"' in client.get(url).content.decode(), url
    assert 'href="/es/share/"' in client.get("/es/practices/").content.decode()


def test_preview_of_a_draft_offers_no_public_forms(client, curator):
    draft = PracticeFactory(slug="a-draft")
    client.force_login(curator)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert reverse("intake:correction", args=[draft.slug]) not in page

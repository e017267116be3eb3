"""Whole-record, cross-language search: the trigger-kept search document, the bilingual
vocabulary and its admin, summaries in the other language, and suggestions that help."""

import re

import pytest
from django.urls import reverse

from practices.models import Practice, PracticeSearch, VocabularyTerm
from practices.search import parse, refresh_search_words, search
from tests.factories import (
    DepartmentFactory,
    InitiativeFactory,
    JurisdictionFactory,
    PracticeFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("practices:practice_list")
SEARCH_URL = reverse("search")

NEUTRAL = {"summary": "A program run by the city.", "problem": "", "approach": "", "results": ""}
NEUTRAL_ES = {
    "summary": "Un programa de la ciudad.",
    "problem": "",
    "approach": "",
    "results": "",
    "language": "es",
}


def practice(title, **kwargs):
    return PracticeFactory(published=True, title=title, **{**NEUTRAL, **kwargs})


def practica(title, **kwargs):
    return PracticeFactory(published=True, title=title, **{**NEUTRAL_ES, **kwargs})


def found(query: str) -> list[str]:
    return [
        p.title
        for p in search(Practice.objects.published(), parse(query)).order_by("-rank", "title")
    ]


def listed(client, query: str, **params) -> list[str]:
    response = client.get(LIST_URL, {"q": query, **params})
    assert response.status_code == 200
    return [p.title for p in response.context["practices"]]


# --- Cross-language ---------------------------------------------------------------------


def test_english_query_finds_spanish_entry_through_the_vocabulary():
    practica("Reparación del alumbrado público en Bogotá")
    practice("Unrelated")
    # Seeded vocabulary: street lighting = alumbrado público; homicide = homicidio.
    assert found("street lighting") == ["Reparación del alumbrado público en Bogotá"]
    practica("Control de homicidios en Belo Horizonte")
    assert found("homicide") == ["Control de homicidios en Belo Horizonte"]
    assert found("homicides") == ["Control de homicidios en Belo Horizonte"]


def test_spanish_query_finds_english_entry_through_the_vocabulary():
    practice("Street lighting upgrade in public housing")
    practice("Youth violence prevention in schools")
    practica("Sin relación")
    assert found("alumbrado público") == ["Street lighting upgrade in public housing"]
    assert found("violencia juvenil") == ["Youth violence prevention in schools"]


def test_each_language_is_stemmed_with_its_own_configuration():
    VocabularyTerm.objects.create(english="mentoring", spanish="acompañamiento")
    practice("Mentors for teenagers", summary="Mentoring reduced arrests.")
    practica("Acompañamientos para adolescentes")
    # English "mentored" stems like "mentoring"; the Spanish equivalent is stemmed as
    # Spanish, so the plural "acompañamientos" matches.
    assert sorted(found("mentoring")) == [
        "Acompañamientos para adolescentes",
        "Mentors for teenagers",
    ]
    assert sorted(found("acompañamiento")) == [
        "Acompañamientos para adolescentes",
        "Mentors for teenagers",
    ]


def test_stop_words_of_either_language_are_not_required():
    # "for" means nothing to English, and "de", "para" nothing to Spanish; neither may
    # become a word the other language's stemmer demands.
    practice("Summer jobs", summary="Teenagers got paid work and a youth mentor.")
    practica("Empleo de verano", summary="Trabajo pagado para jóvenes del barrio.")
    both = ["Empleo de verano", "Summer jobs"]
    assert sorted(found("summer jobs for youth")) == both
    assert sorted(found("empleo de verano para jóvenes")) == both


def test_exclusions_and_phrases_still_hold_in_both_languages():
    practice("Street lighting upgrade", summary="New street lights in parks.")
    practice("Street outreach workers", summary="Violence interrupters on the street.")
    assert found("street -lighting") == ["Street outreach workers"]
    assert found('"street lighting"') == ["Street lighting upgrade"]
    assert sorted(found("outreach or lighting")) == [
        "Street lighting upgrade",
        "Street outreach workers",
    ]


# --- The whole record -------------------------------------------------------------------


def test_topic_names_in_both_languages_find_practices():
    topic = TopicFactory(name="Gun violence", name_es="Violencia con armas de fuego")
    practice("Tagged program", topics=[topic])
    practice("Untagged program")
    assert found("gun violence") == ["Tagged program"]
    assert found("violencia armas fuego") == ["Tagged program"]


def test_department_jurisdiction_and_initiative_names_find_practices():
    department = DepartmentFactory(name="Libraries", name_es="Bibliotecas")
    place = JurisdictionFactory(name="Medellín", region="Antioquia")
    partner = JurisdictionFactory(name="Khayelitsha", region="Western Cape")
    initiative = InitiativeFactory(name="Cities United")
    target = practice(
        "Target",
        departments=[department],
        lead_jurisdiction=place,
        partner_jurisdictions=[partner],
    )
    target.initiative = initiative
    target.save()
    practice("Other")
    for query in ("libraries", "bibliotecas", "medellin", "antioquia", "khayelitsha", "united"):
        assert found(query) == ["Target"], query


def test_own_title_and_summary_rank_above_topic_names():
    topic = TopicFactory(name="Graffiti", name_es="Grafiti")
    practice("Evening programs", topics=[topic])
    practice("Graffiti abatement")
    practice("Summer crews", summary="Graffiti removal by young people.")
    assert found("graffiti") == ["Graffiti abatement", "Summer crews", "Evening programs"]


def test_the_search_document_follows_every_change():
    topic = TopicFactory(name="Porch lights", name_es="Luces de porche")
    target = practice("Target")
    assert found("porch") == []
    target.topics.add(topic)
    assert found("porch") == ["Target"]
    topic.name, topic.name_es = "Stoop lights", "Luces de entrada"
    topic.save()
    assert found("porch") == []
    assert found("stoop") == ["Target"]
    target.topics.remove(topic)
    assert found("stoop") == []
    target.summary_translation = "Un programa con bancas en la plaza."
    target.save()
    assert found("bancas") == ["Target"]
    target.lead_jurisdiction.name = "Villa Nueva"
    target.lead_jurisdiction.save()
    assert found("villa nueva") == ["Target"]
    pk = target.pk
    target.delete()
    assert not PracticeSearch.objects.filter(practice_id=pk).exists()


def test_every_practice_has_a_search_document():
    practices = [practice(f"Program {n}") for n in range(3)]
    assert PracticeSearch.objects.filter(practice__in=practices).count() == 3


# --- Vocabulary edits take effect on the next request ----------------------------------


def test_vocabulary_edits_take_effect_on_the_next_request(client):
    practica("Programa de zarzuelas barriales")
    assert listed(client, "operetta") == []
    term = VocabularyTerm.objects.create(english="operetta", spanish="zarzuela")
    assert listed(client, "operetta") == ["Programa de zarzuelas barriales"]
    term.spanish = "ópera bufa"
    term.save()
    assert listed(client, "operetta") == []
    term.spanish = "zarzuela"
    term.save()
    assert listed(client, "operetta") == ["Programa de zarzuelas barriales"]
    term.delete()
    assert listed(client, "operetta") == []


def test_vocabulary_import_takes_effect_on_the_next_request(client, superuser):
    practica("Programa de zarzuelas barriales")
    assert listed(client, "operetta") == []
    admin = client.__class__()
    admin.force_login(superuser)
    upload = _csv_file("english,spanish\noperetta,zarzuela\n")
    response = admin.post(
        reverse("admin:practices_vocabularyterm_import"), {"file": upload, "import": "1"}
    )
    assert response.status_code == 302
    assert listed(client, "operetta") == ["Programa de zarzuelas barriales"]


# --- Suggestions ------------------------------------------------------------------------


def test_no_suggestion_when_the_query_finds_enough(client):
    practice("Porch lights for every house")
    for n in range(4):
        practice(f"Por la calle {n}", language="es")
    refresh_search_words()
    response = client.get(LIST_URL, {"q": "porch"})
    assert [p.title for p in response.context["practices"]] == ["Porch lights for every house"]
    # One result, and no suggestion finds more: nothing is suggested ("por" finds nothing).
    assert response.context["suggestion"] is None
    assert 'id="suggestion"' not in response.content.decode()


def test_no_suggestion_that_finds_the_same_or_less(client):
    practica("Programa en la favela", summary="Talleres en las favelas más violentas.")
    practice("Another program")
    refresh_search_words()
    response = client.get(LIST_URL, {"q": "favela"})
    assert [p.title for p in response.context["practices"]] == ["Programa en la favela"]
    assert response.context["suggestion"] is None
    response = client.get(SEARCH_URL, {"q": "favela"})
    assert response.context["suggestion"] is None


def test_suggestion_when_nothing_is_found_and_it_finds_more(client):
    practice("Graffiti removal", summary="Volunteers painted over tags.")
    refresh_search_words()
    response = client.get(LIST_URL, {"q": "graffitti"})
    assert response.context["page_obj"].paginator.count == 0
    assert response.context["suggestion"] == "graffiti"
    response = client.get(SEARCH_URL, {"q": "graffitti"})
    assert response.context["suggestion"] == "graffiti"


def test_no_suggestion_that_the_filters_leave_empty(client):
    practice("Graffiti removal", summary="Volunteers painted over tags.")
    refresh_search_words()
    # The suggestion would find the practice, but not in Canada: it would not help.
    response = client.get(LIST_URL, {"q": "graffitti", "country": "CA"})
    assert response.context["suggestion"] is None


def test_no_suggestion_when_many_results(client):
    for n in range(5):
        practice(f"Graffiti crew {n}", summary="Grafitti removal, often misspelt.")
    practice("Graffiti removal")
    refresh_search_words()
    response = client.get(LIST_URL, {"q": "graffiti"})
    assert response.context["page_obj"].paginator.count == 6
    assert response.context["suggestion"] is None


# --- Summaries in the other language ----------------------------------------------------


def test_detail_page_shows_the_translation_with_its_language(client):
    target = practica(
        "Plan cuadrante",
        summary="Cada cuadrante tiene un equipo policial.",
        summary_translation="Each quadrant has its own police team.",
    )
    body = client.get(target.get_absolute_url()).content.decode()
    assert '<p lang="en">Each quadrant has its own police team.</p>' in body
    assert "Summary in English" in body


def test_cards_show_the_translation_in_the_visitors_language(client):
    practica(
        "Plan cuadrante",
        summary="Cada cuadrante tiene un equipo policial.",
        summary_translation="Each quadrant has its own police team.",
    )
    body = client.get(LIST_URL).content.decode()
    assert '<p class="practice-card-summary" lang="en">Each quadrant' in body
    body = client.get("/es" + LIST_URL).content.decode()
    assert "Cada cuadrante tiene un equipo policial." in body


# --- Admin: the vocabulary with CSV import and export -----------------------------------


def _csv_file(text: str | bytes, name: str = "vocabulary.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_admin_lists_and_exports_the_vocabulary(client, curator):
    client.force_login(curator)
    url = reverse("admin:practices_vocabularyterm_changelist")
    response = client.get(url, {"q": "alumbrado"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "alumbrado público" in body.lower()
    assert reverse("admin:practices_vocabularyterm_export") in body
    assert reverse("admin:practices_vocabularyterm_import") in body
    response = client.get(reverse("admin:practices_vocabularyterm_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert text.startswith("english,spanish\r\n")
    assert "Street lighting,Alumbrado público\r\n" in text
    assert text.count("\r\n") == VocabularyTerm.objects.count() + 1


def test_admin_export_then_import_changes_nothing(client, curator):
    client.force_login(curator)
    exported = client.get(reverse("admin:practices_vocabularyterm_export")).content.decode()
    before = VocabularyTerm.objects.count()
    response = client.post(
        reverse("admin:practices_vocabularyterm_import"),
        {"file": _csv_file(exported), "import": "1"},
        follow=True,
    )
    assert response.status_code == 200
    assert VocabularyTerm.objects.count() == before
    assert f"0 new, {before} already there, 0 removed." in response.content.decode()


def test_admin_import_previews_adds_and_reports_errors(client, curator):
    client.force_login(curator)
    url = reverse("admin:practices_vocabularyterm_import")
    assert client.get(url).status_code == 200
    before = VocabularyTerm.objects.count()
    good = (
        "english;spanish\n"
        "neighbourhood association;junta de vecinos\n"
        "street lighting;alumbrado público\n"
    )
    response = client.post(url, {"file": _csv_file(good), "preview": "1"})
    assert response.status_code == 200
    assert "Preview: 1 new, 1 already there, 0 removed." in response.content.decode()
    assert VocabularyTerm.objects.count() == before
    response = client.post(url, {"file": _csv_file(good), "import": "1"})
    assert response.status_code == 302
    assert VocabularyTerm.objects.filter(english="neighbourhood association").exists()

    bad = "english,spanish\nok,bien\n,sin inglés\ntoo,many,cells\n"
    response = client.post(url, {"file": _csv_file(bad), "import": "1"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "2 problems; nothing was imported." in body
    assert not VocabularyTerm.objects.filter(english="ok").exists()
    response = client.post(url, {"file": _csv_file("inglés,español\na,b\n"), "import": "1"})
    assert response.status_code == 400
    response = client.post(url, {"file": _csv_file("x", name="terms.txt"), "import": "1"})
    assert response.status_code == 200
    assert "Choose a .csv file." in response.content.decode()
    response = client.post(url, {"file": _csv_file(b"\xff\xfeen"), "import": "1"})
    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode()


def test_admin_import_can_replace_the_whole_vocabulary(client, curator):
    client.force_login(curator)
    url = reverse("admin:practices_vocabularyterm_import")
    response = client.post(
        url,
        {
            "file": _csv_file("english,spanish\nfirearm,arma de fuego\n"),
            "import": "1",
            "replace": "on",
        },
    )
    assert response.status_code == 302
    assert list(VocabularyTerm.objects.values_list("english", "spanish")) == [
        ("firearm", "arma de fuego")
    ]


def test_vocabulary_admin_needs_permissions(client, committee_a):
    client.force_login(committee_a)
    assert client.get(reverse("admin:practices_vocabularyterm_export")).status_code == 403
    assert client.get(reverse("admin:practices_vocabularyterm_import")).status_code == 403


# --- The demo catalogue -----------------------------------------------------------------

ENGLISH_MARKERS = {"the", "and", "of", "to", "in", "with", "for", "a", "was", "their"}
SPANISH_MARKERS = {"el", "la", "los", "las", "de", "del", "y", "en", "con", "para", "que"}


def language_guess(text: str) -> str:
    words = re.findall(r"[a-záéíóúñü]+", text.lower())
    english = sum(word in ENGLISH_MARKERS for word in words)
    spanish = sum(word in SPANISH_MARKERS for word in words)
    return "en" if english > spanish else "es"


def test_every_demo_practice_has_a_translation_in_the_other_language():
    import json

    from clearinghouse.management.commands.load_demo import DEMO_DIR

    rows = json.loads((DEMO_DIR / "practices.json").read_text(encoding="utf-8"))
    assert rows
    for row in rows:
        translation = row.get("summary_translation", "")
        assert translation.strip(), row["slug"]
        assert translation != row["summary"], row["slug"]
        assert language_guess(row["summary"]) == row["language"], row["slug"]
        other = "es" if row["language"] == "en" else "en"
        assert language_guess(translation) == other, row["slug"]
        # A translation, not a fragment: about as long as the original.
        assert 0.6 < len(translation) / len(row["summary"]) < 1.6, row["slug"]


def test_generated_practices_get_their_search_documents_once_linked():
    from bench.generator import generate

    generate(count=30, seed=3)
    generated = Practice.objects.filter(slug__startswith="gen-")
    assert generated.count() == 30
    assert PracticeSearch.objects.filter(practice__in=generated).count() == 30
    # Built after the links were copied: a practice is found by its topics' names.
    sample = generated.prefetch_related("topics").first()
    topic = sample.topics.first()
    matching = search(generated, parse(f'"{topic.name_es}"'))
    assert sample in matching


def test_load_demo_stores_each_translation():
    import json

    from django.core.management import call_command

    from clearinghouse.management.commands.load_demo import DEMO_DIR

    call_command("load_demo", verbosity=0)
    rows = json.loads((DEMO_DIR / "practices.json").read_text(encoding="utf-8"))
    stored = dict(Practice.objects.values_list("slug", "summary_translation"))
    for row in rows:
        assert stored[row["slug"]] == row["summary_translation"], row["slug"]
    # And every topic and department name pair is in the vocabulary.
    from practices.models import Department, Topic

    for model in (Topic, Department):
        for name, name_es in model.objects.values_list("name", "name_es"):
            assert VocabularyTerm.objects.filter(
                english__iexact=name, spanish__iexact=name_es
            ).exists(), name


@pytest.mark.django_db
def test_the_vocabulary_is_rebuilt_only_when_its_terms_change():
    from clearinghouse.cache import bump_catalogue_version
    from practices import search as search_module

    VocabularyTerm.objects.create(english="streetlamp glow", spanish="farola brillante")
    first = search_module.current_vocabulary()
    bump_catalogue_version()  # a change elsewhere in the catalogue
    assert search_module.current_vocabulary() is first
    VocabularyTerm.objects.create(english="night bus patrol", spanish="patrulla de autobus")
    assert search_module.current_vocabulary() is not first

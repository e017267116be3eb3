"""Roles and the permission matrix, through real admin requests.

Users: anonymous, a curator, a member of award A's committee, a member of award B's
committee, and a superuser. Each row checks the status code and the database.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awards.models import Recognition
from practices.models import Practice, Publication, PublishingState
from tests.factories import (
    PracticeFactory,
    PublicationFactory,
    RecognitionFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "curator", "committee_a", "committee_b", "superuser"]


@pytest.fixture
def as_role(request, client, award_a, award_b):
    """Log the client in as the named role (or not at all) and return the user."""

    def login(role):
        if role == "anonymous":
            return None
        user = request.getfixturevalue(role)
        client.force_login(user)
        return user

    return login


def perms(group_name: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=group_name).permissions.select_related("content_type")
    }


# --- The groups exist after migrate -----------------------------------------------


def test_migrate_creates_the_curator_group_with_the_whole_catalogue():
    granted = perms("Curators")
    for app_label, model in [
        ("practices", "practice"),
        ("practices", "source"),
        ("practices", "outcome"),
        ("practices", "publication"),
        ("practices", "topic"),
        ("practices", "department"),
        ("practices", "jurisdiction"),
        ("practices", "initiative"),
        ("practices", "partnerpair"),
        ("awards", "award"),
        ("awards", "awardcategory"),
        ("awards", "recognition"),
    ]:
        for action in ("add", "change", "delete", "view"):
            assert f"{app_label}.{action}_{model}" in granted
    assert not any(name.startswith("auth.") for name in granted)


def test_migrate_creates_the_committee_group_with_read_access_and_recognitions():
    assert perms("Award committee") == {
        "practices.view_practice",
        "awards.view_award",
        "awards.view_awardcategory",
        "awards.add_recognition",
        "awards.change_recognition",
        "awards.delete_recognition",
        "awards.view_recognition",
    }


def test_roles_migration_can_run_again_without_duplicates():
    import importlib

    from django.apps import apps

    roles = importlib.import_module("practices.migrations.0002_roles")
    before = Permission.objects.count()
    roles.create_roles(apps, None)
    assert Group.objects.filter(name__in=["Curators", "Award committee"]).count() == 2
    assert Permission.objects.count() == before


# --- Practices --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("curator", 200),
        ("committee_a", 200),
        ("committee_b", 200),
        ("superuser", 200),
    ],
)
def test_practice_list_is_open_to_staff_roles(client, as_role, role, expected):
    PracticeFactory(title="Corridor lights")
    as_role(role)
    response = client.get(reverse("admin:practices_practice_changelist"))
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert "Corridor lights" in response.text


@pytest.mark.parametrize(
    ("role", "expected", "changed"),
    [
        ("anonymous", 302, False),
        ("curator", 302, True),
        ("committee_a", 403, False),
        ("committee_b", 403, False),
        ("superuser", 302, True),
    ],
)
def test_changing_a_practice(client, as_role, practice_form_data, role, expected, changed):
    practice = PracticeFactory(title="Before")
    topic = TopicFactory()
    as_role(role)
    url = reverse("admin:practices_practice_change", args=[practice.pk])
    data = practice_form_data(
        practice, lead=practice.lead_jurisdiction, topics=[topic], title="After"
    )
    response = client.post(url, data)
    assert response.status_code == expected
    practice.refresh_from_db()
    assert (practice.title == "After") is changed


@pytest.mark.parametrize("role", ["committee_a", "committee_b"])
def test_committee_sees_a_read_only_practice_without_workflow_actions(client, as_role, role):
    practice = PracticeFactory(title="Corridor lights")
    as_role(role)
    page = client.get(reverse("admin:practices_practice_change", args=[practice.pk]))
    assert page.status_code == 200
    assert "Corridor lights" in page.text
    assert 'name="_save"' not in page.text
    assert 'value="publish"' not in page.text
    changelist = client.get(reverse("admin:practices_practice_changelist"))
    assert 'value="publish"' not in changelist.text
    assert 'value="tag_as_recognized"' in changelist.text


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 302),
        ("curator", 200),
        ("committee_a", 403),
        ("committee_b", 403),
        ("superuser", 200),
    ],
)
def test_adding_and_deleting_practices(client, as_role, role, expected):
    practice = PracticeFactory()
    as_role(role)
    assert client.get(reverse("admin:practices_practice_add")).status_code == expected
    delete_url = reverse("admin:practices_practice_delete", args=[practice.pk])
    response = client.post(delete_url, {"post": "yes"})
    assert Practice.objects.filter(pk=practice.pk).exists() is (expected != 200)
    assert response.status_code == (302 if expected == 200 else expected)


@pytest.mark.parametrize(
    ("role", "expected", "published"),
    [
        ("anonymous", 302, False),
        ("curator", 302, True),
        ("committee_a", 403, False),
        ("committee_b", 403, False),
        ("superuser", 302, True),
    ],
)
@pytest.mark.parametrize("factory", [PracticeFactory, PublicationFactory])
def test_publishing_from_the_list(client, as_role, factory, role, expected, published):
    record = factory()
    model = type(record)
    as_role(role)
    url = reverse(f"admin:practices_{model._meta.model_name}_changelist")
    response = client.post(url, {"action": "publish", "index": 0, "_selected_action": [record.pk]})
    assert response.status_code == expected
    if role == "anonymous":
        assert response["Location"].startswith(reverse("admin:login"))
    record.refresh_from_db()
    assert (record.state == PublishingState.PUBLISHED) is published


@pytest.mark.parametrize("role", ["committee_a", "committee_b"])
def test_committee_cannot_publish_from_the_change_form(client, as_role, role):
    practice = PracticeFactory()
    as_role(role)
    url = reverse("admin:practices_practice_change", args=[practice.pk])
    response = client.post(
        url, {"CHANGE_FORM-action": "publish", "index": 0, "_selected_action": [practice.pk]}
    )
    assert response.status_code == 403
    practice.refresh_from_db()
    assert practice.state == PublishingState.DRAFT


def test_committee_cannot_open_publications(client, as_role):
    publication = PublicationFactory()
    as_role("committee_a")
    assert client.get(reverse("admin:practices_publication_changelist")).status_code == 403
    url = reverse("admin:practices_publication_change", args=[publication.pk])
    assert client.post(url, {"title": "Changed"}).status_code == 403
    assert Publication.objects.get(pk=publication.pk).title == publication.title


def test_malformed_selection_is_a_bad_request_not_a_crash(client, as_role):
    as_role("curator")
    url = reverse("admin:practices_practice_changelist")
    response = client.post(url, {"action": "publish", "index": 0, "_selected_action": ["x'1"]})
    assert response.status_code == 400


def test_an_unknown_action_is_reported_not_crashed(client, as_role):
    practice = PracticeFactory()
    as_role("curator")
    url = reverse("admin:practices_practice_changelist")
    response = client.post(
        url, {"action": "launch", "index": 0, "_selected_action": [practice.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "No action selected." in response.text


# --- Tag as recognized ------------------------------------------------------------


def tag(client, practices, award, **fields):
    data = {
        "action": "tag_as_recognized",
        "_selected_action": [p.pk for p in practices],
        "apply": "1",
        "award": award.pk,
        "category": award.categories.get().pk,
        "year": 2023,
        "level": "winner",
        "citation": "For lighting the corridor.",
        **fields,
    }
    return client.post(reverse("admin:practices_practice_changelist"), data, follow=True)


def test_the_tag_action_shows_a_form_with_only_the_members_awards(client, as_role):
    practice = PracticeFactory(title="Corridor lights")
    as_role("committee_a")
    response = client.post(
        reverse("admin:practices_practice_changelist"),
        {"action": "tag_as_recognized", "_selected_action": [practice.pk]},
    )
    assert response.status_code == 200
    assert "Corridor lights" in response.text
    assert "Award A" in response.text
    assert "Award B" not in response.text
    assert Recognition.objects.count() == 0


@pytest.mark.parametrize(
    ("role", "award_name", "allowed"),
    [
        ("committee_a", "award_a", True),
        ("committee_a", "award_b", False),
        ("committee_b", "award_a", False),
        ("committee_b", "award_b", True),
        ("curator", "award_a", True),
        ("curator", "award_b", True),
        ("superuser", "award_b", True),
    ],
)
def test_tagging_practices(client, as_role, request, role, award_name, allowed):
    award = request.getfixturevalue(award_name)
    practices = [PracticeFactory(published=True), PracticeFactory()]
    user = as_role(role)

    response = tag(client, practices, award)

    assert response.status_code == 200
    if allowed:
        assert "Tagged 2 practices as recognized." in response.text
        recognitions = Recognition.objects.filter(award=award)
        assert recognitions.count() == 2
        assert {r.tagged_by for r in recognitions} == {user}
        assert {r.citation for r in recognitions} == {"For lighting the corridor."}
    else:
        # The form refuses an award outside the member's committees.
        assert "Select a valid choice" in response.text
        assert Recognition.objects.count() == 0


def test_tagging_twice_is_refused_with_a_message_and_no_second_row(client, as_role, award_a):
    practice = PracticeFactory(title="Corridor lights")
    as_role("committee_a")
    tag(client, [practice], award_a)
    response = tag(client, [practice], award_a, level="finalist")
    assert response.status_code == 200
    assert "“Corridor lights” already has this recognition for that year" in response.text
    assert Recognition.objects.filter(practice=practice).count() == 1
    assert Recognition.objects.get(practice=practice).level == "winner"


def test_tagging_with_a_category_of_another_award_is_refused(client, as_role, award_a, award_b):
    practice = PracticeFactory()
    as_role("curator")
    response = tag(client, [practice], award_a, category=award_b.categories.get().pk)
    assert "This category belongs to another award." in response.text
    assert Recognition.objects.count() == 0


@pytest.mark.parametrize("year", ["1800", "abc", ""])
def test_tagging_with_a_bad_year_is_refused(client, as_role, award_a, year):
    practice = PracticeFactory()
    as_role("committee_a")
    response = tag(client, [practice], award_a, year=year)
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert Recognition.objects.count() == 0


def test_tagging_is_written_to_the_admin_history(client, as_role, award_a):
    from django.contrib.admin.models import ADDITION, CHANGE, LogEntry

    practice = PracticeFactory()
    user = as_role("committee_a")
    tag(client, [practice], award_a)
    entry = LogEntry.objects.get(action_flag=ADDITION)
    assert entry.user == user
    assert entry.object_id == str(Recognition.objects.get().pk)
    on_practice = LogEntry.objects.get(action_flag=CHANGE)
    assert on_practice.object_id == str(practice.pk)
    assert on_practice.get_change_message() == "Recognized: Award A 2023 (Winner)."


# --- Recognitions of someone else's award ------------------------------------------


@pytest.fixture
def recognitions(award_a, award_b):
    return (
        RecognitionFactory(award=award_a, category=award_a.categories.get()),
        RecognitionFactory(award=award_b, category=award_b.categories.get()),
    )


def recognition_data(recognition, **changes):
    return {
        "practice": recognition.practice_id,
        "award": recognition.award_id,
        "category": recognition.category_id or "",
        "year": recognition.year,
        "level": recognition.level,
        "citation": "",
        **changes,
    }


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("curator", {"a", "b"}),
        ("committee_a", {"a"}),
        ("committee_b", {"b"}),
        ("superuser", {"a", "b"}),
    ],
)
def test_recognition_list_shows_only_the_members_awards(
    client, as_role, recognitions, role, visible
):
    as_role(role)
    response = client.get(reverse("admin:awards_recognition_changelist"))
    assert response.status_code == 200
    shown = {
        name
        for name, r in zip("ab", recognitions, strict=True)
        if r.practice.title in response.text
    }
    assert shown == visible
    # The award filter never offers an award whose recognitions the user cannot see.
    for name, recognition in zip("ab", recognitions, strict=True):
        if name not in visible:
            assert f"award__id__exact={recognition.award_id}" not in response.text
    if len(visible) == 2:
        assert all(f"award__id__exact={r.award_id}" in response.text for r in recognitions)


@pytest.mark.parametrize(
    ("role", "own_status", "other_status"),
    [
        ("committee_a", 302, 403),
        ("committee_b", 403, 302),
        ("curator", 302, 302),
        ("superuser", 302, 302),
    ],
)
def test_changing_recognitions(client, as_role, recognitions, role, own_status, other_status):
    as_role(role)
    for recognition, status in zip(recognitions, (own_status, other_status), strict=True):
        url = reverse("admin:awards_recognition_change", args=[recognition.pk])
        assert client.get(url).status_code == (200 if status == 302 else 403)
        response = client.post(url, recognition_data(recognition, level="finalist"))
        assert response.status_code == status
        recognition.refresh_from_db()
        assert (recognition.level == "finalist") is (status == 302)


@pytest.mark.parametrize("role", ["anonymous", "committee_a"])
def test_deleting_someone_elses_recognition_is_refused(client, as_role, recognitions, role):
    _own, other = recognitions
    as_role(role)
    url = reverse("admin:awards_recognition_delete", args=[other.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == (302 if role == "anonymous" else 403)
    assert Recognition.objects.filter(pk=other.pk).exists()


def test_committee_deletes_its_own_recognition(client, as_role, recognitions):
    own, _other = recognitions
    as_role("committee_a")
    url = reverse("admin:awards_recognition_delete", args=[own.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Recognition.objects.filter(pk=own.pk).exists()


def test_bulk_delete_with_someone_elses_recognition_is_refused(client, as_role, recognitions):
    as_role("committee_a")
    response = client.post(
        reverse("admin:awards_recognition_changelist"),
        {
            "action": "delete_selected",
            "post": "yes",
            "_selected_action": [r.pk for r in recognitions],
        },
    )
    assert response.status_code == 403
    assert Recognition.objects.count() == 2


def test_adding_a_recognition_for_another_award_is_refused(client, as_role, recognitions, award_b):
    as_role("committee_a")
    practice = PracticeFactory()
    data = {
        "practice": practice.pk,
        "award": award_b.pk,
        "category": award_b.categories.get().pk,
        "year": 2022,
        "level": "winner",
        "citation": "",
    }
    response = client.post(reverse("admin:awards_recognition_add"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Recognition.objects.filter(practice=practice).exists()


def test_moving_own_recognition_to_another_award_is_refused(client, as_role, recognitions, award_b):
    own, _other = recognitions
    as_role("committee_a")
    url = reverse("admin:awards_recognition_change", args=[own.pk])
    response = client.post(
        url, recognition_data(own, award=award_b.pk, category=award_b.categories.get().pk)
    )
    assert response.status_code == 200
    own.refresh_from_db()
    assert own.award_id != award_b.pk


def test_adding_a_recognition_stamps_who_tagged_it(client, as_role, award_a):
    user = as_role("committee_a")
    practice = PracticeFactory()
    data = {
        "practice": practice.pk,
        "award": award_a.pk,
        "category": award_a.categories.get().pk,
        "year": 2022,
        "level": "finalist",
        "citation": "",
    }
    assert client.post(reverse("admin:awards_recognition_add"), data).status_code == 302
    assert Recognition.objects.get(practice=practice).tagged_by == user


def test_duplicate_recognition_in_the_admin_form_is_an_error_not_a_crash(
    client, as_role, recognitions
):
    own, _other = recognitions
    as_role("committee_a")
    response = client.post(reverse("admin:awards_recognition_add"), recognition_data(own))
    assert response.status_code == 200
    assert "errorlist" in response.text
    assert Recognition.objects.filter(practice=own.practice).count() == 1


@pytest.mark.parametrize("role", ["committee_a", "committee_b"])
def test_committee_may_view_but_not_change_awards(client, as_role, role, award_a):
    as_role(role)
    assert client.get(reverse("admin:awards_award_changelist")).status_code == 200
    url = reverse("admin:awards_award_change", args=[award_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Renamed", "slug": "renamed"})
    assert response.status_code == 403
    award_a.refresh_from_db()
    assert award_a.name == "Award A"


def test_unknown_recognition_id_is_not_a_crash(client, as_role, recognitions):
    as_role("committee_a")
    for object_id in ("999999", "not-a-number"):
        url = reverse("admin:awards_recognition_change", args=[object_id])
        assert client.get(url).status_code == 302  # "does not exist" message, back to the index


def test_groups_exist_after_migrate_on_an_empty_database():
    """Run ``manage.py migrate`` in a fresh process on a brand-new database."""
    import secrets
    from urllib.parse import quote

    import psycopg
    from django.db import connection

    from tests.conftest import manage

    params = connection.settings_dict
    name = f"{params['NAME']}_fresh_{secrets.token_hex(4)}"
    auth = quote(params["USER"]) + (f":{quote(params['PASSWORD'])}" if params["PASSWORD"] else "")
    server = f"{auth}@{params['HOST'] or 'localhost'}:{params['PORT'] or 5432}"
    admin_conninfo = f"postgresql://{server}/postgres"
    with psycopg.connect(admin_conninfo, autocommit=True) as admin_db:
        admin_db.execute(f'CREATE DATABASE "{name}"')
    try:
        result = manage(
            "migrate",
            "--noinput",
            env={
                "DATABASE_URL": f"postgres://{server}/{name}",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "HTTPS": "false",
            },
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        with psycopg.connect(f"postgresql://{server}/{name}") as fresh:
            rows = fresh.execute(
                "SELECT g.name, count(gp.id) FROM auth_group g "
                "LEFT JOIN auth_group_permissions gp ON gp.group_id = g.id "
                "GROUP BY g.name ORDER BY g.name"
            ).fetchall()
            # Curators: 48 catalogue permissions, 9 of the intake queue (intake 0002), 4 of
            # the bilingual vocabulary (practices 0006) and 22 for award cycles (awards 0003).
            assert rows == [("Award committee", 7), ("Curators", 83)]
    finally:
        with psycopg.connect(admin_conninfo, autocommit=True) as admin_db:
            admin_db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_tag_form_groups_categories_under_their_award(client, as_role, award_a):
    practice = PracticeFactory()
    as_role("curator")
    response = client.post(
        reverse("admin:practices_practice_changelist"),
        {"action": "tag_as_recognized", "_selected_action": [practice.pk]},
    )
    assert '<optgroup label="Award A">' in response.text
    assert '<optgroup label="Award B">' in response.text


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    award=st.text(max_size=12),
    category=st.text(max_size=12),
    year=st.text(max_size=24),
    level=st.text(max_size=12),
    selected=st.lists(st.text(max_size=12), max_size=3),
)
def test_any_tag_form_input_gets_an_answer_never_a_server_error(
    client, as_role, award_a, award, category, year, level, selected
):
    practice = PracticeFactory()
    as_role("committee_a")
    data = {
        "action": "tag_as_recognized",
        "apply": "1",
        "award": award,
        "category": category,
        "year": year,
        "level": level,
        "_selected_action": [practice.pk, *selected],
    }
    response = client.post(reverse("admin:practices_practice_changelist"), data)
    assert response.status_code in {200, 302, 400, 403}


# --- The tagging service on its own ------------------------------------------------


def test_recognize_refuses_a_user_outside_the_committee(committee_b, award_a):
    from awards.services import RecognitionError, recognize

    with pytest.raises(RecognitionError, match="not on the committee of “Award A”"):
        recognize(
            practices=[PracticeFactory()],
            award=award_a,
            category=None,
            year=2022,
            level="winner",
            user=committee_b,
        )
    assert Recognition.objects.count() == 0


def test_recognize_refuses_a_category_of_another_award(curator, award_a, award_b):
    from awards.services import RecognitionError, recognize

    with pytest.raises(RecognitionError, match="belongs to another award"):
        recognize(
            practices=[PracticeFactory()],
            award=award_a,
            category=award_b.categories.get(),
            year=2022,
            level="winner",
            user=curator,
        )


@pytest.mark.parametrize("year", [1899, 2101])
def test_recognize_refuses_years_out_of_range(committee_a, award_a, year):
    from awards.services import RecognitionError, recognize

    with pytest.raises(RecognitionError, match="between 1900 and 2100"):
        recognize(
            practices=[PracticeFactory()],
            award=award_a,
            category=None,
            year=year,
            level="winner",
            user=committee_a,
        )


def test_recognize_adds_the_new_and_reports_the_duplicates(committee_a, award_a):
    from awards.services import recognize

    old, new = PracticeFactory(), PracticeFactory()
    category = award_a.categories.get()
    RecognitionFactory(practice=old, award=award_a, category=category, year=2022)
    result = recognize(
        practices=[old, new],
        award=award_a,
        category=category,
        year=2022,
        level="finalist",
        user=committee_a,
    )
    assert result.duplicates == [old]
    assert [r.practice for r in result.created] == [new]
    assert Recognition.objects.filter(practice=old).count() == 1


def test_awards_for_user_follows_roles(
    curator, committee_a, committee_b, superuser, award_a, award_b
):
    from django.contrib.auth.models import AnonymousUser

    from awards.services import awards_for_user

    assert set(awards_for_user(curator)) == {award_a, award_b}
    assert set(awards_for_user(superuser)) == {award_a, award_b}
    assert list(awards_for_user(committee_a)) == [award_a]
    assert list(awards_for_user(committee_b)) == [award_b]
    assert list(awards_for_user(AnonymousUser())) == []
    committee_a.is_active = False
    assert list(awards_for_user(committee_a)) == []


def test_recognition_form_refuses_a_category_of_another_award(client, as_role, award_a, award_b):
    as_role("curator")
    practice = PracticeFactory()
    data = {
        "practice": practice.pk,
        "award": award_a.pk,
        "category": award_b.categories.get().pk,
        "year": 2022,
        "level": "winner",
        "citation": "",
    }
    response = client.post(reverse("admin:awards_recognition_add"), data)
    assert response.status_code == 200
    assert "This category belongs to another award." in response.text
    assert not Recognition.objects.exists()

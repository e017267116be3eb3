"""The publishing workflow: the service's transitions and the admin actions that use them."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from practices import services
from practices.models import Practice, PublishingState
from tests.factories import PracticeFactory, PublicationFactory, UserFactory

pytestmark = pytest.mark.django_db

State = PublishingState


@pytest.fixture
def editor():
    return UserFactory(username="editor")


@pytest.mark.parametrize("factory", [PracticeFactory, PublicationFactory])
def test_publishing_stamps_the_date_and_the_user(factory, editor):
    record = factory()
    assert record.published_at is None
    assert not type(record).objects.published().filter(pk=record.pk).exists()

    result = services.transition(record, to_state=State.PUBLISHED, user=editor)

    assert (result.from_state, result.to_state) == (State.DRAFT, State.PUBLISHED)
    record.refresh_from_db()
    assert record.state == State.PUBLISHED
    assert record.published_at is not None
    assert record.updated_by == editor
    assert type(record).objects.published().filter(pk=record.pk).exists()


@pytest.mark.parametrize("factory", [PracticeFactory, PublicationFactory])
def test_back_to_draft_hides_the_record_and_clears_the_date(factory, editor):
    record = factory(published=True)
    services.unpublish(record, user=editor)
    record.refresh_from_db()
    assert record.state == State.DRAFT
    assert record.published_at is None
    assert not type(record).objects.published().filter(pk=record.pk).exists()


def test_full_round_trip_through_review_and_archive(editor):
    practice = PracticeFactory()
    services.submit_for_review(practice, user=editor)
    assert practice.state == State.REVIEW
    services.publish(practice, user=editor)
    first_published = practice.published_at
    services.archive(practice, user=editor)
    practice.refresh_from_db()
    assert practice.state == State.ARCHIVED
    assert practice.published_at == first_published
    assert not Practice.objects.published().filter(pk=practice.pk).exists()
    # Re-publishing an archived record keeps its original date.
    services.publish(practice, user=editor)
    practice.refresh_from_db()
    assert practice.published_at == first_published


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (State.PUBLISHED, State.REVIEW),
        (State.ARCHIVED, State.REVIEW),
        (State.PUBLISHED, State.PUBLISHED),
        (State.DRAFT, State.DRAFT),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(start, target, editor):
    practice = PracticeFactory(published=start == State.PUBLISHED)
    if start == State.ARCHIVED:
        Practice.objects.filter(pk=practice.pk).update(state=State.ARCHIVED)
    before = Practice.objects.get(pk=practice.pk)

    with pytest.raises(services.TransitionError) as excinfo:
        services.transition(practice, to_state=target, user=editor)

    assert practice.title in str(excinfo.value)
    after = Practice.objects.get(pk=practice.pk)
    assert (after.state, after.published_at, after.updated_by_id) == (
        before.state,
        before.published_at,
        before.updated_by_id,
    )


def test_unknown_state_is_refused(editor):
    practice = PracticeFactory()
    with pytest.raises(services.TransitionError, match="not a publishing state"):
        services.transition(practice, to_state="live", user=editor)


def test_transition_reads_the_state_from_the_database_not_a_stale_copy(editor):
    practice = PracticeFactory()
    stale = Practice.objects.get(pk=practice.pk)
    services.publish(practice, user=editor)
    # The stale copy still says draft, but the row is published: publishing again is refused.
    with pytest.raises(services.TransitionError, match="already published"):
        services.publish(stale, user=editor)


# --- The admin actions -------------------------------------------------------------


def post_action(client, model, action, records, *, location="list"):
    opts = model._meta
    if location == "list":
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        data = {"action": action, "index": 0, "_selected_action": [r.pk for r in records]}
    else:
        (record,) = records
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
        data = {"CHANGE_FORM-action": action, "index": 0, "_selected_action": [record.pk]}
    return client.post(url, data, follow=True)


@pytest.mark.parametrize("factory", [PracticeFactory, PublicationFactory])
def test_curator_publishes_and_unpublishes_from_the_list(client, curator, factory):
    records = [factory(), factory()]
    model = type(records[0])
    client.force_login(curator)

    response = post_action(client, model, "publish", records)
    assert response.status_code == 200
    assert "2 records are now published." in response.text
    assert model.objects.published().count() == 2
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), action_flag=CHANGE
    )
    assert entries.count() == 2
    assert {entry.get_change_message() for entry in entries} == {"Moved from Draft to Published."}
    assert {entry.user for entry in entries} == {curator}

    response = post_action(client, model, "unpublish", records)
    assert "2 records are now draft." in response.text
    assert model.objects.published().count() == 0
    assert set(model.objects.values_list("updated_by", flat=True)) == {curator.pk}


def test_workflow_actions_are_offered_on_the_change_form(client, curator):
    practice = PracticeFactory()
    client.force_login(curator)
    url = reverse("admin:practices_practice_change", args=[practice.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="CHANGE_FORM-action"' in page.text
    assert 'value="publish"' in page.text

    # The action menu is part of the record's form: a post without the form's fields
    # would blank them, so the action is refused (tests/test_workflow_form_edits.py
    # posts the whole form).
    response = post_action(client, Practice, "submit_for_review", [practice], location="form")
    assert response.status_code == 200
    assert "The action was not run and nothing was saved" in response.text
    practice.refresh_from_db()
    assert practice.state == State.DRAFT


def test_refused_moves_are_reported_and_others_still_happen(client, curator):
    draft = PracticeFactory(title="A draft")
    published = PracticeFactory(title="Already out", published=True)
    client.force_login(curator)

    response = post_action(client, Practice, "publish", [draft, published])

    assert response.status_code == 200
    assert "1 record is now published." in response.text
    assert "“Already out” is already published." in response.text
    draft.refresh_from_db()
    assert draft.state == State.PUBLISHED


def test_state_cannot_be_set_through_the_form(client, curator, practice_form_data):
    # Publishing goes through the workflow; a posted state is ignored.
    practice = PracticeFactory(topics=[])
    from tests.factories import TopicFactory

    topic = TopicFactory()
    client.force_login(curator)
    url = reverse("admin:practices_practice_change", args=[practice.pk])
    data = practice_form_data(
        practice, lead=practice.lead_jurisdiction, topics=[topic], state="published"
    )
    response = client.post(url, data)
    assert response.status_code == 302
    practice.refresh_from_db()
    assert practice.state == State.DRAFT
    assert practice.updated_by == curator


def test_view_on_site_lets_staff_preview_a_draft_while_the_public_gets_404(client, curator):
    practice = PracticeFactory()
    publication = PublicationFactory()
    for record in (practice, publication):
        assert client.get(record.get_absolute_url()).status_code == 404

    client.force_login(curator)
    for record in (practice, publication):
        opts = record._meta
        page = client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
        )
        content_type = ContentType.objects.get_for_model(record)
        shortcut = reverse("admin:view_on_site", args=[content_type.pk, record.pk])
        assert shortcut in page.text
        response = client.get(shortcut)
        assert response.status_code == 302
        assert response["Location"].endswith(record.get_absolute_url())

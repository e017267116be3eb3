"""The two staff roles, as groups with real permissions, so a fresh database has them.

Curators edit the whole catalogue and move records through the publishing states.
Award committee members read practices and manage recognitions; which awards they
may touch is decided per object by the admin (their award's ``committee``).
"""

from django.db import migrations

CURATORS = "Curators"
COMMITTEE = "Award committee"

CATALOGUE_MODELS = {
    "practices": [
        "practice",
        "source",
        "outcome",
        "publication",
        "topic",
        "department",
        "jurisdiction",
        "initiative",
        "partnerpair",
    ],
    "awards": ["award", "awardcategory", "recognition"],
}
ALL_ACTIONS = ["add", "change", "delete", "view"]

COMMITTEE_PERMISSIONS = [
    ("practices", "view_practice"),
    ("awards", "view_award"),
    ("awards", "view_awardcategory"),
    ("awards", "add_recognition"),
    ("awards", "change_recognition"),
    ("awards", "delete_recognition"),
    ("awards", "view_recognition"),
]


def curator_permissions():
    return [
        (app_label, f"{action}_{model}")
        for app_label, models in CATALOGUE_MODELS.items()
        for model in models
        for action in ALL_ACTIONS
    ]


def ensure_permissions(apps):
    """Permissions are normally created after all migrations ran; create them now."""
    from django.contrib.auth.management import create_permissions

    for app_label in ("practices", "awards"):
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def lookup(apps, pairs):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label, codename in pairs:
        found.append(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return found


def create_roles(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    curators, _ = Group.objects.get_or_create(name=CURATORS)
    curators.permissions.add(*lookup(apps, curator_permissions()))
    committee, _ = Group.objects.get_or_create(name=COMMITTEE)
    committee.permissions.add(*lookup(apps, COMMITTEE_PERMISSIONS))


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[CURATORS, COMMITTEE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0001_initial"),
        ("awards", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]

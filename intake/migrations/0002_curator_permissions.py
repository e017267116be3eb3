"""Curators work the intake queue: they may see, change (decide on) and delete
submissions, corrections and adoption reports. Nobody adds them in the admin: they come
from the public forms. Award committee members get nothing here."""

from django.db import migrations

CURATORS = "Curators"
MODELS = ["submission", "correction", "adoption"]
ACTIONS = ["view", "change", "delete"]


def ensure_permissions(apps):
    """Permissions are normally created after all migrations ran; create them now."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("intake")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None


def grant(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    curators, _ = Group.objects.get_or_create(name=CURATORS)
    codenames = [f"{action}_{model}" for model in MODELS for action in ACTIONS]
    curators.permissions.add(
        *Permission.objects.filter(content_type__app_label="intake", codename__in=codenames)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=CURATORS):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="intake"))


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_intake"),
        ("practices", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

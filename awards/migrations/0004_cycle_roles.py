"""Curators set up award cycles in the admin (cycles with their rubric, stages and
judges) and may read applications and what happened to them. Judging itself happens in
the judging pages, for the cycle's assigned committee members only."""

from django.db import migrations

CURATORS = "Curators"

CURATOR_PERMISSIONS = [
    *(f"{action}_{model}" for model in ("cycle", "criterion", "stage", "judge")
      for action in ("add", "change", "delete", "view")),
    "view_application",
    "change_application",
    "view_recusal",
    "view_score",
    "view_decision",
    "view_historyentry",
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("awards")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    curators, _ = Group.objects.get_or_create(name=CURATORS)
    curators.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="awards", codename__in=CURATOR_PERMISSIONS
        )
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=CURATORS):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="awards", codename__in=CURATOR_PERMISSIONS
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0003_award_cycles"),
        ("practices", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]

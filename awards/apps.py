from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _cycles_changed(sender, **kwargs) -> None:
    from practices.cache import bump_catalogue_version

    bump_catalogue_version()


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Awards")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from awards.models import Cycle

        # An award's cached page lists its open calls and announced results.
        post_save.connect(_cycles_changed, sender=Cycle, dispatch_uid="award-cycle-saved")
        post_delete.connect(_cycles_changed, sender=Cycle, dispatch_uid="award-cycle-deleted")

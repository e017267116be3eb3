"""Approved adoption reports show on public practice pages, so a change to one drops the
cached catalogue work exactly as a change to a practice does (``practices.cache``)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save


def _adoption_changed(sender, **kwargs) -> None:
    from practices.cache import bump_catalogue_version

    bump_catalogue_version()
    # Again once the transaction commits: a page read while it was in flight is dropped.
    transaction.on_commit(bump_catalogue_version)


def connect_signals() -> None:
    from intake.models import Adoption

    post_save.connect(_adoption_changed, sender=Adoption, dispatch_uid="intake-adoption-save")
    post_delete.connect(_adoption_changed, sender=Adoption, dispatch_uid="intake-adoption-delete")

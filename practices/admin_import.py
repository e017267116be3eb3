"""The curators' CSV import page in the admin, as a mixin for PracticeAdmin.

``PracticeImportAdminMixin`` adds ``import/`` (named ``admin:practices_practice_import``)
to the practice admin: upload a CSV in the format of the public export, preview what
would be created and changed, then import it. The work is done by
``practices.importing.import_practices``; this page only handles the upload.
"""

import secrets

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from practices.csvio import EXPORT_COLUMNS, INFORMATIVE_COLUMNS
from practices.importing import import_practices

MAX_IMPORT_BYTES = 5 * 1024 * 1024
IMPORT_PERMISSIONS = ("practices.add_practice", "practices.change_practice")
# Rows listed on the page; the counts always cover the whole file.
SHOWN_ROWS = 500


# A previewed file is kept this long, so Import does not ask for it again.
KEPT_UPLOAD_SECONDS = 3600


def kept_upload_key(user, token: str) -> str:
    return f"practice-import:{user.pk}:{token}"


class PracticeImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        required=False,
        help_text=_("UTF-8 CSV in the format of the public export, at most 5 MB."),
    )
    # The previewed file, kept on the server (see KEPT_UPLOAD_SECONDS).
    upload_token = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    publish = forms.BooleanField(
        label=_("Publish the imported practices"),
        required=False,
        help_text=_("Otherwise new practices are drafts; existing ones keep their state."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload is None:
            return None
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(
                _("Choose a .csv file (spreadsheets: “Save as CSV UTF-8”).")
            )
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; the limit is 5 MB. Split it and import the parts."),
                params={"size": upload.size / 1024 / 1024},
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not cleaned.get("upload_token") and not self.errors:
            self.add_error("file", self.fields["file"].error_messages["required"])
        return cleaned


class PracticeImportAdminMixin:
    """Adds the CSV import page to a ModelAdmin of Practice."""

    import_template = "admin/practices/practice/import_csv.html"
    # Adds an "Import CSV" button beside "Add practice" on the list.

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perms(IMPORT_PERMISSIONS)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        result = None
        kept_token = ""
        if request.method == "POST":
            form = PracticeImportForm(request.POST, request.FILES)
            data = None
            if form.is_valid():
                upload, token = form.cleaned_data["file"], form.cleaned_data["upload_token"]
                if upload is not None:
                    data, token = upload.read(), secrets.token_urlsafe(16)
                else:
                    data = cache.get(kept_upload_key(request.user, token))
                    if data is None:
                        form.add_error(
                            "file",
                            _("The previewed file is no longer kept here; choose it again."),
                        )
            if data is not None:
                dry_run = "import" not in request.POST
                if dry_run:
                    cache.set(kept_upload_key(request.user, token), data, KEPT_UPLOAD_SECONDS)
                    kept_token = token
                else:
                    cache.delete(kept_upload_key(request.user, token))
                result = import_practices(
                    data=data,
                    publish=form.cleaned_data["publish"],
                    dry_run=dry_run,
                    user=request.user,
                )
                if result.written:
                    self.message_user(request, result.summary(), messages.SUCCESS)
                    return redirect(reverse("admin:practices_practice_changelist"))
                level = messages.ERROR if result.errors else messages.INFO
                self.message_user(request, result.summary(), level)
        else:
            form = PracticeImportForm()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import practices from CSV"),
            "form": form,
            "result": result,
            # After a preview without errors, Import uses the kept file.
            "kept_token": kept_token if result and result.ok else "",
            "shown_actions": result.actions[:SHOWN_ROWS] if result else [],
            "shown_errors": result.errors[:SHOWN_ROWS] if result else [],
            "shown_rows": SHOWN_ROWS,
            "imported_columns": [c for c in EXPORT_COLUMNS if c not in INFORMATIVE_COLUMNS],
            "informative_columns": sorted(INFORMATIVE_COLUMNS),
        }
        return TemplateResponse(request, self.import_template, context)

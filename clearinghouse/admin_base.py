"""The admin base every app's ModelAdmin builds on."""

from django.contrib import admin
from django.contrib.admin import ActionLocation, helpers
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError


class GuardedAdmin(admin.ModelAdmin):
    """A ModelAdmin that answers 403 to posts it must refuse, instead of quietly
    ignoring them: an action the user may not run, or selected rows the user may not
    see. Malformed row ids get a 400, never a server error."""

    def _action_field(self, location: ActionLocation) -> str:
        if location == ActionLocation.CHANGE_LIST:
            return "action"
        return f"{location.value}-action"

    def refuse_unpermitted_action(self, request, location: ActionLocation) -> None:
        """Raise PermissionDenied for a posted action this user may not run (the admin
        itself would only say "No action selected"), or for selected rows outside
        the user's queryset; BadRequest for row ids that are not ids at all."""
        if request.method != "POST":
            return
        posted = [name for name in request.POST.getlist(self._action_field(location)) if name]
        if not posted:
            return
        known = {action.name for action in self._get_base_actions(action_location=location)}
        allowed = self.get_actions(request, action_location=location)
        if any(name in known and name not in allowed for name in posted):
            raise PermissionDenied
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        try:
            pks = {self.opts.pk.to_python(pk) for pk in selected}
        except ValidationError as exc:
            raise BadRequest("Malformed selection.") from exc
        if pks and self.get_queryset(request).filter(pk__in=pks).count() != len(pks):
            raise PermissionDenied

    def changelist_view(self, request, extra_context=None):
        self.refuse_unpermitted_action(request, ActionLocation.CHANGE_LIST)
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if not {"_save", "_continue", "_addanother"} & set(request.POST):
            self.refuse_unpermitted_action(request, ActionLocation.CHANGE_FORM)
        return super().changeform_view(request, object_id, form_url, extra_context)

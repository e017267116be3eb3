"""Serving uploaded publication PDFs safely.

Uploads are never served as a static directory in production: they go through this
view, which serves only published publications, always as a PDF download with a
filename derived from the slug, ``nosniff`` and a sandboxing Content-Security-Policy,
so a disguised file can never run as a page of this site.
"""

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from practices.models import Publication

FILE_CSP = {"default-src": [CSP.NONE], "sandbox": True, "frame-ancestors": [CSP.NONE]}


@require_safe
@csp_override(FILE_CSP)
def publication_file(request: HttpRequest, slug: str) -> FileResponse:
    publication = get_object_or_404(Publication.objects.published(), slug=slug)
    if not publication.file:
        raise Http404("This publication has no file.")
    storage = publication.file.storage
    try:
        handle = storage.open(publication.file.name, "rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{publication.slug}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

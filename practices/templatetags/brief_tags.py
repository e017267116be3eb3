"""Template filters of the practice's one-page printed brief."""

from django import template

register = template.Library()

# Characters of a text section that the printed brief shows whole (static/css/brief.css
# cuts each after seven lines of a two-column page: about 50 characters a line).
BRIEF_SECTION_CHARS = 330
BRIEF_SUMMARY_CHARS = 560
BRIEF_NOTES_CHARS = 200
BRIEF_FIELDS = ("problem", "approach", "results", "cost_notes")


@register.filter
def brief_shortened(practice) -> bool:
    """Whether the printed brief cuts one of the practice's sections to fit its page."""
    if len(practice.summary) > BRIEF_SUMMARY_CHARS:
        return True
    if len(practice.evidence_notes or "") > BRIEF_NOTES_CHARS:
        return True
    return any(len(getattr(practice, name) or "") > BRIEF_SECTION_CHARS for name in BRIEF_FIELDS)

from django.urls import path

from practices.views import browse, files, practices, tools

app_name = "practices"

urlpatterns = [
    path("practices/", practices.practice_list, name="practice_list"),
    path("practices/export.csv", practices.practice_export, name="practice_export"),
    path("practices/spreadsheet.csv", tools.practice_spreadsheet, name="practice_spreadsheet"),
    path("practices/evidence-map/", tools.evidence_map, name="evidence_map"),
    path("practices/places-like-mine/", tools.places_like_mine, name="places_like_mine"),
    path("practices/compare/", tools.compare, name="compare"),
    path("practices/map/", tools.practice_map, name="practice_map"),
    path("practices/<slug:slug>/", practices.practice_detail, name="practice_detail"),
    path("topics/", browse.topic_list, name="topic_list"),
    path("topics/<slug:slug>/", browse.topic_detail, name="topic_detail"),
    path("publications/", browse.publication_list, name="publication_list"),
    path("publications/<slug:slug>/", browse.publication_detail, name="publication_detail"),
    path("publications/<slug:slug>/file/", files.publication_file, name="publication_file"),
    path("initiatives/", browse.initiative_list, name="initiative_list"),
    path("initiatives/<slug:slug>/", browse.initiative_detail, name="initiative_detail"),
    path("jurisdictions/", tools.jurisdiction_list, name="jurisdiction_list"),
    path("jurisdictions/<slug:slug>/", browse.jurisdiction_detail, name="jurisdiction_detail"),
]

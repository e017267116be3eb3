from django.urls import path

from awards import judging_views as views

app_name = "judging"

urlpatterns = [
    path("judging/", views.home, name="home"),
    path("judging/cycles/<int:pk>/", views.cycle_view, name="cycle"),
    path("judging/cycles/<int:pk>/ranking/", views.ranking, name="ranking"),
    path("judging/cycles/<int:pk>/close-scoring/", views.close_scoring, name="close_scoring"),
    path("judging/cycles/<int:pk>/history/", views.history, name="history"),
    path("judging/cycles/<int:pk>/applications.csv", views.export, name="export"),
    path("judging/applications/<int:pk>/", views.application_view, name="application"),
    path("judging/applications/<int:pk>/document/", views.document, name="document"),
    path("judging/applications/<int:pk>/recuse/", views.recuse, name="recuse"),
    path("judging/applications/<int:pk>/stage/", views.move_stage, name="stage"),
    path("judging/applications/<int:pk>/decide/", views.decide, name="decide"),
]

from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("share/", views.share, name="share"),
    path("share/received/<str:reference>/", views.received, name="received"),
    path("practices/<slug:slug>/correction/", views.suggest_correction, name="correction"),
    path("practices/<slug:slug>/adopted/", views.report_adoption, name="adoption"),
]

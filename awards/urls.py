from django.urls import path

from awards import views

app_name = "awards"

urlpatterns = [
    path("awards/", views.award_list, name="award_list"),
    path("awards/<slug:slug>/", views.award_detail, name="award_detail"),
    path("awards/<slug:award>/cycles/<slug:slug>/", views.cycle_detail, name="cycle_detail"),
    path("awards/<slug:award>/cycles/<slug:slug>/apply/", views.cycle_apply, name="cycle_apply"),
    path(
        "awards/<slug:award>/cycles/<slug:slug>/received/<str:reference>/",
        views.cycle_receipt,
        name="cycle_receipt",
    ),
    path(
        "awards/<slug:award>/cycles/<slug:slug>/results/",
        views.cycle_results,
        name="cycle_results",
    ),
]

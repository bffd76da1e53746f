from django.urls import path

from . import views

app_name = "fire"

urlpatterns = [
    path("", views.index, name="index"),
    path("due/", views.due, name="due"),
    path("due/export/", views.due_export, name="due_export"),
    path("batches/", views.batches, name="batches"),
    path("batches/export/", views.batches_export, name="batches_export"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_save, name="plan_save"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/issue/", views.plan_issue, name="plan_issue"),
    path("programme/", views.programme, name="programme"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/ebikes/", views.ebikes, name="ebikes"),
    path("extinguishers/<int:pk>/", views.extinguisher, name="extinguisher"),
    path("sprinklers/<int:pk>/", views.sprinkler, name="sprinkler"),
    path("stations/<int:pk>/", views.station, name="station"),
    path("stations/<int:pk>/add/<str:part>/", views.station_add, name="station_add"),
    path(
        "stations/<int:pk>/remove/<str:part>/<int:item>/",
        views.station_remove,
        name="station_remove",
    ),
    path("stations/<int:pk>/kit/<int:item>/check/", views.kit_check, name="kit_check"),
    path("records/<int:pk>/photo/", views.photo, name="photo"),
    path("registry/<str:kind>/", views.registry_list, name="list"),
    path("registry/<str:kind>/export/", views.registry_export, name="export"),
    path("registry/<str:kind>/import/", views.registry_import, name="import"),
    path("registry/<str:kind>/import/errors/", views.import_errors, name="import_errors"),
    path("registry/<str:kind>/import/template/", views.import_template, name="import_template"),
    path("registry/<str:kind>/new/", views.registry_edit, name="create"),
    path("registry/<str:kind>/<int:pk>/edit/", views.registry_edit, name="edit"),
]

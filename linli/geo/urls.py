from django.urls import path

from . import views

app_name = "geo"

urlpatterns = [
    # Before the lists' own routes, which would take "divisions" for a list's name.
    path("divisions/import/", views.divisions_import, name="divisions_import"),
    path("divisions/import/template.xlsx", views.divisions_template, name="divisions_template"),
    path("divisions/import/errors.xlsx", views.divisions_errors, name="divisions_errors"),
    path("<str:kind>/", views.place_list, name="list"),
    path("<str:kind>/export.xlsx", views.place_export, name="export"),
    path("<str:kind>/import/", views.place_import, name="import"),
    path("<str:kind>/import/template.xlsx", views.import_template, name="import_template"),
    path("<str:kind>/import/errors.xlsx", views.import_errors, name="import_errors"),
    path("<str:kind>/new/", views.place_edit, name="create"),
    path("<str:kind>/<int:pk>/", views.place_detail, name="detail"),
    path("<str:kind>/<int:pk>/edit/", views.place_edit, name="edit"),
    path("<str:kind>/<int:pk>/delete/", views.place_delete, name="delete"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="reveal"),
]

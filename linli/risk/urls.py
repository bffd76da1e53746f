from django.urls import path

from . import views

app_name = "risk"

urlpatterns = [
    path("", views.index, name="index"),
    path("methods/<int:pk>/", views.method_detail, name="method"),
    path("methods/<int:pk>/copy/", views.method_copy, name="method_copy"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_overview, name="round"),
    path("rounds/<int:pk>/paper/", views.street_paper, name="street_paper"),
    path("rounds/<int:pk>/paper.pdf", views.street_paper_pdf, name="street_paper_pdf"),
    path("rounds/<int:pk>/survey/", views.survey_page, name="survey"),
    path("rounds/<int:pk>/survey/<int:committee>/qr.svg", views.survey_qr, name="survey_qr"),
    path("survey/<str:token>/", views.survey_online, name="survey_online"),
    path("rounds/<int:pk>/papers/", views.papers, name="papers"),
    path("papers/<int:pk>.pdf", views.paper_file, name="paper_file"),
    path("rounds/<int:pk>/draw/", views.round_draw, name="round_draw"),
    path("rounds/<int:pk>/samples/", views.round_samples, name="samples"),
    path("rounds/<int:pk>/committees/<int:committee>/", views.committee_page, name="committee"),
    path("rounds/<int:pk>/committees/<int:committee>/paper/", views.white_paper, name="paper"),
    path(
        "rounds/<int:pk>/committees/<int:committee>/paper.pdf",
        views.white_paper_pdf,
        name="paper_pdf",
    ),
    path("samples/mine/", views.my_samples, name="my_samples"),
    path("samples/<int:pk>/", views.sample_checklist, name="sample"),
    path("samples/<int:pk>/units/<str:unit>/", views.sample_unit, name="sample_unit"),
    path(
        "samples/<int:pk>/units/<str:unit>/statuses/",
        views.sample_statuses,
        name="sample_statuses",
    ),
    path(
        "samples/<int:pk>/units/<str:unit>/findings/",
        views.sample_finding_add,
        name="sample_finding_add",
    ),
    path(
        "samples/<int:pk>/units/<str:unit>/findings/delete/",
        views.sample_finding_delete,
        name="sample_finding_delete",
    ),
    path("samples/<int:pk>/template.xlsx", views.sample_template, name="sample_template"),
    path("samples/<int:pk>/import/", views.sample_import, name="sample_import"),
    path("samples/<int:pk>/submit/", views.sample_submit, name="sample_submit"),
    path("samples/<int:pk>/assign/", views.sample_assign, name="sample_assign"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("cases/", views.case_list, name="cases"),
    path("cases/refresh/", views.cases_refresh, name="cases_refresh"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
]

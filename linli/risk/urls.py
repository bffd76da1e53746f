from django.urls import path

from .views import cases, checklist, home, methods, papers, rounds, survey

app_name = "risk"

urlpatterns = [
    path("", home.index, name="index"),
    path("methods/<int:pk>/", methods.method_detail, name="method"),
    path("methods/<int:pk>/copy/", methods.method_copy, name="method_copy"),
    path("rounds/new/", rounds.round_create, name="round_create"),
    path("rounds/<int:pk>/", rounds.round_overview, name="round"),
    path("rounds/<int:pk>/paper/", papers.street_paper, name="street_paper"),
    path("rounds/<int:pk>/paper.pdf", papers.street_paper_pdf, name="street_paper_pdf"),
    path("rounds/<int:pk>/survey/", survey.survey_page, name="survey"),
    path("rounds/<int:pk>/survey/<int:committee>/qr.svg", survey.survey_qr, name="survey_qr"),
    path("survey/<str:token>/", survey.survey_online, name="survey_online"),
    path("rounds/<int:pk>/papers/", papers.papers, name="papers"),
    path("papers/<int:pk>.pdf", papers.paper_file, name="paper_file"),
    path("rounds/<int:pk>/draw/", rounds.round_draw, name="round_draw"),
    path("rounds/<int:pk>/samples/", rounds.round_samples, name="samples"),
    path("rounds/<int:pk>/committees/<int:committee>/", rounds.committee_page, name="committee"),
    path("rounds/<int:pk>/committees/<int:committee>/paper/", papers.white_paper, name="paper"),
    path(
        "rounds/<int:pk>/committees/<int:committee>/paper.pdf",
        papers.white_paper_pdf,
        name="paper_pdf",
    ),
    path("samples/mine/", checklist.my_samples, name="my_samples"),
    path("samples/<int:pk>/", checklist.sample_checklist, name="sample"),
    path("samples/<int:pk>/units/<str:unit>/", checklist.sample_unit, name="sample_unit"),
    path(
        "samples/<int:pk>/units/<str:unit>/statuses/",
        checklist.sample_statuses,
        name="sample_statuses",
    ),
    path(
        "samples/<int:pk>/units/<str:unit>/findings/",
        checklist.sample_finding_add,
        name="sample_finding_add",
    ),
    path(
        "samples/<int:pk>/units/<str:unit>/findings/delete/",
        checklist.sample_finding_delete,
        name="sample_finding_delete",
    ),
    path("samples/<int:pk>/template.xlsx", checklist.sample_template, name="sample_template"),
    path("samples/<int:pk>/import/", checklist.sample_import, name="sample_import"),
    path("samples/<int:pk>/submit/", checklist.sample_submit, name="sample_submit"),
    path("samples/<int:pk>/assign/", rounds.sample_assign, name="sample_assign"),
    path("photos/<int:pk>/", checklist.photo, name="photo"),
    path("cases/", cases.case_list, name="cases"),
    path("cases/refresh/", cases.cases_refresh, name="cases_refresh"),
    path("cases/<int:pk>/", cases.case_detail, name="case"),
    path("cases/<int:pk>/assign/", cases.case_assign, name="case_assign"),
    path("cases/<int:pk>/start/", cases.case_start, name="case_start"),
    path(
        "cases/<int:pk>/reinspection/",
        cases.case_request_reinspection,
        name="case_request_reinspection",
    ),
    path("cases/<int:pk>/sign/", cases.case_sign, name="case_sign"),
    path("cases/<int:pk>/approve/", cases.case_approve, name="case_approve"),
    path("cases/<int:pk>/reject/", cases.case_reject, name="case_reject"),
    path("cases/<int:pk>/defer/", cases.case_defer, name="case_defer"),
    path("cases/<int:pk>/resume/", cases.case_resume, name="case_resume"),
    path("cases/<int:pk>/close-on-spot/", cases.case_close_on_spot, name="case_close_on_spot"),
]

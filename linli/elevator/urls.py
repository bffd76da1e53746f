from django.urls import path

from . import views

app_name = "elevator"

urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export, name="export"),
    path("new/", views.project_edit, name="project_new"),
    path("reminders/", views.reminders, name="reminders"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/members/", views.member_add, name="member_add"),
    path("projects/<int:pk>/stage/", views.stage_move, name="stage_move"),
    path("projects/<int:pk>/documents/", views.document_add, name="document_add"),
    path("projects/<int:pk>/documents/<int:doc>/", views.document_file, name="document_file"),
    path("projects/<int:pk>/votes/", views.vote_open, name="vote_open"),
    path("projects/<int:pk>/roll/", views.roll, name="roll"),
    path("projects/<int:pk>/roll/build/", views.roll_build, name="roll_build"),
    path("projects/<int:pk>/roll/merge/", views.roll_merge, name="roll_merge"),
    path("projects/<int:pk>/roll/developer/", views.roll_developer, name="roll_developer"),
    path("projects/<int:pk>/codes/", views.codes, name="codes"),
    path("projects/<int:pk>/objections/", views.objection_add, name="objection_add"),
    path("projects/<int:pk>/round-tables/", views.round_table_add, name="round_table_add"),
    path("projects/<int:pk>/maintenance/", views.maintenance_add, name="maintenance_add"),
    path("projects/<int:pk>/costs/", views.costs_page, name="costs"),
    path("projects/<int:pk>/costs/annex/", views.annex, name="annex"),
    path("votes/<int:pk>/", views.vote_detail, name="vote"),
    path("votes/<int:pk>/close/", views.vote_close, name="vote_close"),
    path("votes/<int:pk>/tally.json", views.vote_json, name="vote_json"),
    path("objections/<int:pk>/", views.objection_detail, name="objection"),
    path("objections/<int:pk>/settle/", views.objection_settle, name="objection_settle"),
    path("owner/", views.owner_login, name="owner_login"),
    path("owner/ballot/", views.owner_ballot, name="owner_ballot"),
    path("owner/confirm/", views.owner_confirm, name="owner_confirm"),
    path("owner/logout/", views.owner_logout, name="owner_logout"),
    path("owner/documents/<int:doc>/", views.owner_document, name="owner_document"),
    path("guide/", views.guide, name="guide"),
    path("consultations/", views.consultations, name="consultations"),
    path("consultations/new/", views.consultation_edit, name="consultation_new"),
    path("consultations/<int:pk>/", views.consultation_edit, name="consultation_edit"),
]

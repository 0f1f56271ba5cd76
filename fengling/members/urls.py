from django.urls import path

from . import import_views, views

app_name = "members"

urlpatterns = [
    path("", views.index, name="list"),
    path("new/", views.create, name="create"),
    path("export.xlsx", views.export, name="export"),
    path("import-template.xlsx", views.import_template, name="import_template"),
    path("import/", import_views.upload, name="import"),
    path("import/<int:pk>/", import_views.job_detail, name="import_job"),
    path("import/<int:pk>/progress/", import_views.job_progress, name="import_progress"),
    path("import/<int:pk>/confirm/", import_views.job_confirm, name="import_confirm"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/history/", views.history, name="history"),
]

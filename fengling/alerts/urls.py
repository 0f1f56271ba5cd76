from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("", views.alert_index, name="list"),
    path("<int:pk>/", views.alert_detail, name="detail"),
    path("<int:pk>/rectify/", views.case_new, name="case_new"),
    path("cases/", views.case_index, name="cases"),
    path("cases/mine/", views.todo, name="todo"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/files/<int:event_id>/", views.case_file, name="case_file"),
    path("cases/<int:pk>/progress/", views.case_progress, name="case_progress"),
    path("cases/<int:pk>/review/", views.case_review, name="case_review"),
]

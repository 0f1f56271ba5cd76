from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.course_index, name="courses"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("courses/<int:pk>/sessions/", views.session_add, name="session_add"),
    path("courses/<int:pk>/exams/", views.exam_add, name="exam_add"),
    path("courses/<int:pk>/enrol/", views.course_enrol, name="enrol"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("exams/<int:pk>/", views.exam_detail, name="exam"),
    path("me/", views.my_study, name="my_study"),
    path("hours/", views.hours_report, name="hours"),
    path("study-review/", views.study_review, name="study_review"),
    path("study-review/<int:pk>/", views.study_review_decide, name="study_decide"),
    path("certification/", views.certification, name="certification"),
    path("certificates/<int:pk>.pdf", views.certificate_download, name="certificate_pdf"),
    path("placements/", views.placements, name="placements"),
    path("reports/", views.report_index, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
]

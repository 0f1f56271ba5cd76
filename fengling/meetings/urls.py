from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.index, name="list"),
    path("new/", views.create, name="create"),
    path("mine/", views.mine, name="mine"),
    path("compliance/", views.compliance, name="compliance"),
    path("party-day/", views.party_day, name="party_day"),
    path("push/", views.push, name="push"),
    path("push/<int:pk>/", views.push_status_page, name="push_status"),
    path("signin/<str:token>/", views.signin, name="signin"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/state/", views.transition, name="transition"),
    path("<int:pk>/attendance/", views.attendance, name="attendance"),
    path("<int:pk>/files/", views.upload, name="upload"),
    path("<int:pk>/files/<int:file_id>/", views.download, name="download"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/qr.svg", views.qr_code, name="qr"),
]

from django.urls import path

from . import views

app_name = "lifecycle"

urlpatterns = [
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer"),
    path("transfers/<int:pk>/<slug:action>/", views.transfer_act, name="transfer_act"),
    path("mobile/", views.mobile, name="mobile"),
    path("mobile/<int:pk>/report/", views.mobile_report, name="mobile_report"),
    path("mobile/<int:pk>/close/", views.mobile_close, name="mobile_close"),
    path("lost-contact/", views.lost, name="lost"),
    path("lost-contact/<int:pk>/effort/", views.lost_effort, name="lost_effort"),
    path("lost-contact/<int:pk>/found/", views.lost_found, name="lost_found"),
    path("members/<int:pk>/status/", views.status_new, name="status_new"),
    path("members/<int:pk>/transfer/", views.transfer_new, name="transfer_new"),
    path("members/<int:pk>/transfer-in/", views.transfer_incoming, name="transfer_incoming"),
    path("members/<int:pk>/mobile/", views.mobile_new, name="mobile_new"),
    path("members/<int:pk>/lost-contact/", views.lost_new, name="lost_new"),
]

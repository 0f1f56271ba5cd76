from django.urls import path

from . import views

app_name = "dues"

urlpatterns = [
    path("", views.index, name="index"),
    path("organizations/<int:pk>/", views.organization, name="organization"),
    path("organizations/<int:pk>/remittances/", views.remittances, name="remittances"),
    path("organizations/<int:pk>/export.xlsx", views.export, name="export"),
    path("members/<int:pk>/", views.member, name="member"),
    path("members/<int:pk>/pay/", views.member_pay, name="member_pay"),
    path("members/<int:pk>/profile/", views.member_profile, name="member_profile"),
    path("members/<int:pk>/statement/<int:year>/", views.statement, name="statement"),
]

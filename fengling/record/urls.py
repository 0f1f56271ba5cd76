from django.urls import path

from . import views

app_name = "record"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("members/<int:pk>/", views.member_record, name="member"),
]

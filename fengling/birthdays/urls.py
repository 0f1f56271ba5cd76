from django.urls import path

from . import views

app_name = "birthdays"

urlpatterns = [
    path("", views.month, name="month"),
    path("card/<int:pk>/", views.card, name="card"),
]

from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.index, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
]

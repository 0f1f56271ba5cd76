from django.urls import path

from . import views

app_name = "development"

urlpatterns = [
    path("", views.board, name="board"),
    path("deadlines/", views.deadline_list, name="deadlines"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/extension/", views.extend, name="extend"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]

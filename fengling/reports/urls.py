from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.home, name="home"),
    path("cockpit/", views.cockpit, name="cockpit"),
    path("cockpit/<int:pk>/", views.cockpit, name="cockpit_org"),
]

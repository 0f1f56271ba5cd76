from django.urls import path  # noqa: F401

app_name = "organizations"

# Filled by the web pages: tree, detail, children partial (see docs/architecture.md).
urlpatterns: list = []

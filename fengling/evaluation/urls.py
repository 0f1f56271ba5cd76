from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.appraisals, name="appraisals"),
    path("appraisals/open/", views.appraisal_open, name="appraisal_open"),
    path("appraisals/<int:pk>/", views.session_detail, name="session"),
    path("appraisals/<int:pk>/propose/", views.session_propose_view, name="propose"),
    path("appraisals/<int:pk>/decide/", views.session_decide_view, name="decide"),
    path("appraisals/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("handlings/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("mine/", views.mine, name="mine"),
    path("index/mine/", views.my_index, name="my_index"),
    path("index/", views.index_page, name="index"),
    path("index/action/", views.index_action, name="index_action"),
    path("index/snapshots/<int:pk>/", views.snapshot_page, name="snapshot"),
    path("stars/", views.stars, name="stars"),
    path("stars/action/", views.stars_action, name="stars_action"),
    path("stars/<int:pk>/", views.rating, name="rating"),
    path("weak/", views.weak_list, name="weak_list"),
    path("weak/confirm/", views.weak_confirm, name="weak_confirm"),
    path("weak/<int:pk>/", views.weak_detail, name="weak_detail"),
    path("weak/<int:pk>/exit/", views.weak_exit, name="weak_exit"),
    path("rankings/members/", views.member_rankings, name="member_rankings"),
    path("rankings/organizations/", views.organization_rankings,
         name="organization_rankings"),
    path("distributions/", views.distributions_page, name="distributions"),
    path("star-map/", views.star_map_page, name="star_map"),
    path("funding/", views.funding, name="funding"),
    path("funding/budget/", views.funding_budget, name="funding_budget"),
    path("funding/disburse/", views.funding_disburse, name="funding_disburse"),
    path("funding/export.xlsx", views.funding_export, name="funding_export"),
]

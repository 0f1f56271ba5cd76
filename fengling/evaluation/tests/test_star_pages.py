"""Star and funding pages and export: scope (outside 404, read-only 403), the scoring form
for the level above only, pinned query counts, the seed comparison, the Excel file."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse

from fengling.core.models import AuditEntry
from fengling.evaluation import services
from fengling.evaluation.models import Criterion, StarRating
from fengling.organizations.kinds import OrgKind
from fengling.testing.factories import make_org

from .test_stars import manual_entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def rating(cast):
    services.year_defaults(2026)
    Criterion.objects.exclude(source="manual").update(source="manual")
    return services.rating_self_review(cast.community_secretary, cast.community_a, 2026, D(90))


@pytest.mark.parametrize(("who", "read"), [
    ("community_secretary", 200), ("street_admin", 200), ("auditor", 200),
    ("outsider_secretary", 404), ("member", 404),
])
def test_rating_page_scope(client, cast, rating, who, read):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("evaluation:rating", args=[rating.pk])).status_code == read


@pytest.mark.parametrize(("who", "status", "scored"), [
    ("street_admin", 302, True), ("district_admin", 302, True),
    ("community_secretary", 403, False),  # not the level above
    ("auditor", 403, False), ("outsider_secretary", 404, False),
])
def test_scoring_is_for_the_level_above(client, cast, rating, who, status, scored):
    client.force_login(getattr(cast, who))
    data = {}
    for pk, (points, evidence) in manual_entries(2026).items():
        data[f"points-{pk}"], data[f"evidence-{pk}"] = str(points), evidence
    r = client.post(reverse("evaluation:rating", args=[rating.pk]), data)
    assert r.status_code == status
    rating.refresh_from_db()
    assert (rating.score is not None) is scored


def test_scoring_form_shown_to_the_level_above_only(client, cast, rating):
    client.force_login(cast.street_admin)
    assert b'name="evidence-' in client.get(reverse("evaluation:rating", args=[rating.pk])).content
    client.force_login(cast.community_secretary)
    assert b'name="evidence-' not in client.get(
        reverse("evaluation:rating", args=[rating.pk])).content


@pytest.mark.parametrize(("who", "status"), [
    ("street_admin", 302), ("auditor", 403), ("outsider_secretary", 404)])
def test_stars_action_scope(client, cast, who, status):
    client.force_login(getattr(cast, who))
    r = client.post(reverse("evaluation:stars_action"), {
        "what": "weak", "organization": cast.community_a.pk, "year": 2026, "reason": "空缺"})
    assert r.status_code == status


def test_staff_pages_refuse_members(client, cast):
    client.force_login(cast.member)
    for name in ("stars", "funding", "funding_export"):
        assert client.get(reverse(f"evaluation:{name}")).status_code == 403


def test_stars_list_scoped_and_query_count_pinned(client, cast, rating,
                                                   django_assert_num_queries):
    services.rating_self_review(cast.outsider_secretary, cast.community_b, 2026, D(70))
    client.force_login(cast.street_admin)
    url = reverse("evaluation:stars") + "?year=2026"
    r = client.get(url)
    assert [x.pk for x in r.context["page"].object_list] == [rating.pk]
    with django_assert_num_queries(5) as ctx:
        client.get(url)
    n = len(ctx.captured_queries)
    for i in range(3):
        org = make_org(cast.street1, f"新社区{i}", OrgKind.COMMUNITY, "community")
        services.rating_self_review(cast.street_admin, org, 2026, D(80))
    with django_assert_num_queries(n):
        r = client.get(url)
    assert r.context["page"].paginator.count == 4


def filed(cast):
    services.year_defaults(2026)
    Criterion.objects.exclude(source="manual").update(source="manual")
    for org in (cast.community_a, cast.community_a2, cast.community_b):
        r = services.rating_self_review(cast.district_admin, org, 2026, D(90))
        services.rating_score(cast.district_admin, r, manual_entries(2026, deductions=D(20)))
    for unit in (cast.street1, cast.street2):
        services.stars_publish(cast.district_admin, unit, 2026, OrgKind.COMMUNITY,
                               notice_from=dt.date(2027, 1, 1))
        services.stars_file(cast.district_admin, unit, 2026, OrgKind.COMMUNITY,
                            today=dt.date(2027, 2, 1))


def test_funding_page_per_street_and_seed_comparison(client, cast):
    filed(cast)
    services.budget_line_set(cast.district_admin, cast.district, 2026, "work", "7000000")
    services.budget_line_set(cast.district_admin, cast.district, 2026, "venture", "4000000")
    client.force_login(cast.district_admin)
    r = client.get(reverse("evaluation:funding") + "?year=2026")
    assert r.status_code == 200
    assert r.context["total"] == D(150000)  # three 4★ communities × ¥50,000
    assert [(s.name, s.amount) for s in r.context["streets"]] == [
        ("望春街道党工委", D(100000)), ("南门街道党工委", D(50000))]
    seed = r.context["seed"]
    assert seed.counts == {"community": 3, "business_district": 0}
    assert seed.seed == D(7000000) and seed.difference == D(7000000) - seed.total
    body = r.content.decode()
    assert "700余万元" in body
    # Before anything is typed, the disbursement picker offers the subsidized organizations.
    assert (f'<option value="{cast.community_a.name} #{cast.community_a.pk}">4★</option>'
            in body)
    client.force_login(cast.street_admin)
    r = client.get(reverse("evaluation:funding") + "?year=2026")
    assert r.context["total"] == D(100000) and r.context["budget"] == []


def test_funding_export_is_scoped_and_audited(client, cast):
    from openpyxl import load_workbook
    filed(cast)
    client.force_login(cast.street_admin)
    r = client.get(reverse("evaluation:funding_export") + "?year=2026")
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    rows = list(book.worksheets[0].values)
    names = {row[1] for row in rows[1:-1]}
    assert names == {"望春社区党委", "五江口社区党委"}
    assert rows[-1][-1] == 100000
    assert AuditEntry.objects.filter(action="funding.export", actor=cast.street_admin).exists()
    assert StarRating.objects.filter(state="filed").count() == 3


def bearer(user) -> dict:
    from fengling.accounts.services import api_token_issue
    return {"authorization": f"Bearer {api_token_issue(user)[0]}"}


@pytest.mark.parametrize(("who", "read", "score"), [
    ("street_admin", 200, 200), ("community_secretary", 200, 403), ("auditor", 200, 403),
    ("outsider_secretary", 404, 404), ("member", 404, 404),
])
def test_api_stars_scope(client, cast, rating, who, read, score):
    user = getattr(cast, who)
    base = f"/api/v1/evaluation/stars/{rating.pk}"
    assert client.get(base, headers=bearer(user)).status_code == read
    entries = [{"criterion": pk, "points": str(p), "evidence": e}
               for pk, (p, e) in manual_entries(2026).items()]
    r = client.post(f"{base}/score", {"entries": entries}, content_type="application/json",
                    headers=bearer(user))
    assert r.status_code == score
    if score == 200:
        assert r.json()["score"] == "97.00" and r.json()["proposed_stars"] == 5


def test_api_notice_file_and_funding(client, cast):
    filed(cast)
    r = client.get("/api/v1/evaluation/funding", {"year": 2026},
                   headers=bearer(cast.street_admin))
    assert r.status_code == 200
    assert r.json()["total"] == "100000.00" and len(r.json()["allocations"]) == 2
    assert client.get("/api/v1/evaluation/funding", {"year": 2026},
                      headers=bearer(cast.member)).status_code == 403
    r = client.post("/api/v1/evaluation/stars/notice",
                    {"unit": cast.street1.pk, "year": 2026, "kind": "community"},
                    content_type="application/json", headers=bearer(cast.auditor))
    assert r.status_code == 403
    r = client.post("/api/v1/evaluation/stars/notice",
                    {"unit": cast.street1.pk, "year": 2026, "kind": "community"},
                    content_type="application/json", headers=bearer(cast.outsider_secretary))
    assert r.status_code == 404


def test_openapi_documents_evaluation(client, cast):
    schema = client.get("/api/v1/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith("/api/v1/evaluation")]
    assert len(paths) >= 12


@pytest.mark.parametrize(("who", "status"), [
    ("community_secretary", 201), ("auditor", 403), ("outsider_secretary", 404),
    ("member", 404)])
def test_api_self_review_scope(client, cast, who, status):
    r = client.post("/api/v1/evaluation/stars",
                    {"organization": cast.community_a.pk, "year": 2026, "self_score": "88"},
                    content_type="application/json", headers=bearer(getattr(cast, who)))
    assert r.status_code == status


def test_api_stars_list_and_file_scope(client, cast, rating):
    services.rating_self_review(cast.outsider_secretary, cast.community_b, 2026, D(70))
    r = client.get("/api/v1/evaluation/stars", {"year": 2026}, headers=bearer(cast.street_admin))
    assert [x["id"] for x in r.json()["items"]] == [rating.pk]
    for who, status in (("auditor", 403), ("outsider_secretary", 404)):
        r = client.post("/api/v1/evaluation/stars/file",
                        {"unit": cast.street1.pk, "year": 2026, "kind": "community"},
                        content_type="application/json", headers=bearer(getattr(cast, who)))
        assert r.status_code == status


@pytest.mark.parametrize(("who", "status", "saved"), [
    ("district_admin", 302, True), ("auditor", 404, False), ("street_admin", 404, False),
    ("member", 403, False)])
def test_budget_line_page_scope(client, cast, who, status, saved):
    from fengling.evaluation.models import BudgetLine
    client.force_login(getattr(cast, who))
    r = client.post(reverse("evaluation:funding_budget"), {
        "organization": cast.district.pk, "year": 2026, "fund": "work", "amount": "7000000"})
    assert r.status_code == status
    assert BudgetLine.objects.filter(amount=D(7000000)).exists() is saved


def test_disbursement_page(client, cast):
    line = services.budget_line_set(cast.district_admin, cast.district, 2026, "venture",
                                    "4000000")
    url = reverse("evaluation:funding_disburse")
    client.force_login(cast.street_admin)  # the district's line is outside a street's scope
    assert client.post(url, {"line": line.pk, "organization": cast.community_a.pk,
                             "amount": "1000"}).status_code == 404
    client.force_login(cast.district_admin)
    client.post(url, {"line": line.pk, "organization": cast.community_a.pk,
                      "amount": "abc", "paid_on": "2026-05-01"})
    assert not line.disbursements.exists()
    client.post(url, {"line": line.pk, "organization": cast.community_a.pk,
                      "amount": "120000.50", "paid_on": "2026-05-01"})
    r = client.get(reverse("evaluation:funding") + "?year=2026")
    [row] = r.context["budget"]
    assert (row.allocated, row.disbursed, row.remaining) == (
        D("120000.50"), D("120000.50"), D("3879999.50"))


def test_disbursement_to_an_organization_chosen_by_name(client, cast):
    line = services.budget_line_set(cast.district_admin, cast.district, 2026, "venture",
                                    "4000000")
    url = reverse("evaluation:funding_disburse")
    client.force_login(cast.district_admin)
    # What the picker writes when a suggestion is chosen: the name, then the id.
    client.post(url, {"line": line.pk, "organization":
                      f"{cast.branch_b.name} #{cast.branch_b.pk}", "amount": "5000"})
    assert [(d.organization, d.amount) for d in line.disbursements.all()] == [
        (cast.branch_b, D(5000))]
    # A name that names no organization: a message in Chinese, nothing written.
    r = client.post(url, {"line": line.pk, "organization": "不存在的支部", "amount": "5000"},
                    follow=True)
    assert line.disbursements.count() == 1
    assert "您的管理范围内没有名为“不存在的支部”的党组织" in r.content.decode()
    # The page's picker asks for suggestions as one types.
    html = client.get(reverse("evaluation:funding") + "?year=2026").content.decode()
    assert f'hx-get="{reverse("organizations:suggest")}?field=organization"' in html
    assert "组织（ID）" not in html


def test_funding_page_query_count_is_pinned(client, cast, django_assert_num_queries):
    filed(cast)
    services.budget_line_set(cast.district_admin, cast.district, 2026, "work", "7000000")
    client.force_login(cast.district_admin)
    url = reverse("evaluation:funding") + "?year=2026"
    client.get(url)
    with django_assert_num_queries(11) as ctx:
        client.get(url)
    n = len(ctx.captured_queries)
    for i, street in enumerate((cast.street1, cast.street2)):
        org = make_org(street, f"新社区{i}", OrgKind.COMMUNITY, "community")
        r = services.rating_self_review(cast.district_admin, org, 2026, D(90))
        services.rating_score(cast.district_admin, r, manual_entries(2026))
    StarRating.objects.filter(state="scored").update(state="filed", stars=3)
    with django_assert_num_queries(n):
        r = client.get(url)
    assert len(r.context["rows"]) == 5


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-5", "12.345", "1e30", "七百万", ""])
def test_a_budget_that_is_not_an_amount_is_refused_with_a_message(client, cast, amount):
    """Bad input gets a clear message on the form and changes nothing (it was a 500 for
    "NaN" and "Infinity")."""
    from fengling.evaluation.models import BudgetLine
    client.force_login(cast.district_admin)
    r = client.post(reverse("evaluation:funding_budget"), {
        "organization": cast.district.pk, "year": 2026, "fund": "work", "amount": amount})
    assert r.status_code in (200, 302)
    assert not BudgetLine.objects.exists()
    with pytest.raises(services.ValidationError) as error:
        services.budget_line_set(cast.district_admin, cast.district, 2026, "work", amount)
    assert "amount" in error.value.message_dict


@pytest.mark.parametrize("amount", ["NaN", "0", "-1", "0.001"])
def test_a_disbursement_that_is_not_a_positive_amount_is_refused(cast, amount):
    from fengling.evaluation.models import Disbursement
    line = services.budget_line_set(cast.district_admin, cast.district, 2026, "venture", "100")
    with pytest.raises(services.ValidationError):
        services.disburse(cast.district_admin, line, cast.branch_a, amount, dt.date(2026, 5, 1))
    assert not Disbursement.objects.exists()


@pytest.mark.parametrize("score", ["NaN", "-Infinity", "101", "abc"])
def test_a_self_review_score_that_is_not_a_score_is_refused(cast, score):
    with pytest.raises(services.ValidationError) as error:
        services.rating_self_review(cast.branch_secretary, cast.branch_a, 2026, score)
    assert "self_score" in error.value.message_dict
    assert not StarRating.objects.exists()


def test_the_stars_list_pages_keep_the_year_and_kind(client, cast):
    """The next page of 2025's communities is 2025's communities, not this year's list."""
    from fengling.evaluation.views import PAGE_SIZE

    for i in range(PAGE_SIZE + 1):
        org = make_org(cast.street1, f"翻页社区{i}", OrgKind.COMMUNITY, "community")
        services.rating_self_review(cast.street_admin, org, 2025, D(80))
    client.force_login(cast.street_admin)
    body = client.get(reverse("evaluation:stars"),
                      {"year": 2025, "kind": "community"}).content.decode()
    assert "?year=2025&amp;kind=community&amp;page=2" in body


def test_the_rating_page_shows_its_own_years_weights(client, cast, rating):
    """A year whose scheme weighs the basic items 60% and the appraisal 40% says so next
    to the score (it said 70% / 30% whatever the year)."""
    from fengling.evaluation.models import YearScheme

    YearScheme.objects.filter(year=2026).update(basic_share=D("0.60"), appraisal_share=D("0.40"))
    services.rating_score(cast.street_admin, rating, manual_entries(2026))
    client.force_login(cast.street_admin)
    body = client.get(reverse("evaluation:rating", args=[rating.pk])).content.decode()
    assert "× 60% +" in body and "× 40%" in body and "× 70%" not in body

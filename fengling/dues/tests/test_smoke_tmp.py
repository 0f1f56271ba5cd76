import pytest, datetime as dt
from decimal import Decimal
from django.urls import reverse
from fengling.dues import services
pytestmark = pytest.mark.django_db
def test_smoke(client, cast):
    services.dues_profile_set(cast.branch_secretary, cast.member_a, effective_month=dt.date(2026,1,1), category="in_service", income_base=Decimal("4000"))
    services.generate_bills(dt.date.today())
    client.force_login(cast.branch_secretary)
    for url in [reverse("dues:index"), reverse("dues:organization", args=[cast.branch_a.pk]), reverse("dues:member", args=[cast.member_a.pk]), reverse("dues:remittances", args=[cast.branch_a.pk]), reverse("dues:statement", args=[cast.member_a.pk, 2026]), reverse("dues:export", args=[cast.branch_a.pk])]:
        r = client.get(url, follow=True)
        assert r.status_code == 200, (url, r.content[:2000])
    r = client.post(reverse("dues:member_pay", args=[cast.member_a.pk]), {"receipt_number": "A1", "amount": "40.00", "paid_on": dt.date.today().isoformat(), "method": "cash", "months": 1})
    assert r.status_code == 302, r.content.decode()[-3000:]

from fengling.accounts.services import api_token_issue
def test_api_smoke(client, cast):
    h = {"authorization": f"Bearer {api_token_issue(cast.branch_secretary)[0]}"}
    r = client.put(f"/api/v1/dues/profiles/{cast.member_a.pk}", {"effective_month": "2026-01", "category": "in_service", "income_base": "4000"}, content_type="application/json", headers=h)
    assert r.status_code == 200, r.content
    services.generate_bills(dt.date.today())
    for url in ["/api/v1/dues/bills", f"/api/v1/dues/profiles/{cast.member_a.pk}", "/api/v1/dues/payments", f"/api/v1/dues/arrears?organization={cast.branch_a.pk}", f"/api/v1/dues/collection?organization={cast.branch_a.pk}", f"/api/v1/dues/statements/{cast.member_a.pk}"]:
        r = client.get(url, headers=h)
        assert r.status_code == 200, (url, r.content)
        print(url, r.json())
    r = client.post("/api/v1/dues/payments", {"member": cast.member_a.pk, "receipt_number": "Z1", "amount": "40.00", "paid_on": dt.date.today().isoformat(), "method": "cash"}, content_type="application/json", headers=h)
    assert r.status_code == 201, r.content
    print(r.json())
    r = client.post("/api/v1/dues/payments", {"member": cast.member_a.pk, "receipt_number": "Z1", "amount": "40.00", "paid_on": dt.date.today().isoformat(), "method": "cash"}, content_type="application/json", headers=h)
    print(r.status_code, r.json())
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200

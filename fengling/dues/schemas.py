"""API schemas for dues. Money goes out as a decimal string ("40.00", yuan) and comes in as a
string or a number, parsed as Decimal, never a float."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict

from .models import BillStatus, PaymentMethod, Relief
from .rates import ArrearsLevel, Category

Money = Annotated[Decimal, Field(max_digits=12, decimal_places=2, ge=0)]
MonthText = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-03"])]


class Ref(Schema):
    id: int
    name: str


class ProfileOut(Schema):
    effective_month: dt.date
    category: Category
    income_base: Decimal | None
    fixed_amount: Decimal | None
    relief: Relief
    reduced_amount: Decimal | None
    relief_reason: str
    relief_approved_by: str
    relief_approved_on: dt.date | None


class ProfilesOut(Schema):
    member: int
    current: ProfileOut | None
    history: list[ProfileOut]


class ProfileIn(Schema):
    """What the member pays from `effective_month` (YYYY-MM) on."""

    model_config = ConfigDict(extra="forbid")

    effective_month: MonthText
    category: Category
    income_base: Money | None = None
    fixed_amount: Money | None = None
    relief: Relief = Relief.NONE
    reduced_amount: Money | None = None
    relief_reason: str = Field("", max_length=200)
    relief_approved_by: str = Field("", max_length=120)
    relief_approved_on: dt.date | None = None


class BillOut(Schema):
    id: int
    member: Ref
    organization: Ref
    month: dt.date
    category: Category
    income_base: Decimal | None
    amount: Decimal
    status: BillStatus
    receipt_number: str | None = None

    @staticmethod
    def resolve_receipt_number(obj) -> str | None:
        return obj.payment.receipt_number if obj.payment_id else None


class PaymentOut(Schema):
    id: int
    member: Ref
    organization: Ref
    receipt_number: str
    paid_on: dt.date
    method: PaymentMethod
    amount: Decimal
    dues_amount: Decimal
    voluntary_amount: Decimal
    first_month: dt.date | None
    last_month: dt.date | None
    remit_to_central: bool
    note: str


class PaymentIn(Schema):
    """`months` unpaid months are settled, oldest first; the rest of `amount` is voluntary."""

    model_config = ConfigDict(extra="forbid")

    member: int
    receipt_number: str = Field(..., min_length=1, max_length=40)
    amount: Money
    paid_on: dt.date
    method: PaymentMethod
    months: int = Field(1, ge=0, le=24)
    note: str = Field("", max_length=200)


class ArrearsOut(Schema):
    member: Ref
    organization: Ref
    months_owed: int
    oldest_month: dt.date
    amount_owed: Decimal
    level: ArrearsLevel | None


class CollectionRow(Schema):
    organization: Ref
    bills_due: int
    bills_paid: int
    amount_due: Decimal
    amount_paid: Decimal
    rate_percent: Decimal | None
    unassessed: int
    exempt: int


class CollectionOut(Schema):
    first_month: dt.date
    last_month: dt.date
    total: CollectionRow
    children: list[CollectionRow]


class StatementOut(Schema):
    member: Ref
    year: int
    bills: list[BillOut]
    payments: list[PaymentOut]
    total_due: Decimal
    total_paid: Decimal
    voluntary: Decimal
    months_owed: int
    amount_owed: Decimal

"""Masked forms of a member's personal data for lists and read-only views (PIPL)."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    """`13812345678` → `138****5678`: the first three and the last four digits stay.

    Short or odd numbers keep only their last two characters, so that nothing identifying
    is shown in full.
    """
    phone = (phone or "").strip()
    if not phone:
        return ""
    if len(phone) >= 11:
        return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"
    if len(phone) > 4:
        return f"{'*' * (len(phone) - 2)}{phone[-2:]}"
    return "*" * len(phone)

"""Test support shared by every app: factories and the fixed cast (STYLE.md "Tests")."""

"""Print a .env for the demo with freshly generated secrets (used by `make demo`)."""

import secrets

from cryptography.fernet import Fernet

print("# Written by `make demo`. Demo only: generate your own secrets for production.")
print("FENGLING_DEMO=true")
print(f"FENGLING_SECRET_KEY={secrets.token_urlsafe(50)}")
print(f"FENGLING_FIELD_KEY={Fernet.generate_key().decode()}")

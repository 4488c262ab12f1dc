"""An ed25519 key pair in PEM for the tests that sign reports (`--sign`) and check them (`--public-key`)."""

from __future__ import annotations

from pathlib import Path


def ed25519_keys(folder: Path) -> tuple[Path, Path]:
    """`folder/key.pem` (the private key, which signs) and `folder/key.pub` (the public one, which verifies)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    secret, public = folder / "key.pem", folder / "key.pub"
    secret.write_bytes(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))
    public.write_bytes(private.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo))
    return secret, public

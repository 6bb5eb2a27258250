"""Reviewer identity from bearer JWTs: keys from PEM or JWKS, audience and
issuer enforced, symmetric keys refused, claims mapped to entities."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from proctor.service.approvals.auth import Authenticator, AuthError, JwtSettings, JwtVerifier
from proctor.service.config import ConfigError

KEY = ec.generate_private_key(ec.SECP256R1())


def token(**claims: object) -> str:
    body = {"sub": "ivan", "aud": "proctor", "exp": int(time.time()) + 60, **claims}
    return jwt.encode(body, KEY, algorithm="ES256")


@pytest.fixture
def pem(tmp_path: Path) -> Path:
    path = tmp_path / "reviewers.pem"
    path.write_bytes(KEY.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    return path


def test_a_pem_key_verifies_and_claims_map_to_entities(pem: Path) -> None:
    verifier = JwtVerifier(JwtSettings(keys_file=pem, issuer="https://idp.example.org"))
    identity = verifier.verify(token(iss="https://idp.example.org", groups=["privacy-office"]))
    assert identity.reviewer == ("User", "ivan")
    assert identity.groups == frozenset({("Group", "privacy-office")})
    with pytest.raises(AuthError, match=r"(?i)issuer"):
        verifier.verify(token(iss="https://evil.example.org"))
    with pytest.raises(AuthError, match=r"(?i)audience"):
        verifier.verify(token(iss="https://idp.example.org", aud="someone-else"))
    with pytest.raises(AuthError, match="`groups` must be a list"):
        verifier.verify(token(iss="https://idp.example.org", groups={"a": 1}))


def test_unsigned_and_symmetric_tokens_are_refused(pem: Path, tmp_path: Path) -> None:
    verifier = JwtVerifier(JwtSettings(keys_file=pem))
    unsigned = jwt.encode(
        {"sub": "ivan", "aud": "proctor", "exp": int(time.time()) + 60}, "", algorithm="none"
    )
    with pytest.raises(AuthError, match="algorithm"):
        verifier.verify(unsigned)
    hs = jwt.encode(
        {"sub": "ivan", "aud": "proctor", "exp": int(time.time()) + 60}, "s" * 32, algorithm="HS256"
    )
    with pytest.raises(AuthError, match="algorithm"):
        verifier.verify(hs)
    jwks = tmp_path / "oct.json"
    jwks.write_text(
        json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQ", "kid": "x"}]})
    )
    with pytest.raises(ConfigError, match="symmetric"):
        JwtVerifier(JwtSettings(keys_file=jwks))


def test_metadata_without_credentials_is_nobody_and_bad_headers_are_errors(pem: Path) -> None:
    auth = Authenticator(jwt_verifier=JwtVerifier(JwtSettings(keys_file=pem)))
    assert auth.identify([], {}) is None
    with pytest.raises(AuthError, match="Bearer"):
        auth.identify([("authorization", "Basic aXZhbjpwdw==")], {})
    assert auth.identify([("authorization", f"Bearer {token()}")], {}).reviewer == ("User", "ivan")
    no_jwt = Authenticator()
    with pytest.raises(AuthError, match="does not accept bearer tokens"):
        no_jwt.identify([("authorization", f"Bearer {token()}")], {})

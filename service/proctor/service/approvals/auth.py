"""Who is calling: reviewer identity from authentication, never from the
request body (DESIGN §4).

* **Bearer JWT** (``authorization: Bearer …`` metadata), verified with PyJWT
  against public keys from a file (a JWKS document or PEM keys): signature,
  expiry, issuer and audience. The subject claim names the reviewer
  (``User::"<sub>"``); a groups claim may list groups (``Group::"<name>"``).
* **mTLS client certificate** (when the server is started with TLS and a
  client CA): the certificate's common name names the reviewer.

Only asymmetric algorithms are accepted, so a leaked verification key cannot
mint tokens.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from proctor.service.approvals.model import Ref
from proctor.service.config import ConfigError

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")
LEEWAY_SECONDS = 30
MAX_TOKEN_BYTES = 16 * 1024


class AuthError(Exception):
    """Credentials were presented but are not valid; the message is safe to
    return (it never quotes the token)."""


@dataclass(frozen=True, slots=True)
class Identity:
    """An authenticated caller."""

    reviewer: Ref
    # Groups vouched for by the credential (token claims); the bundle's
    # entities may add more.
    groups: frozenset[Ref] = frozenset()
    method: str = "jwt"


@dataclass(frozen=True, slots=True)
class JwtSettings:
    """How bearer tokens are verified and mapped to reviewers."""

    keys_file: Path
    audience: str = "proctor"
    issuer: str = ""
    subject_claim: str = "sub"
    groups_claim: str = "groups"
    reviewer_type: str = "User"
    group_type: str = "Group"


@dataclass
class JwtVerifier:
    """Verifies bearer tokens against keys loaded once from a file."""

    settings: JwtSettings
    _keys: dict[str, Any] = field(init=False, repr=False)
    _anonymous: list[Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._keys, self._anonymous = _load_keys(self.settings.keys_file)

    def verify(self, token: str) -> Identity:
        """The identity a valid token asserts; AuthError otherwise."""
        if len(token) > MAX_TOKEN_BYTES:
            raise AuthError("bearer token is too large")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise AuthError("bearer token is not a JWT") from None
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise AuthError(f"bearer token algorithm must be one of {', '.join(ALGORITHMS)}")
        kid = header.get("kid")
        candidates = [self._keys[kid]] if kid in self._keys else list(self._anonymous)
        if kid is not None and kid not in self._keys and not candidates:
            raise AuthError("bearer token is signed with an unknown key (kid)")
        s = self.settings
        last: jwt.PyJWTError | None = None
        for key in candidates:
            try:
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=[alg],
                    audience=s.audience,
                    issuer=s.issuer or None,
                    leeway=LEEWAY_SECONDS,
                    options={"require": ["exp", "aud", s.subject_claim]},
                )
            except jwt.InvalidSignatureError as exc:
                last = exc
                continue
            except jwt.PyJWTError as exc:
                raise AuthError(f"bearer token rejected: {_why(exc)}") from None
            return self._identity(claims)
        raise AuthError(f"bearer token rejected: {_why(last) if last else 'no key to verify it'}")

    def _identity(self, claims: Mapping[str, Any]) -> Identity:
        s = self.settings
        subject = claims.get(s.subject_claim)
        if not isinstance(subject, str) or not subject:
            raise AuthError(f"bearer token claim `{s.subject_claim}` must be a non-empty string")
        raw_groups = claims.get(s.groups_claim, [])
        if isinstance(raw_groups, str):
            raw_groups = [raw_groups]
        if not isinstance(raw_groups, list) or not all(isinstance(g, str) for g in raw_groups):
            raise AuthError(f"bearer token claim `{s.groups_claim}` must be a list of strings")
        return Identity(
            (s.reviewer_type, subject),
            frozenset((s.group_type, g) for g in raw_groups),
            "jwt",
        )


def _why(exc: jwt.PyJWTError) -> str:
    # PyJWT's messages name the claim, never the token; keep them short.
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


def _load_keys(path: Path) -> tuple[dict[str, Any], list[Any]]:
    """A JWKS document (keys by kid) or one or more PEM public keys."""
    flag = "--reviewer-keys / PROCTOR_REVIEWER_KEYS"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{flag}: cannot read `{path}`: {exc.strerror}") from None
    if text.lstrip().startswith("{"):
        try:
            jwks = jwt.PyJWKSet.from_dict(json.loads(text))
        except (ValueError, jwt.PyJWTError) as exc:
            raise ConfigError(f"{flag}: `{path}` is not a usable JWKS: {_why_any(exc)}") from None
        by_kid: dict[str, Any] = {}
        anonymous: list[Any] = []
        for jwk in jwks.keys:
            if jwk.key_type == "oct":
                raise ConfigError(f"{flag}: `{path}` holds a symmetric key; use public keys only")
            if jwk.key_id:
                by_kid[jwk.key_id] = jwk.key
            else:
                anonymous.append(jwk.key)
        return by_kid, anonymous
    blocks = _pem_blocks(text)
    if not blocks:
        raise ConfigError(f"{flag}: `{path}` holds neither a JWKS nor PEM public keys")
    keys = []
    for block in blocks:
        try:
            keys.append(load_pem_public_key(block.encode()))
        except ValueError:
            raise ConfigError(
                f"{flag}: `{path}` holds a PEM block that is not a public key"
            ) from None
    return {}, keys


def _why_any(exc: Exception) -> str:
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


def _pem_blocks(text: str) -> list[str]:
    blocks, current = [], []
    for line in text.splitlines():
        if line.startswith("-----BEGIN"):
            current = [line]
        elif line.startswith("-----END") and current:
            current.append(line)
            blocks.append("\n".join(current) + "\n")
            current = []
        elif current:
            current.append(line)
    return blocks


@dataclass(frozen=True, slots=True)
class Authenticator:
    """Finds the caller's identity in gRPC metadata and the TLS session."""

    jwt_verifier: JwtVerifier | None = None
    # With mTLS, the client certificate's common name names a reviewer of this type.
    mtls_reviewer_type: str | None = None

    @property
    def configured(self) -> bool:
        """Whether any way of authenticating reviewers is set up."""
        return self.jwt_verifier is not None or self.mtls_reviewer_type is not None

    def identify(
        self,
        metadata: Iterable[tuple[str, Any]],
        auth_context: Mapping[str, Iterable[bytes]],
    ) -> Identity | None:
        """The caller, or None when it presented no credentials. Raises
        AuthError for credentials that are present but invalid."""
        header = next((v for k, v in metadata if k.lower() == "authorization"), None)
        if header is not None:
            if self.jwt_verifier is None:
                raise AuthError("this server does not accept bearer tokens (no --reviewer-keys)")
            text = header.decode() if isinstance(header, bytes) else header
            scheme, _, token = text.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise AuthError("authorization metadata must be `Bearer <token>`")
            return self.jwt_verifier.verify(token.strip())
        if self.mtls_reviewer_type is not None:
            names = list(auth_context.get("x509_common_name") or ())
            if names:
                return Identity((self.mtls_reviewer_type, names[0].decode()), frozenset(), "mtls")
        return None

"""The notifier configuration file (``--notify-config``), strict: unknown
keys, missing keys and unset secrets fail at start-up naming the key.

    review_url: "https://proctor.example.org/approvals/{id}"   # optional
    slack:                                  # optional
      bot_token_env: SLACK_BOT_TOKEN        # secrets: names of env variables
      signing_secret_env: SLACK_SIGNING_SECRET
      users: {U012ABC: 'User::"ivan"'}      # Slack user id -> reviewer
      api_url: https://slack.com/api/       # optional (tests, proxies)
    routes:
      - group: 'Group::"privacy-office"'    # or "*": every approval
        slack: {channel: C0PRIVACY}
        teams: {webhook_url_env: TEAMS_PRIVACY_URL}
        webhook: {url: "https://hooks.example.org/proctor", secret_env: HOOK_SECRET}
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from proctor.service.approvals.model import Ref, parse_ref
from proctor.service.config import ConfigError

SETTING = "--notify-config / PROCTOR_NOTIFY_CONFIG"


@dataclass(frozen=True, slots=True)
class SlackSettings:
    """The Slack app: bot token, signing secret and who is who."""

    bot_token: str = field(repr=False)
    signing_secret: str = field(repr=False)
    users: Mapping[str, Ref]
    api_url: str = "https://slack.com/api/"


@dataclass(frozen=True, slots=True)
class Destination:
    """Where one notification goes: ``kind`` is slack, teams or webhook."""

    kind: str
    target: str  # Slack channel, Teams or webhook URL
    secret: str = field(default="", repr=False)  # webhook HMAC key

    @property
    def key(self) -> str:
        """Stable name for de-duplication and outbox records: a digest, since
        a Teams URL is itself a secret."""
        return f"{self.kind}:{hashlib.sha256(self.target.encode()).hexdigest()[:16]}"


@dataclass(frozen=True, slots=True)
class Route:
    """Destinations for approvals that require ``group`` (None: every approval)."""

    group: Ref | None
    destinations: tuple[Destination, ...]


@dataclass(frozen=True, slots=True)
class NotifyConfig:
    """A parsed notifier configuration."""

    routes: tuple[Route, ...]
    slack: SlackSettings | None = None
    review_url: str = ""

    def destinations_for(self, groups: frozenset[Ref]) -> tuple[Destination, ...]:
        """Every destination routed to any of ``groups``, once each."""
        seen: dict[str, Destination] = {}
        for route in self.routes:
            if route.group is None or route.group in groups:
                for d in route.destinations:
                    seen.setdefault(d.key, d)
        return tuple(seen.values())


def load_notify_config(path: Path, env: Mapping[str, str] | None = None) -> NotifyConfig:
    """Parse and check ``path``; ConfigError names the file and key."""
    environ = os.environ if env is None else env
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{SETTING}: cannot read `{path}`: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML") from None
    top = _mapping(doc, str(path), {"routes"}, {"review_url", "slack"})

    def secret(where: str, name: Any) -> str:
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{where}: must name an environment variable")
        value = environ.get(name, "")
        if not value:
            raise ConfigError(f"{where}: environment variable {name} is not set")
        return value

    slack = None
    if top.get("slack") is not None:
        s = _mapping(
            top["slack"],
            f"{path}: slack",
            {"bot_token_env", "signing_secret_env"},
            {"users", "api_url"},
        )
        users: dict[str, Ref] = {}
        for slack_user, reviewer in _mapping(s.get("users") or {}, f"{path}: slack.users").items():
            users[str(slack_user)] = _ref(reviewer, f"{path}: slack.users.{slack_user}")
        slack = SlackSettings(
            bot_token=secret(f"{path}: slack.bot_token_env", s["bot_token_env"]),
            signing_secret=secret(f"{path}: slack.signing_secret_env", s["signing_secret_env"]),
            users=users,
            api_url=str(s.get("api_url") or "https://slack.com/api/"),
        )
    routes_doc = top["routes"]
    if not isinstance(routes_doc, list):
        raise ConfigError(f"{path}: routes: must be a list")
    routes = []
    for i, item in enumerate(routes_doc):
        where = f"{path}: routes[{i}]"
        r = _mapping(item, where, {"group"}, {"slack", "teams", "webhook"})
        group = None if r["group"] == "*" else _ref(r["group"], f"{where}.group")
        destinations = []
        if r.get("slack") is not None:
            if slack is None:
                raise ConfigError(f"{where}.slack: needs the top-level `slack` section")
            sl = _mapping(r["slack"], f"{where}.slack", {"channel"})
            destinations.append(Destination("slack", str(sl["channel"])))
        if r.get("teams") is not None:
            t = _mapping(r["teams"], f"{where}.teams", {"webhook_url_env"})
            teams_url = secret(f"{where}.teams.webhook_url_env", t["webhook_url_env"])
            destinations.append(Destination("teams", _secret_url(teams_url, where, t)))
        if r.get("webhook") is not None:
            w = _mapping(r["webhook"], f"{where}.webhook", {"url", "secret_env"})
            url = str(w["url"])
            if not url.startswith(("https://", "http://")):
                raise ConfigError(f"{where}.webhook.url: must be an http(s) URL")
            destinations.append(
                Destination("webhook", url, secret(f"{where}.webhook.secret_env", w["secret_env"]))
            )
        if not destinations:
            raise ConfigError(f"{where}: names no destination (slack, teams or webhook)")
        routes.append(Route(group, tuple(destinations)))
    return NotifyConfig(tuple(routes), slack, _review_url(top.get("review_url"), path))


def _secret_url(url: str, where: str, teams: dict[str, Any]) -> str:
    """A Teams webhook URL read from the environment; the URL is a secret,
    so an error names the variable, never the value."""
    if not url.startswith(("https://", "http://")):
        name = teams["webhook_url_env"]
        raise ConfigError(f"{where}.teams.webhook_url_env: {name} is not an http(s) URL")
    return url


def _review_url(value: Any, path: Path) -> str:
    """An http(s) URL with an ``{id}`` placeholder (the approval id), or ""."""
    url = str(value or "")
    if not url:
        return ""
    where = f"{path}: review_url"
    if not url.startswith(("https://", "http://")):
        raise ConfigError(f"{where}: must be an http(s) URL")
    try:
        filled = url.format(id="apr_x")
    except (KeyError, IndexError, ValueError):
        raise ConfigError(f"{where}: the only placeholder allowed is {{id}}") from None
    if filled == url:
        raise ConfigError(f"{where}: must contain {{id}}, the approval id")
    return url


def _mapping(
    value: Any, where: str, required: set[str] | None = None, optional: set[str] | None = None
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: must be a mapping")
    if required is not None:
        allowed = required | (optional or set())
        for key in value:
            if key not in allowed:
                raise ConfigError(
                    f"{where}: unknown key `{key}` (expected {', '.join(sorted(allowed))})"
                )
        for key in sorted(required):
            if key not in value:
                raise ConfigError(f"{where}: missing `{key}`")
    return value


def _ref(value: Any, where: str) -> Ref:
    try:
        return parse_ref(str(value))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None

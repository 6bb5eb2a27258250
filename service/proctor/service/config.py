"""Server settings: one frozen object built from flags and environment
variables, validated at start-up with errors that name the setting."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from proctor.service.errors import ProctorError

DEFAULT_LISTEN = "127.0.0.1:7391"
DEFAULT_POLICIES = "policies"
DEFAULT_DATA_DIR = ".proctor"
DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024
DEFAULT_GRACE_SECONDS = 10.0


class ConfigError(ProctorError):
    """A setting with an unusable value; the message names the flag and variable."""

    code = "invalid_config"


@dataclass(frozen=True, slots=True)
class Setting:
    """A setting's flag, environment variable and help."""

    flag: str
    env: str
    help: str


SETTINGS: Mapping[str, Setting] = {
    "policies": Setting("--policies", "PROCTOR_POLICIES", "policy bundle directory"),
    "listen": Setting(
        "--listen", "PROCTOR_LISTEN", "gRPC listen address HOST:PORT (port 0 picks one)"
    ),
    "data_dir": Setting(
        "--data-dir", "PROCTOR_DATA_DIR", "data directory (embedded store, evidence)"
    ),
    "max_request_bytes": Setting(
        "--max-request-bytes", "PROCTOR_MAX_REQUEST_BYTES", "largest accepted request"
    ),
    "grace_seconds": Setting(
        "--grace-seconds", "PROCTOR_GRACE_SECONDS", "how long shutdown waits for in-flight calls"
    ),
    "drain_seconds": Setting(
        "--drain-seconds",
        "PROCTOR_DRAIN_SECONDS",
        "on shutdown, report NOT_SERVING and keep serving this long before stopping",
    ),
    "watch": Setting("--no-watch", "PROCTOR_WATCH", "reload the bundle when its files change"),
    "mask_key": Setting(
        "--mask-key-file",
        "PROCTOR_MASK_KEY",
        "file holding the hex key (>= 32 hex chars) for hash, tokenize and date_shift "
        "(or the hex key itself in the variable; never on the command line)",
    ),
    "log_level": Setting("--log-level", "PROCTOR_LOG_LEVEL", "debug, info, warning or error"),
    "redis_url": Setting(
        "--redis-url",
        "PROCTOR_REDIS_URL",
        "approval store: redis://, rediss://, unix:// or redis+sentinel:// URL; unset: an "
        "embedded persistent server under the data directory (prefer the variable when the URL "
        "holds a password)",
    ),
    "store_prefix": Setting(
        "--store-prefix",
        "PROCTOR_STORE_PREFIX",
        "prefix of every Redis key (deployments sharing one Redis use different prefixes)",
    ),
    "approval_retention": Setting(
        "--approval-retention",
        "PROCTOR_APPROVAL_RETENTION",
        "how long decided approvals are kept for the audit trail, e.g. 30d",
    ),
    "otlp_endpoint": Setting(
        "--otlp-endpoint",
        "PROCTOR_OTLP_ENDPOINT",
        "OpenTelemetry collector for spans and metrics, e.g. http://collector:4317",
    ),
    "otlp_protocol": Setting(
        "--otlp-protocol", "PROCTOR_OTLP_PROTOCOL", "grpc (default, port 4317) or http (4318)"
    ),
    "evidence_fsync": Setting(
        "--evidence-fsync",
        "PROCTOR_EVIDENCE_FSYNC",
        "when the evidence file is fsync-ed: always, batch (default) or never",
    ),
    "evidence_key_file": Setting(
        "--evidence-key-file",
        "PROCTOR_EVIDENCE_KEY_FILE",
        "Ed25519 private key (PEM) signing evidence checkpoints (default: one created in "
        "<data-dir>/evidence)",
    ),
    "evidence_required": Setting(
        "--evidence-required",
        "PROCTOR_EVIDENCE_REQUIRED",
        "deny every request while audit evidence cannot be recorded",
    ),
    "workers": Setting(
        "--workers",
        "PROCTOR_WORKERS",
        "server processes sharing the port (SO_REUSEPORT): a number, or auto (one per core)",
    ),
    "insecure_dev": Setting(
        "--insecure-dev",
        "PROCTOR_INSECURE_DEV",
        "LOCAL DEVELOPMENT ONLY: reviews name their reviewer without authentication",
    ),
    "reviewer_keys": Setting(
        "--reviewer-keys",
        "PROCTOR_REVIEWER_KEYS",
        "file of public keys (JWKS or PEM) that verify reviewers' bearer JWTs",
    ),
    "reviewer_audience": Setting(
        "--reviewer-audience", "PROCTOR_REVIEWER_AUDIENCE", "required `aud` of reviewer JWTs"
    ),
    "reviewer_issuer": Setting(
        "--reviewer-issuer", "PROCTOR_REVIEWER_ISSUER", "required `iss` of reviewer JWTs"
    ),
    "tls_cert": Setting("--tls-cert", "PROCTOR_TLS_CERT", "server certificate (PEM) for TLS"),
    "tls_key": Setting("--tls-key", "PROCTOR_TLS_KEY", "server private key (PEM) for TLS"),
    "tls_client_ca": Setting(
        "--tls-client-ca",
        "PROCTOR_TLS_CLIENT_CA",
        "CA (PEM) for client certificates: every caller must then present one (mutual TLS), "
        "and its common name names the reviewer",
    ),
    "notify_config": Setting(
        "--notify-config",
        "PROCTOR_NOTIFY_CONFIG",
        "YAML file routing approval notifications to Slack, Teams and webhooks",
    ),
    "http_listen": Setting(
        "--http-listen",
        "PROCTOR_HTTP_LISTEN",
        "HOST:PORT of the HTTP endpoint for Slack's interactive callbacks (off when unset)",
    ),
}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything `proctor serve` needs to run."""

    policies: Path = Path(DEFAULT_POLICIES)
    listen_host: str = "127.0.0.1"
    listen_port: int = 7391
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    grace_seconds: float = DEFAULT_GRACE_SECONDS
    drain_seconds: float = 0.0
    watch: bool = True
    log_level: str = "info"
    # None: MaskingService uses a random per-process key (pseudonyms change
    # on restart), and says so at start-up.
    mask_key: bytes | None = field(default=None, repr=False)
    # Approvals. None: the embedded store under data_dir.
    redis_url: str | None = field(default=None, repr=False)
    store_prefix: str = "proctor"
    approval_retention_seconds: int = 30 * 86400
    insecure_dev: bool = False
    reviewer_keys: Path | None = None
    reviewer_audience: str = "proctor"
    reviewer_issuer: str = ""
    reviewer_type: str = "User"
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_client_ca: Path | None = None
    notify_config: Path | None = None
    http_listen: tuple[str, int] | None = None
    workers: int = 1
    # Set by the supervisor for its workers: several processes share the port.
    reuse_port: bool = False
    # Audit evidence.
    otlp_endpoint: str | None = None
    otlp_protocol: str = "grpc"
    evidence_fsync: str = "batch"
    evidence_key_file: Path | None = None
    evidence_required: bool = False

    @property
    def listen(self) -> str:
        """HOST:PORT as given."""
        host = f"[{self.listen_host}]" if ":" in self.listen_host else self.listen_host
        return f"{host}:{self.listen_port}"


def _bad(name: str, problem: str) -> ConfigError:
    s = SETTINGS[name]
    return ConfigError(f"{s.flag} / {s.env}: {problem}")


def parse_listen(text: str) -> tuple[str, int]:
    """``127.0.0.1:7391``, ``[::1]:7391``, ``localhost:0`` → (host, port)."""
    host, sep, port = text.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise _bad("listen", f"`{text}` is not HOST:PORT (e.g. 127.0.0.1:7391)")
    return host, int(port)


def _positive_int(name: str, text: str) -> int:
    if not text.isdigit() or int(text) <= 0:
        raise _bad(name, f"`{text}` is not a positive whole number")
    return int(text)


def _seconds(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _bad(name, f"`{text}` is not a number of seconds") from None
    if not 0 <= value <= 3600:
        raise _bad(name, f"`{text}` must be between 0 and 3600")
    return value


def _bool(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise _bad(name, f"`{text}` is not true or false")


def build_settings(
    flags: Mapping[str, str | None], env: Mapping[str, str] | None = None
) -> Settings:
    """Flags win over environment variables, which win over defaults."""
    environ = os.environ if env is None else env

    def pick(name: str, default: str) -> str:
        value = flags.get(name)
        if value is not None:
            return value
        return environ.get(SETTINGS[name].env, default)

    host, port = parse_listen(pick("listen", DEFAULT_LISTEN))
    tls = _tls(pick)
    if pick("http_listen", "") and not pick("notify_config", ""):
        raise _bad("http_listen", "serves Slack's interactive callbacks: set --notify-config too")
    level = pick("log_level", "info").lower()
    if level not in ("debug", "info", "warning", "error"):
        raise _bad("log_level", f"`{level}` is not debug, info, warning or error")
    policies = Path(pick("policies", DEFAULT_POLICIES))
    if not policies.is_dir():
        raise _bad("policies", f"`{policies}` is not a directory")
    data_dir = Path(pick("data_dir", DEFAULT_DATA_DIR))
    if data_dir.exists() and not data_dir.is_dir():
        raise _bad("data_dir", f"`{data_dir}` exists and is not a directory")
    return Settings(
        policies=policies,
        listen_host=host,
        listen_port=port,
        data_dir=data_dir,
        max_request_bytes=_positive_int(
            "max_request_bytes", pick("max_request_bytes", str(DEFAULT_MAX_REQUEST_BYTES))
        ),
        grace_seconds=_seconds("grace_seconds", pick("grace_seconds", str(DEFAULT_GRACE_SECONDS))),
        drain_seconds=_seconds("drain_seconds", pick("drain_seconds", "0")),
        watch=_bool("watch", pick("watch", "true")),
        log_level=level,
        mask_key=_hex_key("mask_key", _mask_key_text(flags.get("mask_key_file"), environ)),
        redis_url=pick("redis_url", "") or None,
        store_prefix=_prefix(pick("store_prefix", "proctor")),
        approval_retention_seconds=_duration(
            "approval_retention", pick("approval_retention", "30d")
        ),
        insecure_dev=_bool("insecure_dev", pick("insecure_dev", "false")),
        reviewer_keys=_file("reviewer_keys", pick("reviewer_keys", "")),
        reviewer_audience=pick("reviewer_audience", "proctor"),
        reviewer_issuer=pick("reviewer_issuer", ""),
        tls_cert=tls["tls_cert"],
        tls_key=tls["tls_key"],
        tls_client_ca=tls["tls_client_ca"],
        notify_config=_file("notify_config", pick("notify_config", "")),
        http_listen=_listen("http_listen", pick("http_listen", "")),
        otlp_endpoint=pick("otlp_endpoint", "") or None,
        otlp_protocol=_choice("otlp_protocol", pick("otlp_protocol", "grpc"), ("grpc", "http")),
        evidence_fsync=_choice(
            "evidence_fsync", pick("evidence_fsync", "batch"), ("always", "batch", "never")
        ),
        evidence_key_file=_file("evidence_key_file", pick("evidence_key_file", "")),
        evidence_required=_bool("evidence_required", pick("evidence_required", "false")),
        workers=_workers(pick("workers", "auto")),
        reuse_port=flags.get("reuse_port") == "true",
    )


def _workers(text: str) -> int:
    if text == "auto":
        return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise _bad("workers", f"`{text}` is not auto or a number from 1 to 64")
    return int(text)


def _choice(name: str, text: str, choices: tuple[str, ...]) -> str:
    if text not in choices:
        raise _bad(name, f"`{text}` is not one of {', '.join(choices)}")
    return text


def _file(name: str, text: str) -> Path | None:
    if not text:
        return None
    path = Path(text)
    if not path.is_file():
        raise _bad(name, f"`{text}` is not a file")
    return path


def _prefix(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", text):
        raise _bad("store_prefix", f"`{text}` must be 1-64 letters, digits, `_`, `.` or `-`")
    return text


def _duration(name: str, text: str) -> int:
    m = re.fullmatch(r"(\d+)([smhd])", text.strip())
    if not m or int(m.group(1)) == 0:
        raise _bad(name, f"`{text}` is not a duration like 90s, 15m, 12h or 30d")
    return int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


def _listen(name: str, text: str) -> tuple[str, int] | None:
    if not text:
        return None
    try:
        return parse_listen(text)
    except ConfigError:
        raise _bad(name, f"`{text}` is not HOST:PORT (e.g. 127.0.0.1:7392)") from None


def _tls(pick: Callable[[str, str], str]) -> dict[str, Path | None]:
    files = {name: _file(name, pick(name, "")) for name in ("tls_cert", "tls_key", "tls_client_ca")}
    if (files["tls_cert"] is None) != (files["tls_key"] is None):
        raise _bad("tls_cert", "--tls-cert and --tls-key go together")
    if files["tls_client_ca"] is not None and files["tls_cert"] is None:
        raise _bad("tls_client_ca", "client certificates need TLS: set --tls-cert and --tls-key")
    return files


def _mask_key_text(path: str | None, environ: Mapping[str, str]) -> str:
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise _bad("mask_key", f"cannot read `{path}`: {exc.strerror}") from None
    return environ.get(SETTINGS["mask_key"].env, "").strip()


def _hex_key(name: str, text: str) -> bytes | None:
    if not text:
        return None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise _bad(name, "is not hex (e.g. from `openssl rand -hex 32`)") from None
    if len(key) < 16:
        raise _bad(name, "needs at least 16 bytes (32 hex characters)")
    return key

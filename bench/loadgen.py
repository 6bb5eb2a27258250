"""gRPC load benchmark: Proctor ``Authorize`` against Cerbos ``CheckResources``.

Run from the repository root after ``bash bench/setup.sh``::

    .venv/bin/python -m bench.loadgen run                  # full: 10 s points, 3 rounds
    .venv/bin/python -m bench.loadgen run --duration 3 --rounds 1 --bundles example
    .venv/bin/python -m bench.loadgen payloads --server proctor --bundle example

What a run does, per bundle (the example bundle, and a generated 2,000-policy
bundle), per round, per server (Cerbos and Proctor alternate, the order flips
every round), one server at a time:

1. start the server on a free loopback port and wait for its gRPC health check;
2. build one request per scenario (``bench/scenarios.py``, ``bench/large_spec.py``)
   with the same meaning on both sides; Cerbos's request type comes from the
   running server through gRPC reflection, so no Cerbos proto is needed here;
3. send each request once with a real gRPC client and check the answer is the
   expected decision (a benchmark of errors is worthless);
4. for each concurrency point, run h2load: one process per connection, each
   posting one of the payload files (h2load sends one body per process); when
   there are more distinct requests than connections, the point's time is split
   into phases so every request gets the same share. c=1 is 1 connection x 1
   stream, c=16 is 4 x 4, c=64 is 8 x 8;
5. read rps and errors from h2load's summary, latency percentiles from its
   per-request log, and server CPU (the process and its descendants, from
   /proc) over the measured window.

The table holds the medians over rounds. This is a benchmark, not a test: it
asserts correctness of the answers, never timing.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import re
import resource
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.protobuf.message import Message

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work"
sys.path.insert(0, str(REPO / "proto"))  # proctor.v1 without an installed package

from bench import large_spec  # noqa: E402
from bench.scenarios import ALLOW, NEEDS_APPROVAL, Ref, Scenario, example_mix  # noqa: E402
from proctor.v1 import decision_pb2, value_pb2  # noqa: E402

PROCTOR_METHOD = "/proctor.v1.DecisionService/Authorize"
CERBOS_SERVICE = "cerbos.svc.v1.CerbosService"
CERBOS_METHOD = f"/{CERBOS_SERVICE}/CheckResources"
HEALTH_METHOD = "/grpc.health.v1.Health/Check"
# c -> (connections, streams per connection), as in shared/PERFORMANCE.md
SHAPES: dict[int, tuple[int, int]] = {1: (1, 1), 16: (4, 4), 64: (8, 8)}
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- wire -----------------------------------------------------------------------


def grpc_frame(message: bytes) -> bytes:
    """A gRPC length-prefixed message: flag 0 (uncompressed), 4-byte BE length."""
    return b"\x00" + len(message).to_bytes(4, "big") + message


def to_value(v: Any) -> value_pb2.Value:
    """Python value -> Cedar Value (list = set, dict = record, Ref = entity)."""
    if isinstance(v, bool):
        return value_pb2.Value(bool_value=v)
    if isinstance(v, int):
        return value_pb2.Value(long_value=v)
    if isinstance(v, str):
        return value_pb2.Value(string_value=v)
    if isinstance(v, Ref):
        return value_pb2.Value(entity_value=value_pb2.EntityRef(type=v.type, id=v.id))
    if isinstance(v, list | tuple | set | frozenset):
        return value_pb2.Value(set_value=value_pb2.ValueSet(values=[to_value(x) for x in v]))
    if isinstance(v, dict):
        return value_pb2.Value(record_value=to_record(v))
    raise TypeError(f"no Cedar value for {type(v).__name__}")


def to_record(d: dict[str, Any]) -> value_pb2.Record:
    return value_pb2.Record(attributes={k: to_value(v) for k, v in d.items()})


def proctor_request(s: Scenario) -> decision_pb2.AuthorizeRequest:
    """The scenario as Proctor sees it: principal and resource as entities."""
    principal = value_pb2.EntityRef(type=s.principal_type, id=s.principal_id)
    resource = value_pb2.EntityRef(type=s.resource_type, id=s.resource_id)
    req = decision_pb2.AuthorizeRequest(
        principal=principal,
        action=value_pb2.EntityRef(type="Action", id=s.action),
        resource=resource,
        context=to_record(s.context),
        entities=[
            value_pb2.Entity(
                uid=principal,
                attributes={k: to_value(v) for k, v in s.principal_attrs.items()},
            ),
            value_pb2.Entity(
                uid=resource,
                attributes={k: to_value(v) for k, v in s.resource_attrs.items()},
                parents=[value_pb2.EntityRef(type=p.type, id=p.id) for p in s.resource_parents],
            ),
        ],
    )
    if s.payload_text is not None:
        req.payload.text = s.payload_text
    return req


@dataclass(frozen=True)
class CerbosTypes:
    """CheckResources request/response classes, built from server reflection."""

    request: type[Message]
    response: type[Message]

    @classmethod
    def from_server(cls, target: str, timeout: float = 10.0) -> CerbosTypes:
        from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

        files: dict[str, descriptor_pb2.FileDescriptorProto] = {}
        with grpc.insecure_channel(target) as channel:
            stub = reflection_pb2_grpc.ServerReflectionStub(channel)

            def ask(req: reflection_pb2.ServerReflectionRequest) -> None:
                for resp in stub.ServerReflectionInfo(iter([req]), timeout=timeout):
                    if resp.HasField("error_response"):
                        raise RuntimeError(f"reflection: {resp.error_response.error_message}")
                    for raw in resp.file_descriptor_response.file_descriptor_proto:
                        fdp = descriptor_pb2.FileDescriptorProto.FromString(raw)
                        files.setdefault(fdp.name, fdp)

            ask(reflection_pb2.ServerReflectionRequest(file_containing_symbol=CERBOS_SERVICE))
            while missing := {d for f in files.values() for d in f.dependency} - files.keys():
                for name in sorted(missing):
                    ask(reflection_pb2.ServerReflectionRequest(file_by_filename=name))
                    if name not in files:
                        raise RuntimeError(f"reflection did not return {name}")

        pool = descriptor_pool.DescriptorPool()
        added: set[str] = set()

        def add(name: str) -> None:  # dependencies first
            if name in added:
                return
            added.add(name)
            for dep in files[name].dependency:
                add(dep)
            pool.Add(files[name])

        for name in sorted(files):
            add(name)
        method = pool.FindServiceByName(CERBOS_SERVICE).methods_by_name["CheckResources"]
        return cls(
            request=message_factory.GetMessageClass(method.input_type),
            response=message_factory.GetMessageClass(method.output_type),
        )


def cerbos_request(s: Scenario, types: CerbosTypes) -> Message:
    """The scenario as Cerbos sees it: attributes on principal and resource."""
    body = {
        "requestId": s.name,
        "principal": {
            "id": s.principal_id,
            "roles": list(s.roles),
            "attr": s.cerbos_principal_attrs(),
        },
        "resources": [
            {
                "actions": [s.action],
                "resource": {
                    "kind": s.resource_type,
                    "id": s.resource_id,
                    "attr": s.cerbos_resource_attrs(),
                },
            }
        ],
    }
    return json_format.ParseDict(body, types.request())


# --- checking answers -----------------------------------------------------------


def unary(target: str, method: str, request: bytes, timeout: float = 10.0) -> bytes:
    """One real gRPC call with raw bytes in and out."""
    with grpc.insecure_channel(target) as channel:
        call = channel.unary_unary(
            method,
            request_serializer=lambda b: b,
            response_deserializer=lambda b: b,
        )
        out: bytes = call(request, timeout=timeout)
        return out


def check_proctor(s: Scenario, raw: bytes) -> str | None:
    resp = decision_pb2.AuthorizeResponse.FromString(raw)
    got = decision_pb2.Decision.Name(resp.decision).removeprefix("DECISION_")
    if got != s.expected:
        return f"{s.name}: Proctor said {got} ({resp.reason.code}), expected {s.expected}"
    return None


def check_cerbos(s: Scenario, raw: bytes, types: CerbosTypes) -> str | None:
    resp = json_format.MessageToDict(types.response.FromString(raw))
    results = resp.get("results", [])
    if len(results) != 1:
        return f"{s.name}: Cerbos returned {len(results)} results"
    effect = results[0].get("actions", {}).get(s.action, "EFFECT_UNSPECIFIED")
    want = "EFFECT_ALLOW" if s.expected == ALLOW else "EFFECT_DENY"
    if effect != want:
        return f"{s.name}: Cerbos said {effect}, expected {want} ({s.expected})"
    if results[0].get("validationErrors"):
        return f"{s.name}: Cerbos validation errors {results[0]['validationErrors']}"
    outputs = json.dumps(results[0].get("outputs", []))
    if s.expected == NEEDS_APPROVAL and "needs_approval" not in outputs:
        return f"{s.name}: Cerbos denied without an approval output: {outputs}"
    return None


# --- servers ----------------------------------------------------------------------


def free_port(span: int = 1) -> int:
    """A loopback port p with p..p+span-1 free (Cerbos needs gRPC + HTTP)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port + span > 65535:
            continue
        ok = True
        for p in range(port + 1, port + span):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
        if ok:
            return port
    raise RuntimeError("no free loopback port")


@dataclass
class ServerSpec:
    """How to start one server for one bundle."""

    name: str  # "cerbos" | "proctor" | "floor" | "floor-decide" (bench/floor.py)
    argv: list[str]
    port: int
    method: str
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = REPO
    ready_timeout: float = 120.0

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"


class RunningServer:
    """A server process in its own process group; stopped on exit."""

    def __init__(self, spec: ServerSpec, log_path: Path) -> None:
        self.spec = spec
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("wb")
        self.proc = subprocess.Popen(
            spec.argv,
            cwd=spec.cwd,
            env={**os.environ, **spec.env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def wait_ready(self) -> float:
        """Poll grpc.health.v1 until SERVING; returns seconds taken."""
        from grpc_health.v1 import health_pb2

        start = time.monotonic()
        deadline = start + self.spec.ready_timeout
        ask = health_pb2.HealthCheckRequest(service="").SerializeToString()
        last = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.spec.name} exited with {self.proc.returncode} during start; "
                    f"log:\n{self.tail()}"
                )
            try:
                raw = unary(self.spec.target, HEALTH_METHOD, ask, timeout=1.0)
            except grpc.RpcError as exc:
                if exc.code() == grpc.StatusCode.UNIMPLEMENTED:
                    return time.monotonic() - start  # up, just no health service
                last = f"{exc.code().name}"
            else:
                status = health_pb2.HealthCheckResponse.FromString(raw).status
                if status == health_pb2.HealthCheckResponse.SERVING:
                    return time.monotonic() - start
                last = health_pb2.HealthCheckResponse.ServingStatus.Name(status)
            time.sleep(0.2)
        raise RuntimeError(f"{self.spec.name} not ready after {self.spec.ready_timeout}s ({last})")

    def tail(self, n: int = 30) -> str:
        self._log.flush()
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self._log.close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def proc_cpu_seconds(pid: int) -> float:
    """utime+stime of one live process (0 if it is gone)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def children_cpu_seconds() -> float:
    """CPU of this process's reaped children (here: the h2load processes)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def tree_cpu_seconds(root: int) -> float:
    """utime+stime of ``root`` and every live descendant, plus the time of
    descendants already reaped (cutime+cstime), from /proc/<pid>/stat."""
    stats: dict[int, tuple[int, int]] = {}  # pid -> (ppid, ticks)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        # fields[0] is field 3 (state): ppid=4, utime=14, stime=15, cutime=16, cstime=17
        ppid = int(fields[1])
        ticks = sum(int(x) for x in fields[11:15])
        stats[int(entry)] = (ppid, ticks)
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
            todo += children.get(pid, [])
    return total / CLK_TCK


def machine_cpu() -> tuple[float, float]:
    """Machine-wide (busy, steal) CPU seconds from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq) / CLK_TCK, steal / CLK_TCK


# --- h2load -----------------------------------------------------------------------


@dataclass(frozen=True)
class PayloadFile:
    scenario: Scenario
    path: Path
    response_frame_len: int  # bytes of a checked answer's DATA (5-byte prefix + message)


@dataclass
class H2Result:
    requests_done: int = 0
    succeeded: int = 0
    failed: int = 0
    errored: int = 0
    timeout: int = 0
    non_2xx: int = 0
    data_bytes: int = 0  # measured window, frames included, headers excluded
    rps: float = 0.0


SUMMARY_PATTERNS = {
    "rps": re.compile(r"finished in [\d.]+\w+, ([\d.]+) req/s"),
    "requests": re.compile(
        r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
        r"(\d+) failed, (\d+) errored, (\d+) timeout"
    ),
    "status": re.compile(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx"),
    # h2load 1.52 resets "total" and "headers" after the warm-up but not "data",
    # so the body bytes of the measured window are total - headers.
    "traffic": re.compile(r"traffic: [\d.]+\w* \((\d+)\) total, [\d.]+\w* \((\d+)\) headers"),
}


def parse_h2load(out: str) -> H2Result:
    r = H2Result()
    if m := SUMMARY_PATTERNS["rps"].search(out):
        r.rps = float(m.group(1))
    if m := SUMMARY_PATTERNS["requests"].search(out):
        _, _, done, ok, failed, errored, timeout = (int(x) for x in m.groups())
        r.requests_done, r.succeeded, r.failed, r.errored, r.timeout = (
            done,
            ok,
            failed,
            errored,
            timeout,
        )
    else:
        raise RuntimeError(f"unexpected h2load output:\n{out}")
    if m := SUMMARY_PATTERNS["status"].search(out):
        r.non_2xx = sum(int(x) for x in m.groups()[1:])
    if m := SUMMARY_PATTERNS["traffic"].search(out):
        r.data_bytes = int(m.group(1)) - int(m.group(2))
    return r


def read_latencies_us(log: Path) -> tuple[list[int], int]:
    """Per-request latencies (µs) from an h2load --log-file (start µs, status,
    µs to the end of the response; h2load 1.52 logs no warm-up requests), and
    how many had an HTTP status other than 200."""
    out: list[int] = []
    bad = 0
    with log.open() as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                out.append(int(parts[2]))
                bad += parts[1] != "200"
    return out, bad


def percentile(sorted_values: Sequence[int], q: float) -> float:
    """Nearest-rank percentile."""
    if not sorted_values:
        return math.nan
    k = max(0, math.ceil(q / 100 * len(sorted_values)) - 1)
    return float(sorted_values[k])


def h2load_argv(
    h2load: str,
    target: str,
    method: str,
    payload: Path,
    *,
    connections: int,
    streams: int,
    duration: float,
    warm_up: float,
    log_file: Path | None,
) -> list[str]:
    argv = [
        h2load,
        "-D",
        f"{round(duration * 1000)}ms",
        f"--warm-up-time={round(warm_up * 1000)}ms",
        "-c",
        str(connections),
        "-m",
        str(streams),
        "-t",
        "1",
        "-H",
        "content-type: application/grpc",
        "-H",
        "te: trailers",
        "-d",
        str(payload),
    ]
    if log_file is not None:
        argv += ["--log-file", str(log_file)]
    return [*argv, f"http://{target}{method}"]


@dataclass
class PointResult:
    server: str
    bundle: str
    c: int
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_us: float
    requests: int
    errors: int  # failed + errored + timeout + non-2xx
    body_ratio: float  # DATA bytes received / (requests x checked answer size)
    client_cores: float  # the h2load processes
    background_cores: float  # everything else that ran: neither server nor h2load
    steal_cores: float  # CPU the hypervisor took
    commands: list[str] = field(default_factory=list)
    error_detail: list[str] = field(default_factory=list)


def run_point(
    server: RunningServer,
    bundle: str,
    payloads: Sequence[PayloadFile],
    c: int,
    *,
    h2load: str,
    duration: float,
    warm_up: float,
    scratch: Path,
) -> PointResult:
    """One concurrency point: phases of parallel h2load processes, one per
    connection, each with one payload; every payload gets an equal share."""
    connections, streams = SHAPES[c]
    phases = math.ceil(len(payloads) / connections)
    phase_s = duration / phases
    total = H2Result()
    expected_data = 0
    latencies: list[int] = []
    cpu = 0.0
    machine_busy = 0.0
    client = 0.0
    steal = 0.0
    measured_s = 0.0
    commands: list[str] = []
    error_detail: list[str] = []
    for phase in range(phases):
        procs: list[tuple[subprocess.Popen[str], Path, PayloadFile]] = []
        reaped0 = children_cpu_seconds()
        for j in range(connections):
            pf = payloads[(phase * connections + j) % len(payloads)]
            log = scratch / f"h2load-{c}-{phase}-{j}.log"
            argv = h2load_argv(
                h2load,
                server.spec.target,
                server.spec.method,
                pf.path,
                connections=1,
                streams=streams,
                duration=phase_s,
                warm_up=warm_up,
                log_file=log,
            )
            commands.append(shlex.join(argv))
            proc = subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            procs.append((proc, log, pf))
        # h2load measures from the end of its warm-up; sample the server's CPU there.
        time.sleep(warm_up)
        cpu0 = tree_cpu_seconds(server.pid)
        busy0, steal0 = machine_cpu()
        # h2load's CPU in the window = its total at exit - what it had used by now
        client_before = sum(proc_cpu_seconds(p.pid) for p, _, _ in procs)
        outs = []
        for proc, _log, _pf in procs:
            out, _ = proc.communicate(timeout=phase_s + warm_up + 60)
            outs.append(out)
        cpu1 = tree_cpu_seconds(server.pid)
        busy1, steal1 = machine_cpu()
        measured_s += phase_s
        cpu += cpu1 - cpu0
        machine_busy += busy1 - busy0
        client += children_cpu_seconds() - reaped0 - client_before
        steal += steal1 - steal0
        for (proc, log, pf), out in zip(procs, outs, strict=True):
            if proc.returncode != 0:
                raise RuntimeError(f"h2load exited with {proc.returncode}:\n{out}")
            r = parse_h2load(out)
            if r.requests_done == 0:
                # h2load exits 0 with no requests when it cannot connect.
                raise RuntimeError(f"h2load made no requests to {server.spec.target}:\n{out}")
            total.requests_done += r.requests_done
            total.succeeded += r.succeeded
            total.failed += r.failed
            total.errored += r.errored
            total.timeout += r.timeout
            total.non_2xx += r.non_2xx
            total.data_bytes += r.data_bytes
            expected_data += r.succeeded * pf.response_frame_len
            if r.failed or r.errored or r.timeout or r.non_2xx:
                summary = [ln for ln in out.splitlines() if ln.startswith(("requests:", "status"))]
                error_detail.append(f"{pf.scenario.name}: " + " | ".join(summary))
            lat, bad = read_latencies_us(log)
            latencies += lat
            total.non_2xx += max(0, bad - r.non_2xx)  # the log as a cross-check
            log.unlink()
    latencies.sort()
    ok = total.succeeded
    return PointResult(
        server=server.spec.name,
        bundle=bundle,
        c=c,
        rps=ok / measured_s if measured_s else 0.0,
        p50_ms=percentile(latencies, 50) / 1000,
        p99_ms=percentile(latencies, 99) / 1000,
        cpu_us=cpu / ok * 1e6 if ok else math.nan,
        requests=ok,
        errors=total.failed + total.errored + total.timeout + total.non_2xx,
        body_ratio=total.data_bytes / expected_data if expected_data else math.nan,
        client_cores=client / measured_s,
        background_cores=max(0.0, machine_busy - cpu - client) / measured_s,
        steal_cores=steal / measured_s,
        commands=commands,
        error_detail=error_detail,
    )


# --- bundles, servers, payloads -----------------------------------------------------


@dataclass(frozen=True)
class Bundle:
    name: str
    proctor_dir: Path
    cerbos_dir: Path
    scenarios: list[Scenario]


def prepare_bundle(name: str, variants: int, email_payload: bool = True) -> Bundle:
    if name == "example":
        mix = example_mix(variants, email_payload=email_payload)
        return Bundle(name, REPO / "policies", BENCH / "cerbos" / "example", mix)
    if name == "large":
        from bench import gen_large_bundle
        from bench.cerbos import gen_large

        base = WORK / "large"
        gen_large_bundle.write(base / "proctor")
        gen_large.write(base / "cerbos")
        return Bundle(
            "large-2000", base / "proctor", base / "cerbos", large_spec.large_mix(variants)
        )
    raise ValueError(f"unknown bundle {name!r} (example, large)")


def find_cerbos() -> str:
    for exe in sorted(WORK.glob("cerbos-*/package/cerbos*")):
        if exe.is_file() and os.access(exe, os.X_OK) and exe.suffix == "":
            return str(exe)
    raise SystemExit("Cerbos binary not found under bench/.work: run `bash bench/setup.sh`")


def cerbos_spec(bundle: Bundle, cerbos: str, log_level: str) -> ServerSpec:
    port = free_port(2)
    argv = [
        cerbos,
        "server",
        f"--config={BENCH / 'cerbos' / 'config.yaml'}",
        f"--set=server.grpcListenAddr=127.0.0.1:{port}",
        f"--set=server.httpListenAddr=127.0.0.1:{port + 1}",
        f"--set=storage.disk.directory={bundle.cerbos_dir}",
        f"--log-level={log_level}",
    ]
    return ServerSpec("cerbos", argv, port, CERBOS_METHOD, env={"CERBOS_NO_TELEMETRY": "1"})


DEFAULT_PROCTOR_CMD = (
    "{proctor} serve --policies {policies} --listen 127.0.0.1:{port} "
    "--data-dir {data_dir} --no-watch"
)
SNAPSHOT_MAIN = """\
# Runs the Proctor CLI from this snapshot (written by bench/loadgen.py).
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path[:0] = [str(here / d) for d in ("service", "proto", "masking")]
from proctor.service.cli import main  # noqa: E402

sys.exit(main())
"""


def snapshot_proctor(dest: Path) -> tuple[str, str]:
    """Copy Proctor's code as it is now into ``dest``; returns the command that
    runs its CLI (so every round of a run measures the same code even while
    the working tree changes) and a content hash of the copy."""
    import hashlib
    import shutil

    if dest.exists():
        shutil.rmtree(dest)
    for part in ("service", "proto", "masking"):
        shutil.copytree(
            REPO / part, dest / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    (dest / "run_proctor.py").write_text(SNAPSHOT_MAIN)
    digest = hashlib.sha256()
    for f in sorted(dest.rglob("*")):
        if f.is_file():
            digest.update(f.relative_to(dest).as_posix().encode() + b"\0" + f.read_bytes())
    return f"{REPO / '.venv' / 'bin' / 'python'} {dest / 'run_proctor.py'}", digest.hexdigest()


def proctor_spec(bundle: Bundle, template: str, data_dir: Path, proctor: str) -> ServerSpec:
    port = free_port()
    argv = shlex.split(
        template.format(
            proctor=proctor,
            venv=REPO / ".venv",
            policies=bundle.proctor_dir,
            port=port,
            data_dir=data_dir,
        )
    )
    return ServerSpec("proctor", argv, port, PROCTOR_METHOD)


def build_payloads(
    server: RunningServer, bundle: Bundle, out_dir: Path
) -> tuple[list[PayloadFile], list[str]]:
    """Write one h2load payload per scenario after checking the server's answer
    to it with a real gRPC client; returns the files and any wrong answers."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.bin"):
        old.unlink()
    target, method = server.spec.target, server.spec.method
    encode: Callable[[Scenario], bytes]
    check: Callable[[Scenario, bytes], str | None]
    if server.spec.name == "cerbos":
        types = CerbosTypes.from_server(target)

        def encode(s: Scenario) -> bytes:
            return cerbos_request(s, types).SerializeToString()

        def check(s: Scenario, raw: bytes) -> str | None:
            return check_cerbos(s, raw, types)
    else:

        def encode(s: Scenario) -> bytes:
            return proctor_request(s).SerializeToString()

        # The floor answers everything alike: only the call itself is checked.
        decides = server.spec.name in ("proctor", "floor-decide")
        check = check_proctor if decides else (lambda s, raw: None)
    files: list[PayloadFile] = []
    problems: list[str] = []
    for i, s in enumerate(bundle.scenarios):
        body = encode(s)
        try:
            raw = unary(target, method, body)
        except grpc.RpcError as exc:
            problems.append(f"{s.name}: {exc.code().name}: {exc.details()}")
            continue
        if problem := check(s, raw):
            problems.append(problem)
        path = out_dir / f"{i:03d}-{s.name}.bin"
        path.write_bytes(grpc_frame(body))
        files.append(PayloadFile(s, path, len(grpc_frame(raw))))
    return files, problems


def recheck(server: RunningServer, files: Sequence[PayloadFile]) -> list[str]:
    """After the load: the same answers again, and the server still alive."""
    problems = []
    for pf in files:
        body = pf.path.read_bytes()[5:]
        try:
            unary(server.spec.target, server.spec.method, body)
        except grpc.RpcError as exc:
            problems.append(f"{pf.scenario.name} after load: {exc.code().name}")
    return problems


# --- report ---------------------------------------------------------------------------


def machine_facts() -> dict[str, str]:
    model = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def tool_version(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return "?"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"


def median_results(results: list[PointResult]) -> dict[tuple[str, str, int], dict[str, Any]]:
    grouped: dict[tuple[str, str, int], list[PointResult]] = {}
    for r in results:
        grouped.setdefault((r.bundle, r.server, r.c), []).append(r)
    out = {}
    for key, rs in grouped.items():
        out[key] = {
            "rps": statistics.median(r.rps for r in rs),
            "p50": statistics.median(r.p50_ms for r in rs),
            "p99": statistics.median(r.p99_ms for r in rs),
            "cpu": statistics.median(r.cpu_us for r in rs),
            "rounds": [round(r.rps) for r in rs],
            "errors": sum(r.errors for r in rs),
            "body": min(r.body_ratio for r in rs),
            "client": statistics.median(r.client_cores for r in rs),
            "bg": max(r.background_cores for r in rs),
        }
    return out


def markdown(
    results: list[PointResult],
    *,
    facts: dict[str, str],
    commands: list[str],
    notes: list[str],
) -> str:
    med = median_results(results)
    bundles = list(dict.fromkeys(r.bundle for r in results))
    servers = list(dict.fromkeys(r.server for r in results))
    cs = sorted({r.c for r in results})
    lines = [
        "| server | bundle | c | rps | p50 ms | p99 ms | CPU µs/request | rps ÷ Cerbos "
        "| CPU ÷ Cerbos | h2load cores | max bg cores | rps per round | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for b in bundles:
        for c in cs:
            base = med.get((b, "cerbos", c))
            for s in servers:
                m = med.get((b, s, c))
                if m is None:
                    continue
                ratio = f"{m['rps'] / base['rps']:.2f}" if base and base["rps"] else "–"
                cpu_ratio = f"{m['cpu'] / base['cpu']:.2f}" if base and base["cpu"] else "–"
                lines.append(
                    f"| {s} | {b} | {c} | {m['rps']:.0f} | {m['p50']:.2f} | {m['p99']:.2f} "
                    f"| {m['cpu']:.0f} | {ratio} | {cpu_ratio} | {m['client']:.2f} "
                    f"| {m['bg']:.2f} "
                    f"| {' / '.join(str(x) for x in m['rounds'])} | {m['errors']} |"
                )
    body_ok = all(r.body_ratio > 0.95 for r in results)
    max_steal = max((r.steal_cores for r in results), default=0.0)
    facts_line = ", ".join(f"{k}: {v}" for k, v in facts.items())
    out = [
        *lines,
        "",
        f"Machine: {facts_line}.",
        "",
        "Errors = h2load failed + errored + timeout + non-2xx responses. gRPC status travels in "
        "trailers, which h2load does not read; instead the DATA bytes received are compared with "
        "requests × the size of the checked answer: "
        + (
            "every point received ≥ 95 % of that (no trailers-only error answers)."
            if body_ok
            else "SOME POINTS RECEIVED LESS, see the raw results (possible gRPC errors)."
        ),
        "",
        "h2load cores: the load generator's CPU during the measured window (median over "
        "rounds). max bg cores: the largest background load seen in any round of the point, "
        "i.e. machine-wide busy CPU minus the server's and h2load's, in cores of 2 (other "
        "work on the machine competes with the server). "
        f"Largest hypervisor steal seen in a point: {max_steal:.2f} cores.",
        "",
        *notes,
        "",
        "Commands:",
        "",
        "```",
        *commands,
        "```",
    ]
    return "\n".join(out) + "\n"


SECTION = "## gRPC Authorize vs Cerbos"


NOTES = "\n### Notes\n"


def write_section(path: Path, text: str) -> None:
    """Replace (or append) this benchmark's section in a shared results file,
    leaving every other section as it is. A hand-written ``### Notes``
    subsection at the end of the old section is kept."""
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    start = old.find(SECTION)
    section = f"{SECTION}\n\n{text}"
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + section
    else:
        nxt = old.find("\n## ", start + len(SECTION))
        end = nxt + 1 if nxt >= 0 else len(old)
        notes = old.find(NOTES, start, end)
        if notes >= 0:
            section = section.rstrip("\n") + "\n" + old[notes:end].rstrip("\n") + "\n"
        rest = old[end:]
        new = old[:start] + section + ("\n" + rest if rest else "")
    path.write_text(new)


# --- commands ---------------------------------------------------------------------------


def start_server(
    which: str, bundle: Bundle, args: argparse.Namespace, scratch: Path
) -> RunningServer:
    if which == "cerbos":
        spec = cerbos_spec(bundle, args.cerbos or find_cerbos(), args.cerbos_log_level)
    elif which == "proctor":
        data_dir = Path(tempfile.mkdtemp(prefix="proctor-data-", dir=scratch))
        proctor = getattr(args, "proctor_exe", None) or str(REPO / ".venv" / "bin" / "proctor")
        spec = proctor_spec(bundle, args.proctor_cmd, data_dir, proctor)
    elif which in ("floor", "floor-decide"):
        port = free_port()
        argv = [str(REPO / ".venv" / "bin" / "python"), "-m", "bench.floor"]
        argv += ["--listen", f"127.0.0.1:{port}"]
        if which == "floor-decide":
            argv += ["--policies", str(bundle.proctor_dir)]
        spec = ServerSpec(which, argv, port, PROCTOR_METHOD)
    else:
        raise ValueError(f"unknown server {which!r}")
    server = RunningServer(spec, WORK / "logs" / f"{which}-{bundle.name}.log")
    try:
        took = server.wait_ready()
    except BaseException:
        server.stop()
        raise
    print(f"  {which} ready in {took:.1f}s on {spec.target} (pid {server.pid})", file=sys.stderr)
    return server


def background_cores(server_pid: int, seconds: float = 1.0) -> float:
    """Cores busy with anything but the (idle) server over a short window."""
    busy0, _ = machine_cpu()
    srv0 = tree_cpu_seconds(server_pid)
    time.sleep(seconds)
    busy1, _ = machine_cpu()
    return max(0.0, (busy1 - busy0) - (tree_cpu_seconds(server_pid) - srv0)) / seconds


def wait_quiet(server_pid: int, limit: float, max_wait: float) -> float:
    """Wait (at most ``max_wait`` s) until the machine's background load is
    below ``limit`` cores; returns the last load seen."""
    deadline = time.monotonic() + max_wait
    load = background_cores(server_pid)
    while load > limit and time.monotonic() < deadline:
        print(f"  waiting for a quiet machine: {load:.2f} cores busy elsewhere", file=sys.stderr)
        time.sleep(4)
        load = background_cores(server_pid)
    return load


def run_clean_point(
    server: RunningServer,
    bundle: str,
    files: Sequence[PayloadFile],
    c: int,
    args: argparse.Namespace,
    scratch: Path,
) -> PointResult:
    """run_point on a quiet machine: wait for quiet first, and run the point
    again (at most ``args.retries`` times) if other work ran during it; keeps
    the attempt with the least background load."""
    best: PointResult | None = None
    for attempt in range(args.retries + 1):
        wait_quiet(server.pid, args.max_background, args.quiet_wait)
        r = run_point(
            server,
            bundle,
            files,
            c,
            h2load=args.h2load,
            duration=args.duration,
            warm_up=args.warm_up,
            scratch=scratch,
        )
        print(
            f"  c={c:<3} rps={r.rps:8.0f} p50={r.p50_ms:6.2f}ms "
            f"p99={r.p99_ms:6.2f}ms cpu={r.cpu_us:6.0f}us/req "
            f"errors={r.errors} body={r.body_ratio:.3f} "
            f"h2load={r.client_cores:.2f} bg={r.background_cores:.2f} "
            f"steal={r.steal_cores:.2f}" + (f" (attempt {attempt + 1})" if attempt else ""),
            file=sys.stderr,
        )
        for detail in r.error_detail:
            print(f"    h2load errors: {detail}", file=sys.stderr)
        if best is None or r.background_cores < best.background_cores:
            best = r
        if r.background_cores <= args.max_background:
            break
    assert best is not None
    return best


def proctor_build() -> str:
    """The Proctor code a server is about to run: commit, and whether the
    working tree differs from it."""
    rev = tool_version(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--", "service", "masking", "proto"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"git {rev}" + (" + uncommitted changes" if dirty else "")


def cmd_run(args: argparse.Namespace) -> int:
    servers = args.servers.split(",")
    cs = [int(c) for c in args.concurrency.split(",")]
    for c in cs:
        if c not in SHAPES:
            raise SystemExit(f"concurrency {c} not one of {sorted(SHAPES)}")
    results: list[PointResult] = []
    server_cmds: dict[str, str] = {}
    h2_examples: dict[tuple[str, int], str] = {}
    failures: list[str] = []
    proctor_builds: list[str] = []
    WORK.mkdir(parents=True, exist_ok=True)
    snapshot_build = ""
    if args.snapshot_proctor and "proctor" in servers:
        args.proctor_exe, digest = snapshot_proctor(WORK / "proctor-snapshot")
        snapshot_build = f"{proctor_build()}, snapshot sha256:{digest[:12]}"
        print(
            f"Proctor snapshot of {snapshot_build} in {WORK / 'proctor-snapshot'}", file=sys.stderr
        )
    with tempfile.TemporaryDirectory(prefix="bench-", dir=WORK) as tmp:
        scratch = Path(tmp)
        for bname in args.bundles.split(","):
            bundle = prepare_bundle(bname, args.variants, not args.email_without_payload)
            for rnd in range(args.rounds):
                order = servers if rnd % 2 == 0 else servers[::-1]
                for which in order:
                    print(
                        f"[{bundle.name}] round {rnd + 1}/{args.rounds}: {which}", file=sys.stderr
                    )
                    if which == "proctor":
                        proctor_builds.append(
                            snapshot_build if args.snapshot_proctor else proctor_build()
                        )
                    with start_server(which, bundle, args, scratch) as server:
                        server_cmds[f"{which} {bundle.name}"] = shlex.join(server.spec.argv)
                        files, problems = build_payloads(
                            server, bundle, scratch / f"payloads-{which}-{bundle.name}"
                        )
                        if problems:
                            failures += problems
                            print("  WRONG ANSWERS:\n  " + "\n  ".join(problems), file=sys.stderr)
                            if not args.keep_going:
                                print(server.tail(), file=sys.stderr)
                                return 1
                        for c in cs:
                            r = run_clean_point(server, bundle.name, files, c, args, scratch)
                            results.append(r)
                            h2_examples.setdefault((which, c), r.commands[0])
                        failures += recheck(server, files)
    facts = machine_facts()
    facts["h2load"] = tool_version([args.h2load, "--version"])
    if "cerbos" in servers:
        facts["cerbos"] = tool_version([args.cerbos or find_cerbos(), "--version"])
    if proctor_builds:
        facts["proctor"] = " then ".join(dict.fromkeys(proctor_builds))
        if len(set(proctor_builds)) > 1:
            failures.append(f"Proctor's code changed during the run: {facts['proctor']}")
    commands = [
        "bash bench/setup.sh",
        "python -m bench.loadgen " + shlex.join(sys.argv[1:]),
        "# servers:",
        *server_cmds.values(),
        "# one h2load per connection (c=1: 1 process -c1 -m1; c=16: 4 x -c1 -m4; "
        "c=64: 8 x -c1 -m8), e.g.:",
        *(h2_examples[k] for k in sorted(h2_examples)),
    ]
    n_requests = 8 * args.variants
    notes = [
        f"Each point: {args.duration:g} s measured after a {args.warm_up:g} s warm-up per h2load "
        f"process; {args.rounds} round(s), servers alternating (order flipped every round), "
        "medians over rounds. One h2load process per connection, each posting one of the "
        f"bundle's {n_requests} distinct requests; with fewer connections than requests the "
        "point is split into equal phases so every request gets the same share of the time. "
        "Latency percentiles from h2load's per-request log (warm-up excluded); CPU = "
        "utime+stime of the server process tree over the measured window ÷ requests. "
        "Each column's median is taken on its own. The machine is shared: before each point "
        f"the run waits (up to {args.quiet_wait:g} s) until less than {args.max_background:g} "
        f"cores are busy elsewhere, and a point disturbed by more is run again (up to "
        f"{args.retries} times), keeping the least disturbed attempt.",
    ]
    if args.email_without_payload and "example" in args.bundles:
        notes.append(
            "Example bundle run with --email-without-payload: the email request carries no "
            "payload, so no PHI scan happens; the bundle treats unscanned email as PHI "
            "(fail closed) and both servers answer NEEDS_APPROVAL / deny-with-approval-output "
            "(this Proctor build could not scan payloads yet)."
        )
    if failures:
        notes.append("Problems seen: " + "; ".join(failures))
    text = markdown(results, facts=facts, commands=commands, notes=notes)
    raw = WORK / "results-raw.json"
    raw.write_text(
        json.dumps([r.__dict__ | {"commands": r.commands[:1]} for r in results], indent=1)
    )
    print(text)
    if args.results:
        write_section(args.results, text)
        print(f"wrote section {SECTION!r} of {args.results}", file=sys.stderr)
    return 1 if failures else 0


def cmd_payloads(args: argparse.Namespace) -> int:
    """Build and check the payload files of one server and bundle, then stop."""
    bundle = prepare_bundle(args.bundle, args.variants, not args.email_without_payload)
    out = args.out or WORK / "payloads" / f"{args.server}-{bundle.name}"
    WORK.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="bench-", dir=WORK) as tmp,
        start_server(args.server, bundle, args, Path(tmp)) as server,
    ):
        files, problems = build_payloads(server, bundle, out)
    for pf in files:
        print(f"{pf.path}  ({pf.path.stat().st_size} bytes, expect {pf.scenario.expected})")
    for p in problems:
        print("WRONG:", p, file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.loadgen", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="cmd", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--variants", type=int, default=1, help="distinct copies of the mix")
        p.add_argument(
            "--email-without-payload",
            action="store_true",
            help="example bundle: the email carries no payload (unscanned counts as PHI: "
            "still NEEDS_APPROVAL); for Proctor builds without payload scanning",
        )
        p.add_argument("--cerbos", help="Cerbos binary (default: found under bench/.work)")
        p.add_argument("--cerbos-log-level", default="warn", help="Cerbos --log-level")
        p.add_argument(
            "--proctor-cmd",
            default=DEFAULT_PROCTOR_CMD,
            help="Proctor start command; {proctor} (the CLI) {venv} {policies} {port} "
            "{data_dir} are filled in",
        )

    run = sub.add_parser("run", help="benchmark servers against each other")
    common(run)
    run.add_argument(
        "--servers",
        default="cerbos,proctor",
        help="cerbos, proctor, floor (an empty grpc.aio handler: grpcio's own per-call cost), "
        "floor-decide (grpcio + Proctor's engine deciding, nothing else)",
    )
    run.add_argument("--bundles", default="example,large", help="example,large")
    run.add_argument("--concurrency", default="1,16,64")
    run.add_argument("--duration", type=float, default=10.0, help="measured seconds per point")
    run.add_argument("--warm-up", type=float, default=1.0, help="h2load warm-up seconds")
    run.add_argument("--rounds", type=int, default=3)
    run.add_argument("--h2load", default="h2load")
    run.add_argument("--results", type=Path, help="write the section into this Markdown file")
    run.add_argument("--keep-going", action="store_true", help="benchmark despite wrong answers")
    run.add_argument(
        "--max-background",
        type=float,
        default=0.15,
        help="cores of other work tolerated during a point before it is run again",
    )
    run.add_argument(
        "--retries", type=int, default=2, help="re-runs of a point disturbed by other work"
    )
    run.add_argument(
        "--snapshot-proctor",
        action="store_true",
        help="run a copy of Proctor's code taken at the start (the working tree may change)",
    )
    run.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="seconds to wait at most for a quiet machine before each point",
    )
    run.set_defaults(func=cmd_run)

    pay = sub.add_parser("payloads", help="build and check h2load payload files")
    common(pay)
    pay.add_argument("--server", choices=("cerbos", "proctor"), required=True)
    pay.add_argument("--bundle", default="example")
    pay.add_argument("--out", type=Path)
    pay.set_defaults(func=cmd_payloads)

    args = parser.parse_args(argv)
    rc: int = args.func(args)
    return rc


if __name__ == "__main__":
    sys.exit(main())

"""Wiring the OpenTelemetry SDK for one instance: a tracer provider that
samples every span, the local evidence log, optional OTLP export (gRPC or
HTTP) with failures counted, and a meter provider.

Nothing is installed globally: the providers are passed to whoever needs
them, so tests and several instances in one process do not interfere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import (
    OTLPMetricExporter as GrpcMetrics,
)
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
    OTLPSpanExporter as GrpcExporter,
)
from opentelemetry.exporter.otlp.proto.http.metric_exporter import (
    OTLPMetricExporter as HttpMetrics,
)
from opentelemetry.exporter.otlp.proto.http.trace_exporter import (
    OTLPSpanExporter as HttpExporter,
)
from opentelemetry.metrics import CallbackOptions, Counter, Observation
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import (
    MetricExporter,
    MetricReader,
    PeriodicExportingMetricReader,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import (
    ReadableSpan,
    SpanProcessor,
    SynchronousMultiSpanProcessor,
    TracerProvider,
)
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ALWAYS_ON

from proctor.service.audit import attributes as A
from proctor.service.audit.auditor import Auditor
from proctor.service.audit.log import EvidenceLog, load_or_create_key
from proctor.service.bundle_store import ReloadStatus

log = logging.getLogger("proctor.audit")


class CountingExporter(SpanExporter):
    """Counts spans an inner exporter failed to deliver (after its own retries)."""

    def __init__(self, inner: SpanExporter, failures: Counter) -> None:
        self._inner = inner
        self._failures = failures
        self.failed = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Export, counting what did not arrive."""
        try:
            result = self._inner.export(spans)
        except Exception as exc:  # an exporter bug must not stop the processor
            log.warning("OTLP export raised %s", type(exc).__name__)
            result = SpanExportResult.FAILURE
        if result != SpanExportResult.SUCCESS:
            self.failed += len(spans)
            self._failures.add(len(spans))
        return result

    def shutdown(self) -> None:
        """Shut the inner exporter down."""
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush the inner exporter."""
        return self._inner.force_flush(timeout_millis)


@dataclass
class Telemetry:
    """The instance's providers, evidence log and auditor."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    auditor: Auditor
    evidence: EvidenceLog | None
    exporters: list[CountingExporter] = field(default_factory=list)

    def observe_bundles(self, status: Callable[[], ReloadStatus]) -> None:
        """Export bundle loads and failed loads as ``proctor.bundle.reloads``."""

        def observe(_options: CallbackOptions) -> list[Observation]:
            st = status()
            return [
                Observation(st.reloads, {"outcome": "ok"}),
                Observation(st.failures, {"outcome": "error"}),
            ]

        self.meter_provider.get_meter("proctor").create_observable_counter(
            A.M_BUNDLE_RELOADS, callbacks=[observe], description="policy bundle loads by outcome"
        )

    def export_failures(self) -> int:
        """Spans OTLP could not deliver."""
        return sum(e.failed for e in self.exporters)

    def shutdown(self) -> None:
        """Flush and stop everything (evidence last: it writes the final checkpoint)."""
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


def otlp_exporter(endpoint: str, protocol: str) -> SpanExporter:
    """An OTLP span exporter (retries with backoff built in)."""
    if protocol == "http":
        url = endpoint.rstrip("/")
        return HttpExporter(endpoint=url if url.endswith("/v1/traces") else f"{url}/v1/traces")
    return GrpcExporter(endpoint=endpoint, insecure=endpoint.startswith("http://"))


def build_telemetry(
    instance: str,
    evidence_dir: Path | None,
    *,
    key_file: Path | None = None,
    fsync: str = "batch",
    otlp_endpoint: str | None = None,
    otlp_protocol: str = "grpc",
    extra_processors: Sequence[SpanProcessor] = (),
    metric_readers: Sequence[MetricReader] = (),
    scrub: Callable[[str], str] | None = None,
) -> Telemetry:
    """Providers for one instance. ``evidence_dir`` None turns the local
    evidence file off (tests that only look at spans)."""
    resource = Resource.create({"service.name": "proctor", "service.instance.id": instance})
    readers = list(metric_readers)
    if otlp_endpoint:
        readers.append(PeriodicExportingMetricReader(_otlp_metrics(otlp_endpoint, otlp_protocol)))
    meters = MeterProvider(resource=resource, metric_readers=readers)
    meter = meters.get_meter("proctor")
    tracers = TracerProvider(resource=resource, sampler=ALWAYS_ON)
    # The same processors also receive the decision spans the auditor makes
    # without the SDK (see DecisionSpan).
    sink = SynchronousMultiSpanProcessor()  # type: ignore[no-untyped-call]
    evidence = None
    if evidence_dir is not None:
        key = load_or_create_key(key_file, evidence_dir)
        evidence = EvidenceLog(evidence_dir, instance, key, fsync=fsync)
        tracers.add_span_processor(evidence)
        sink.add_span_processor(evidence)
    exporters = []
    if otlp_endpoint:
        counting = CountingExporter(
            otlp_exporter(otlp_endpoint, otlp_protocol), meter.create_counter(A.M_EXPORT_FAILURES)
        )
        exporters.append(counting)
        batch = BatchSpanProcessor(counting, max_queue_size=65536)
        tracers.add_span_processor(batch)
        sink.add_span_processor(batch)
    for processor in extra_processors:
        tracers.add_span_processor(processor)
        sink.add_span_processor(processor)
    dropped = meter.create_observable_counter(
        A.M_EVIDENCE_DROPPED,
        callbacks=[
            lambda _options: [Observation(evidence.stats.dropped if evidence is not None else 0)]
        ],
    )
    del dropped
    auditor = Auditor(
        tracers.get_tracer("proctor"),
        meter,
        instance,
        scrub=scrub or (lambda text: text),
        evidence_ok=evidence.healthy if evidence is not None else (lambda: True),
        decision_sink=sink,
        resource=resource,
    )
    return Telemetry(tracers, meters, auditor, evidence, exporters)


def _otlp_metrics(endpoint: str, protocol: str) -> MetricExporter:
    if protocol == "http":
        url = endpoint.rstrip("/")
        return HttpMetrics(endpoint=url if url.endswith("/v1/metrics") else f"{url}/v1/metrics")
    return GrpcMetrics(endpoint=endpoint, insecure=endpoint.startswith("http://"))

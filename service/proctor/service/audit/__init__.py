"""Audit evidence (DESIGN §6): OpenTelemetry spans for every decision and
approval transition, chained and signed into a local evidence file, exported
over OTLP, summarised for auditors."""

"""Proctor's decision point: bundle loading, the engine, the gRPC server and the CLI."""

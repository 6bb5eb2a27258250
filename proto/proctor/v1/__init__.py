"""Generated gRPC/protobuf code for the proctor.v1 wire API (see the .proto files)."""

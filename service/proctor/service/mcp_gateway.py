"""``proctor mcp-gateway``: govern an MCP server an agent cannot be changed
to call Proctor itself.

The gateway speaks MCP on its own stdin/stdout to the client (a desktop
assistant, an agent framework) and to the upstream server (a command it
starts: ``proctor mcp-gateway --mapping m.yaml -- python server.py``; or a
URL: ``--upstream-url https://tools.example.org/mcp``, Streamable HTTP, or
SSE when the URL ends in ``/sse``). It lists the upstream tools unchanged; every
``tools/call`` is first authorized with Proctor — tool name → action,
arguments → resource and context, by a mapping file — and runs only on ALLOW.
NEEDS_APPROVAL waits for reviewers (``wait_seconds``) or answers at once that
approval is pending, with the ticket. The tool's result is masked with the
decision's directives before the client sees it.

Mapping file (YAML)::

    principal: 'Agent::"desktop-assistant"'
    wait_seconds: 0                    # 0: report pending approvals at once
    tools:
      read_record:
        action: read_patient_record
        resource: {type: PatientRecord, arg: record_id}
      export_dataset:
        action: export_patient_data
        resource: {type: Dataset, arg: dataset_id}
        context: {rows: rows, destination: destination}   # attribute: argument
    default:                           # optional; unlisted tools are refused without it
      action: "{tool}"
      resource: {type: McpTool, id: "{tool}"}
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from mcp import types
from mcp.client.session import ClientSession
from mcp.client.sse import sse_client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.server.lowlevel.server import Server
from mcp.server.stdio import stdio_server

from proctor.client import (
    ApprovalDenied,
    ApprovalTimeout,
    AsyncClient,
    Decision,
    Denied,
    InvalidRequest,
    ProctorClientError,
    ResultMasker,
    refusal_message,
)
from proctor.service.config import ConfigError

log = logging.getLogger("proctor.mcp")

SETTING = "--mapping"


@dataclass(frozen=True, slots=True)
class ToolRule:
    """How one tool's call becomes a Proctor request."""

    action: str
    resource_type: str
    resource_arg: str = ""
    resource_id: str = ""
    context: Mapping[str, str] = field(default_factory=dict)  # attribute -> argument
    all_arguments: bool = False

    def request(
        self, tool: str, arguments: Mapping[str, Any]
    ) -> tuple[str, tuple[str, str], dict[str, Any]]:
        """(action, resource, context) for one call; InvalidRequest names the argument."""
        if self.resource_arg:
            if self.resource_arg not in arguments:
                raise InvalidRequest(f"arguments.{self.resource_arg}", "is required by the mapping")
            ident = str(arguments[self.resource_arg])
        else:
            ident = self.resource_id.replace("{tool}", tool)
        if self.all_arguments:
            context = dict(arguments)
        else:
            context = {}
            for attribute, argument in self.context.items():
                if argument in arguments:
                    context[attribute] = arguments[argument]
        return self.action.replace("{tool}", tool), (self.resource_type, ident), context


@dataclass(frozen=True, slots=True)
class GatewayMapping:
    """The parsed mapping file."""

    principal: str
    tools: Mapping[str, ToolRule]
    default: ToolRule | None = None
    wait_seconds: float = 0.0

    def rule(self, tool: str) -> ToolRule | None:
        """The rule for ``tool``, or the default."""
        return self.tools.get(tool, self.default)


def load_mapping(path: Path) -> GatewayMapping:
    """Parse the mapping file strictly (errors name the key)."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{SETTING}: cannot read `{path}`: {exc.strerror}") from None
    except yaml.YAMLError:
        raise ConfigError(f"{SETTING}: `{path}` is not valid YAML") from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{path}: must be a mapping with `principal` and `tools`")
    _keys(doc, str(path), {"principal", "tools"}, {"default", "wait_seconds"})
    tools = doc.get("tools") or {}
    if not isinstance(tools, dict):
        raise ConfigError(f"{path}: tools: must be a mapping of tool name to rule")
    rules = {str(name): _rule(rule, f"{path}: tools.{name}") for name, rule in tools.items()}
    default = _rule(doc["default"], f"{path}: default") if doc.get("default") else None
    wait = doc.get("wait_seconds", 0)
    if not isinstance(wait, int | float) or wait < 0:
        raise ConfigError(f"{path}: wait_seconds: must be a number of seconds ≥ 0")
    return GatewayMapping(str(doc["principal"]), rules, default, float(wait))


def _keys(doc: Mapping[str, Any], where: str, required: set[str], optional: set[str]) -> None:
    for key in doc:
        if key not in required | optional:
            raise ConfigError(f"{where}: unknown key `{key}`")
    for key in sorted(required - set(doc)):
        raise ConfigError(f"{where}: missing `{key}`")


def _rule(doc: Any, where: str) -> ToolRule:
    if not isinstance(doc, dict):
        raise ConfigError(f"{where}: must be a mapping with `action` and `resource`")
    _keys(doc, where, {"action", "resource"}, {"context"})
    resource = doc["resource"]
    if not isinstance(resource, dict):
        raise ConfigError(f"{where}.resource: must be {{type: …, arg: …}} or {{type: …, id: …}}")
    _keys(resource, f"{where}.resource", {"type"}, {"arg", "id"})
    if ("arg" in resource) == ("id" in resource):
        raise ConfigError(f"{where}.resource: give exactly one of `arg` or `id`")
    context = doc.get("context", {})
    all_arguments = context == "arguments"
    if not all_arguments and not isinstance(context, dict):
        raise ConfigError(f"{where}.context: a mapping of attribute: argument, or `arguments`")
    return ToolRule(
        action=str(doc["action"]),
        resource_type=str(resource["type"]),
        resource_arg=str(resource.get("arg", "")),
        resource_id=str(resource.get("id", "")),
        context={} if all_arguments else {str(k): str(v) for k, v in context.items()},
        all_arguments=all_arguments,
    )


class Gateway:
    """Authorizes and masks tool calls between a client and an upstream session."""

    def __init__(
        self, mapping: GatewayMapping, proctor: AsyncClient, upstream: ClientSession
    ) -> None:
        self._mapping = mapping
        self._proctor = proctor
        self._upstream = upstream
        self._masker = ResultMasker()

    async def list_tools(
        self, _ctx: Any, params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        """The upstream's tools, unchanged."""
        return await self._upstream.list_tools(params=params)

    async def call_tool(
        self, _ctx: Any, params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        """Authorize, call upstream, mask."""
        tool, arguments = params.name, dict(params.arguments or {})
        rule = self._mapping.rule(tool)
        if rule is None:
            return _refusal(f"Proctor: tool `{tool}` is not in the gateway's mapping; refused.")
        try:
            action, resource, context = rule.request(tool, arguments)
            decision = await self._decide(action, resource, context)
        except InvalidRequest as exc:
            return _refusal(f"Proctor refused `{tool}`: invalid request ({exc}).")
        except (ApprovalTimeout, ApprovalDenied) as exc:
            return _refusal(refusal_message(tool, None, exc)[0])
        except Denied as exc:
            return _refusal(_denial(tool, exc.decision))
        except ProctorClientError as exc:
            log.error("proctor unavailable for %s: %s", tool, exc.code)
            return _refusal(f"Proctor could not decide `{tool}` ({exc.code}); it did not run.")
        if decision.decision != "ALLOW":
            return _refusal(_denial(tool, decision))
        result = await self._upstream.call_tool(tool, arguments)
        return self._mask(result, decision)

    async def _decide(
        self, action: str, resource: tuple[str, str], context: dict[str, Any]
    ) -> Decision:
        principal = self._mapping.principal
        decision = await self._proctor.authorize(principal, action, resource, context)
        if decision.decision != "NEEDS_APPROVAL" or decision.approval is None:
            return decision
        if decision.approval.status == "APPROVED":  # approved since the last call: use it
            return await self._proctor.authorize(
                principal, action, resource, context, approval_id=decision.approval.id
            )
        if self._mapping.wait_seconds > 0:
            return await self._proctor.require(
                principal, action, resource, context, wait=self._mapping.wait_seconds
            )
        return decision

    def _mask(self, result: types.CallToolResult, decision: Decision) -> types.CallToolResult:
        if not decision.masks:
            return result
        content = [
            c.model_copy(update={"text": self._masker(c.text, decision)})
            if isinstance(c, types.TextContent)
            else c
            for c in result.content
        ]
        structured = result.structured_content
        if isinstance(structured, dict):
            structured = self._masker(
                {
                    k: self._masker(v, decision) if isinstance(v, str) else v
                    for k, v in structured.items()
                },
                decision,
            )
        return result.model_copy(update={"content": content, "structured_content": structured})


def _refusal(text: str) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=True)


def _denial(tool: str, decision: Decision) -> str:
    message, _pending = refusal_message(tool, decision)
    return message


async def run_gateway(
    mapping: GatewayMapping, address: str, command: list[str], upstream_url: str = ""
) -> None:
    """Serve MCP on stdio, governing the upstream started by ``command`` or
    reached at ``upstream_url`` (Streamable HTTP, or SSE for a URL ending in
    ``/sse``)."""
    async with AsyncExitStack() as stack:
        if upstream_url:
            transport = (
                sse_client(upstream_url)
                if upstream_url.rstrip("/").endswith("/sse")
                else streamable_http_client(upstream_url)
            )
            streams = await stack.enter_async_context(transport)
            read, write = streams[0], streams[1]
        else:
            params = StdioServerParameters(command=command[0], args=command[1:])
            read, write = await stack.enter_async_context(stdio_client(params, errlog=sys.stderr))
        upstream = await stack.enter_async_context(ClientSession(read, write))
        await upstream.initialize()
        proctor = await stack.enter_async_context(AsyncClient(address))
        gateway = Gateway(mapping, proctor, upstream)
        server: Server[Any] = Server(
            "proctor-gateway",
            on_list_tools=gateway.list_tools,
            on_call_tool=gateway.call_tool,
        )
        client_read, client_write = await stack.enter_async_context(stdio_server())
        await server.run(client_read, client_write, server.create_initialization_options())

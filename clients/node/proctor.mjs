// A small Proctor client for Node: @grpc/grpc-js + @grpc/proto-loader on the
// project's proto/ files (the contract), nothing generated.
import { fileURLToPath } from "node:url";
import path from "node:path";
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";

const PROTO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../proto");
const definition = protoLoader.loadSync(
  ["proctor/v1/decision.proto", "proctor/v1/approval.proto", "proctor/v1/status.proto"],
  { includeDirs: [PROTO_ROOT], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true },
);
const v1 = grpc.loadPackageDefinition(definition).proctor.v1;

/** `Agent::"care-assistant"` or {type, id} → EntityRef. */
export function entity(ref) {
  if (typeof ref === "object") return { type: ref.type, id: ref.id };
  const m = /^([A-Za-z_][A-Za-z0-9_:]*)::"((?:[^"\\]|\\.)*)"$/.exec(ref.trim());
  if (!m) throw new Error(`not an entity: expected Type::"id"`);
  return { type: m[1], id: m[2].replace(/\\(.)/g, "$1") };
}

/** A JS value → Cedar Value: strings, integers (Long, sent as strings so 64-bit
 * values survive), booleans, arrays (sets), plain objects (records), and
 * {__entity: {type, id}} entity references. */
export function value(v, field = "context") {
  if (typeof v === "boolean") return { bool_value: v };
  if (typeof v === "number" || typeof v === "bigint") {
    if (typeof v === "number" && !Number.isInteger(v)) {
      throw new Error(`${field}: Cedar has no floating-point numbers`);
    }
    return { long_value: String(v) };
  }
  if (typeof v === "string") return { string_value: v };
  if (Array.isArray(v)) return { set_value: { values: v.map((x, i) => value(x, `${field}[${i}]`)) } };
  if (v && typeof v === "object") {
    if (v.__entity) return { entity_value: entity(v.__entity) };
    return { record_value: { attributes: record(v, field) } };
  }
  throw new Error(`${field}: null is not a Cedar value`);
}

export function record(obj, field = "context") {
  return Object.fromEntries(Object.entries(obj).map(([k, x]) => [k, value(x, `${field}.${k}`)]));
}

const strip = (s, prefix) => (s || "").replace(prefix, "");

export class ProctorClient {
  constructor(address = "127.0.0.1:7391", { deadlineMs = 5000 } = {}) {
    const creds = grpc.credentials.createInsecure();
    this.decisions = new v1.DecisionService(address, creds);
    this.approvals = new v1.ApprovalService(address, creds);
    this.status = new v1.StatusService(address, creds);
    this.deadlineMs = deadlineMs;
  }

  #deadline(ms) {
    return { deadline: new Date(Date.now() + (ms ?? this.deadlineMs)) };
  }

  #unary(stub, method, request, metadata = new grpc.Metadata(), ms) {
    return new Promise((resolve, reject) => {
      stub[method](request, metadata, this.#deadline(ms), (err, resp) => {
        if (err) {
          const e = new Error(`${grpc.status[err.code]}: ${err.details}`);
          e.code = grpc.status[err.code];
          e.details = err.details;
          reject(e);
        } else resolve(resp);
      });
    });
  }

  /** Decide one request; resolves to {decision, reason, approval, masks, …}. */
  async authorize({ principal, action, resource, context = {}, approvalId = "", payloadText }) {
    const request = {
      principal: entity(principal),
      action: typeof action === "string" && !action.includes("::") ? { type: "Action", id: action } : entity(action),
      resource: entity(resource),
      context: { attributes: record(context) },
      approval_id: approvalId,
    };
    if (payloadText !== undefined) request.payload = { text: payloadText };
    const resp = await this.#unary(this.decisions, "Authorize", request);
    return {
      decision: strip(resp.decision, "DECISION_"),
      decisionId: resp.decision_id,
      reason: resp.reason,
      policyIds: resp.policy_ids,
      masks: resp.masks,
      approval: resp.approval
        ? { id: resp.approval.id, status: strip(resp.approval.status, "APPROVAL_STATUS_") }
        : null,
    };
  }

  /** Approve or deny; a bearer token for a real server, `reviewer` only for --insecure-dev. */
  async review(approvalId, verdict, reason, { bearerToken, reviewer } = {}) {
    const metadata = new grpc.Metadata();
    if (bearerToken) metadata.add("authorization", `Bearer ${bearerToken}`);
    const request = {
      approval_id: approvalId,
      verdict: verdict === "approve" ? "REVIEW_VERDICT_APPROVE" : "REVIEW_VERDICT_DENY",
      reason,
    };
    if (reviewer) request.reviewer = entity(reviewer);
    const resp = await this.#unary(this.approvals, "Review", request, metadata);
    return { id: resp.approval.id, status: strip(resp.approval.status, "APPROVAL_STATUS_") };
  }

  /** The approval's status on every change, until it settles or the deadline. */
  async *watchApproval(approvalId, deadlineMs = 60000) {
    const call = this.approvals.WatchApproval(
      { approval_id: approvalId }, new grpc.Metadata(), this.#deadline(deadlineMs),
    );
    for await (const update of call) yield strip(update.approval.status, "APPROVAL_STATUS_");
  }

  async getStatus() {
    return this.#unary(this.status, "GetStatus", {});
  }

  close() {
    this.decisions.close();
    this.approvals.close();
    this.status.close();
  }
}

// node --test test/  (PROCTOR_ADDR=host:port of a server started with --insecure-dev)
import { test } from "node:test";
import assert from "node:assert/strict";
import { ProctorClient } from "../proctor.mjs";

const addr = process.env.PROCTOR_ADDR;
const client = new ProctorClient(addr);
test.after(() => client.close());

test("ALLOW and DENY", { skip: !addr && "set PROCTOR_ADDR" }, async () => {
  const allow = await client.authorize({
    principal: 'Agent::"care-assistant"', action: "read_patient_record", resource: 'PatientRecord::"pr-1001"',
  });
  assert.equal(allow.decision, "ALLOW");
  assert.ok(allow.masks.length > 0);
  const deny = await client.authorize({
    principal: 'Agent::"ops-bot"', action: "delete_repository", resource: 'Repository::"ehr-infra"',
  });
  assert.equal(deny.decision, "DENY");
  assert.equal(deny.reason.code, "forbidden_by_policy");
});

test("bad input names the field", { skip: !addr && "set PROCTOR_ADDR" }, async () => {
  await assert.rejects(
    client.authorize({ principal: 'Agent::"care-assistant"', action: "exprot_patient_data", resource: 'Dataset::"x"' }),
    (e) => e.code === "INVALID_ARGUMENT" && e.details.startsWith("action:"),
  );
});

test("the approval loop", { skip: !addr && "set PROCTOR_ADDR" }, async () => {
  const ask = {
    principal: 'Agent::"care-assistant"', action: "export_patient_data", resource: 'Dataset::"oncology-cohort-2026"',
    context: { rows: 4242, destination: "s3://hospital-research/node" },
  };
  const first = await client.authorize(ask);
  assert.equal(first.decision, "NEEDS_APPROVAL");
  const watching = (async () => { const seen = []; for await (const s of client.watchApproval(first.approval.id)) seen.push(s); return seen; })();
  const reviewed = await client.review(first.approval.id, "approve", "ok", { reviewer: 'User::"ivan"' });
  assert.equal(reviewed.status, "APPROVED");
  assert.equal((await watching).at(-1), "APPROVED");
  assert.equal((await client.authorize({ ...ask, approvalId: first.approval.id })).decision, "ALLOW");
  const replay = await client.authorize({ ...ask, approvalId: first.approval.id });
  assert.equal(replay.decision, "DENY");
  assert.equal(replay.reason.code, "approval_consumed");
});

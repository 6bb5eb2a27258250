// node example.mjs --addr 127.0.0.1:7391 [--approve-as 'User::"ivan"']
// Asks to export patient data; with --approve-as (an --insecure-dev server)
// also approves it, waits for APPROVED, proceeds once and shows a replay is denied.
import { ProctorClient } from "./proctor.mjs";

const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const client = new ProctorClient(arg("--addr") ?? "127.0.0.1:7391");
const ask = {
  principal: 'Agent::"care-assistant"',
  action: "export_patient_data",
  resource: 'Dataset::"oncology-cohort-2026"',
  context: { rows: 120, destination: "s3://hospital-research/cohort-2026" },
};
try {
  const first = await client.authorize(ask);
  console.log(`${first.decision}: ${first.reason.message} (ticket ${first.approval?.id})`);
  const reviewer = arg("--approve-as");
  if (reviewer && first.decision === "NEEDS_APPROVAL") {
    const watching = (async () => { let s; for await (s of client.watchApproval(first.approval.id)) ; return s; })();
    await client.review(first.approval.id, "approve", "IRB protocol covers it", { reviewer });
    console.log(`watched to ${await watching}`);
    const granted = await client.authorize({ ...ask, approvalId: first.approval.id });
    console.log(`${granted.decision} (${granted.reason.code})`);
    const replay = await client.authorize({ ...ask, approvalId: first.approval.id });
    console.log(`replay: ${replay.decision} (${replay.reason.code})`);
    process.exitCode = granted.decision === "ALLOW" && replay.decision === "DENY" ? 0 : 1;
  }
} finally {
  client.close();
}

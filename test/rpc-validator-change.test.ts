// Governance through the RPC and the SDK (DESIGN.md §12, docs/governance.md), over the real node of
// test/rpc-harness.ts with the genesis validator set in state: a validator's party proposes a fifth
// validator, two more approve, GET /v1/governance shows the set, the proposal and its approvals,
// the events verify against their transactions (verifyHistory of the SDK), and a party that runs
// no validator is refused with a 409.
import t from "tap";
import { tx } from "../sdk/builders.js";
import { toHex } from "../sdk/bytes.js";
import { LedgerError } from "../sdk/errors.js";
import { nodeCrypto } from "../node/crypto.js";
import { nodeKeyPossessionProof } from "../sdk/transactions/key-possession.js";
import { servedHarness } from "./rpc-harness.js";

const { as } = await servedHarness(t, { governance: true });
const newNode = nodeCrypto.publicKeyFromSeed(new Uint8Array(32).fill(7));

t.test("propose, approve, decide: the set in state grows to five", async (t) => {
  const before = await as("auditor").getGovernance();
  t.same(
    before.governance.validators.map((v) => v.partyId),
    ["bank-a", "bank-b", "customs", "core-enterprise"],
  );
  t.match(before.governance, { version: "0", f: 1, approvalsNeeded: 3 });

  const proposed = await as("bank-a").submit(tx.proposeValidatorChange({ change: "ADD", nodePublicKey: newNode, partyId: "auditor" }));
  const proposalId = proposed.txHash;
  t.equal(proposed.receipt.target, proposalId);
  const open = await as("bank-b").getGovernance({ proposal: proposalId });
  t.match(open.governance.proposal, { proposalId, change: "ADD", partyId: "auditor", nodePublicKey: toHex(newNode), approvals: ["bank-a"], decidedAt: "0" });

  const refused = await as("exporter-hz-textiles")
    .submit(tx.approveValidatorChange({ proposalId }))
    .then(() => undefined, (e: unknown) => e);
  t.ok(refused instanceof LedgerError && refused.code === "UNAUTHORIZED", "a party that runs no validator cannot approve");

  await as("bank-b").submit(tx.approveValidatorChange({ proposalId }));
  const decided = await as("customs").submit(tx.approveValidatorChange({ proposalId }));
  t.match(decided.receipt.events, [
    { type: "validatorChangeApproved", approvals: 3, needed: 3 },
    { type: "validatorSetChanged", change: "ADD", partyId: "auditor", validators: 5, version: 1n },
  ]);
  const after = await as("regulator").getGovernance({ proposal: proposalId, minHeight: decided.height });
  t.equal(after.governance.validators.length, 5);
  t.match(after.governance, { version: "1", f: 1, approvalsNeeded: 3 });
  t.same(after.governance.proposal?.approvals, ["bank-a", "bank-b", "customs"]);
  t.not(after.governance.proposal?.decidedAt, "0");

  const unknown = await as("bank-a")
    .getGovernance({ proposal: "ab".repeat(32) })
    .then(() => undefined, (e: unknown) => e);
  t.ok(unknown instanceof LedgerError && unknown.status === 404, "an unknown proposal is a 404");
});

t.test("ROTATE_KEY through the RPC: the proposal and the events carry the new key, the set keeps the member in its place", async (t) => {
  const rotatedSeed = new Uint8Array(32).fill(8);
  const rotated = nodeCrypto.publicKeyFromSeed(rotatedSeed);
  const { chainId } = await as("auditor").status();
  const newNodeKeyProof = nodeKeyPossessionProof(chainId, "auditor", rotated, (m) => nodeCrypto.sign(rotatedSeed, m));
  t.throws(() => tx.proposeValidatorChange({ change: "ROTATE_KEY", nodePublicKey: newNode, partyId: "auditor", newNodePublicKey: newNode }), { code: "MALFORMED" }, "the new key must differ from the current one");
  const before = await as("auditor").getGovernance();
  await t.rejects(
    as("bank-a").submit(tx.proposeValidatorChange({ change: "ROTATE_KEY", nodePublicKey: newNode, partyId: "auditor", newNodePublicKey: rotated, newNodeKeyProof: newNodeKeyProof.map((b, i) => (i === 0 ? b ^ 1 : b)) })),
    { code: "KEY_NOT_PROVEN", status: 409 },
    "a proof that does not verify under the new key is a rejection on the ledger",
  );
  const proposed = await as("bank-a").submit(tx.proposeValidatorChange({ change: "ROTATE_KEY", nodePublicKey: newNode, partyId: "auditor", newNodePublicKey: rotated, newNodeKeyProof }));
  t.match(proposed.receipt.events, [{ type: "validatorChangeProposed", change: "ROTATE_KEY", nodePublicKey: toHex(newNode), newNodePublicKey: toHex(rotated) }]);
  const proposalId = proposed.txHash;
  const open = await as("auditor").getGovernance({ proposal: proposalId });
  t.match(open.governance.proposal, { proposalId, change: "ROTATE_KEY", partyId: "auditor", nodePublicKey: toHex(newNode), newNodePublicKey: toHex(rotated), approvals: ["bank-a"] });
  await as("bank-b").submit(tx.approveValidatorChange({ proposalId }));
  const decided = await as("customs").submit(tx.approveValidatorChange({ proposalId }));
  t.match(decided.receipt.events, [
    { type: "validatorChangeApproved", approvals: 3, needed: 3 },
    { type: "validatorSetChanged", change: "ROTATE_KEY", partyId: "auditor", nodePublicKey: toHex(newNode), newNodePublicKey: toHex(rotated), validators: 5 },
  ]);
  const after = await as("regulator").getGovernance({ minHeight: decided.height });
  t.same(
    after.governance.validators.map((v) => [v.partyId, v.nodePublicKey]),
    before.governance.validators.map((v, i) => [v.partyId, i === 4 ? toHex(rotated) : v.nodePublicKey]),
    "the auditor's validator keeps replica 4 with the new key; the others unchanged",
  );
  t.equal(toHex(newNode), before.governance.validators[4]!.nodePublicKey);
});

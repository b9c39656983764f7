// Governance (DESIGN.md §12, docs/governance.md), the ledger part: proposeValidatorChange and
// approveValidatorChange through the real applyTx on an in-memory chain whose genesis holds the
// validator set. Who may propose and approve, 2f + 1 of the current set, a change that no longer
// applies when decided, approvals weighed against the set as it is when counted, and the worked
// example of docs/governance.md (4 -> 5 -> 7 -> 6).
import t from "tap";
import { tx } from "../sdk/builders.js";
import { toHex } from "../sdk/bytes.js";
import { approvalsNeeded, getValidatorProposal, getValidatorSet, type ValidatorMember } from "../node/ledger/governance.js";
import { CHAIN_ID, TestChain, h32, makeParty, nodeKeyProof, pk32, type TestParty } from "./ledger-harness.js";
import { keyPossessionProof } from "../sdk/transactions/key-possession.js";
import { nodeCrypto } from "../node/crypto.js";

const banks = ["bank-a", "bank-b", "customs", "core"].map((id, i) => makeParty(id, i === 2 ? "CUSTOMS" : i === 3 ? "ENTERPRISE" : "BANK"));
const newcomers = ["bank-e", "bank-f", "bank-g"].map((id) => makeParty(id, "BANK"));
const node = (id: string) => pk32(`node/${id}`);
const member = (p: TestParty): ValidatorMember => ({ partyId: p.id, nodePublicKey: node(p.id) });

function chain(): TestChain {
  return new TestChain([...banks, ...newcomers, makeParty("exporter", "ENTERPRISE")], { validators: banks.map(member) });
}

const setOf = (c: TestChain) => getValidatorSet(c.state)!.members.map((m) => m.partyId);

/** Proposes with the first signer and approves with the rest; returns the proposal id and the last receipt. */
function decide(c: TestChain, change: "ADD" | "REMOVE", who: TestParty, signers: string[]) {
  const proposed = c.submit(signers[0]!, tx.proposeValidatorChange({ change, nodePublicKey: node(who.id), partyId: who.id }));
  if (proposed.code !== "OK") throw new Error(`propose: ${proposed.code} ${proposed.message}`);
  const id = proposed.target;
  let last = proposed;
  for (const s of signers.slice(1)) last = c.submit(s, tx.approveValidatorChange({ proposalId: id }));
  return { id, last };
}

t.test("approvals needed: 2f + 1 of the current set", async (t) => {
  t.same([4, 5, 6, 7, 10].map(approvalsNeeded), [3, 3, 3, 5, 7]);
});

t.test("a fifth bank joins: proposed by one validator party, decided by the third approval", async (t) => {
  const c = chain();
  const e = newcomers[0]!;
  const proposed = c.submit("bank-a", tx.proposeValidatorChange({ change: "ADD", nodePublicKey: node(e.id), partyId: e.id }));
  t.equal(proposed.code, "OK", proposed.message);
  const id = proposed.target;
  t.equal(id, toHex(proposed.txHash), "the proposal's id is its transaction's hash");
  t.match(proposed.events, [{ type: "validatorChangeProposed", proposalId: id, change: "ADD", partyId: e.id, proposer: "bank-a" }]);
  t.same(getValidatorProposal(c.state, id)?.approvals, ["bank-a"], "the proposer's approval counts");

  const second = c.submit("bank-b", tx.approveValidatorChange({ proposalId: id }));
  t.match(second.events, [{ type: "validatorChangeApproved", approver: "bank-b", approvals: 2, needed: 3 }]);
  t.equal(second.events.length, 1, "two of four: not decided");
  t.same(setOf(c), ["bank-a", "bank-b", "customs", "core"]);

  const again = c.submit("bank-b", tx.approveValidatorChange({ proposalId: id }));
  t.match(again, { code: "INVALID_STATE", message: /already approved/ });

  const third = c.submit("customs", tx.approveValidatorChange({ proposalId: id }));
  t.equal(third.code, "OK", third.message);
  t.match(third.events, [
    { type: "validatorChangeApproved", approvals: 3, needed: 3 },
    { type: "validatorSetChanged", proposalId: id, change: "ADD", partyId: e.id, validators: 5, version: 1n },
  ]);
  t.same(setOf(c), ["bank-a", "bank-b", "customs", "core", "bank-e"], "the newcomer is replica 4");
  t.equal(getValidatorProposal(c.state, id)?.decidedAt, c.height, "decided at this block's height");

  const late = c.submit("core", tx.approveValidatorChange({ proposalId: id }));
  t.match(late, { code: "INVALID_STATE", message: /was decided/ });
});

t.test("who may propose and approve: a current validator's party only", async (t) => {
  const c = chain();
  const e = newcomers[0]!;
  t.match(c.submit("exporter", tx.proposeValidatorChange({ change: "ADD", nodePublicKey: node(e.id), partyId: e.id })), { code: "UNAUTHORIZED", message: /runs no current validator/ });
  t.match(c.submit("bank-e", tx.proposeValidatorChange({ change: "ADD", nodePublicKey: node(e.id), partyId: e.id })), { code: "UNAUTHORIZED" }, "not even the newcomer itself");
  const { id } = decide(c, "ADD", e, ["bank-a"]);
  t.match(c.submit("exporter", tx.approveValidatorChange({ proposalId: id })), { code: "UNAUTHORIZED" });
  t.match(c.submit("bank-a", tx.approveValidatorChange({ proposalId: "ab".repeat(32) })), { code: "NOT_FOUND" });
});

t.test("a change must apply: no known party, a key already in the set, a member that is not, a set below four", async (t) => {
  const c = chain();
  t.match(c.submit("bank-a", tx.proposeValidatorChange({ change: "ADD", nodePublicKey: node("ghost"), partyId: "ghost" })), { code: "UNKNOWN_PARTY" });
  t.match(c.submit("bank-a", tx.proposeValidatorChange({ change: "ADD", nodePublicKey: node("bank-b"), partyId: "bank-e" })), { code: "INVALID_STATE", message: /already a validator/ });
  t.match(c.submit("bank-a", tx.proposeValidatorChange({ change: "REMOVE", nodePublicKey: node("bank-e"), partyId: "bank-e" })), { code: "NOT_FOUND" });
  t.match(c.submit("bank-a", tx.proposeValidatorChange({ change: "REMOVE", nodePublicKey: node("bank-b"), partyId: "bank-a" })), { code: "NOT_FOUND" }, "key and party must match");
  t.match(c.submit("bank-a", tx.proposeValidatorChange({ change: "REMOVE", nodePublicKey: node("core"), partyId: "core" })), { code: "INVALID_STATE", message: /at least 4/ });
});

t.test("two proposals for the same key: the second no longer applies when decided", async (t) => {
  const c = chain();
  const e = newcomers[0]!;
  const first = decide(c, "ADD", e, ["bank-a", "bank-b"]);
  const second = decide(c, "ADD", e, ["customs", "core"]);
  t.equal(c.submit("customs", tx.approveValidatorChange({ proposalId: first.id })).code, "OK");
  t.equal(setOf(c).length, 5);
  const stale = c.submit("bank-a", tx.approveValidatorChange({ proposalId: second.id }));
  t.match(stale, { code: "INVALID_STATE", message: /no longer applies: that node key is already/ });
  t.equal(setOf(c).length, 5, "nothing changed");
});

t.test("approvals are weighed against the set as it is when counted", async (t) => {
  const c = chain();
  const [e, f, g] = newcomers as [TestParty, TestParty, TestParty];
  decide(c, "ADD", e, ["bank-a", "bank-b", "customs"]);
  decide(c, "ADD", f, ["bank-a", "bank-b", "customs"]); // n = 5: 2f + 1 = 3
  t.equal(setOf(c).length, 6);
  // n = 6 still has f = 1: three approvals decide; with the seventh, f = 2 and five are needed
  const third = decide(c, "ADD", g, ["bank-a", "bank-b", "customs"]);
  t.match(third.last.events, [{ type: "validatorChangeApproved", needed: 3 }, { type: "validatorSetChanged", validators: 7 }]);
  // a removal at n = 7 needs five; an approval by a party removed meanwhile would not count
  const removal = decide(c, "REMOVE", banks[3]!, ["bank-e", "bank-f", "bank-g", "bank-a"]);
  t.match(removal.last.events, [{ type: "validatorChangeApproved", approvals: 4, needed: 5 }]);
  const decided = c.submit("bank-b", tx.approveValidatorChange({ proposalId: removal.id }));
  t.match(decided.events, [{ approvals: 5, needed: 5 }, { type: "validatorSetChanged", change: "REMOVE", partyId: "core", validators: 6, version: 4n }]);
  t.same(setOf(c), ["bank-a", "bank-b", "customs", "bank-e", "bank-f", "bank-g"]);
  // a proposal core approved before its removal: its approval no longer counts
  const open = decide(c, "REMOVE", e, ["bank-a"]);
  const proposal = getValidatorProposal(c.state, open.id)!;
  t.same(proposal.approvals, ["bank-a"]);
  t.match(c.submit("core", tx.approveValidatorChange({ proposalId: open.id })), { code: "UNAUTHORIZED" }, "a removed validator's party approves nothing");
});

t.test("a chain whose genesis has no validator set in state refuses governance", async (t) => {
  const c = new TestChain([...banks, ...newcomers]);
  t.match(c.submit("bank-a", tx.proposeValidatorChange({ change: "ADD", nodePublicKey: node("bank-e"), partyId: "bank-e" })), { code: "INVALID_STATE", message: /no validator set/ });
});

t.test("where a decided set takes over: switchAt, the end of the deciding block's epoch", async (t) => {
  const c = chain();
  t.equal(getValidatorSet(c.state)?.switchAt, 0n, "the genesis set runs from 0");
  const [e, f] = newcomers as [TestParty, TestParty];
  decide(c, "ADD", e, ["bank-a", "bank-b", "customs"]);
  const h1 = c.height;
  // defaults K = 10, L = 40: the first checkpoint at or after the block, plus the window
  const expected = ((h1 + 9n) / 10n) * 10n + 40n;
  t.equal(getValidatorSet(c.state)?.switchAt, expected, `decided at ${h1}: switch after ${expected}`);
  decide(c, "ADD", f, ["bank-a", "bank-b", "customs"]);
  t.ok(c.height <= expected);
  t.equal(getValidatorSet(c.state)?.switchAt, expected, "a second change decided before the switch takes effect with the first");
  t.equal(getValidatorSet(c.state)?.version, 2n);
  // a change decided after the switch seq gets its own end
  while (c.height < expected) c.submit("bank-a", tx.anchorDocument({ documentHash: pk32(`doc-${c.height}`), documentType: "PACKING_LIST" }));
  decide(c, "REMOVE", f, ["bank-a", "bank-b", "customs"]);
  const h3 = c.height;
  t.equal(getValidatorSet(c.state)?.switchAt, ((h3 + 9n) / 10n) * 10n + 40n);
});

t.test("ROTATE_KEY: one decision replaces a validator's node key in its place; n, f and its party stay", async (t) => {
  const c = chain();
  const b = banks[1]!;
  const fresh = pk32("node/bank-b/2027");
  const proof = nodeKeyProof("node/bank-b/2027", b.id);
  // format: the new key and its proof are required for ROTATE_KEY, refused for the other kinds, and the key must differ from the current one
  t.match(c.run(c.signRaw("bank-a", { type: "proposeValidatorChange", change: "ROTATE_KEY", nodePublicKey: node(b.id), partyId: b.id })), { code: "MALFORMED", message: /newNodePublicKey/ });
  t.match(c.run(c.signRaw("bank-a", { type: "proposeValidatorChange", change: "ROTATE_KEY", nodePublicKey: node(b.id), partyId: b.id, newNodePublicKey: node(b.id), newNodeKeyProof: proof })), { code: "MALFORMED", message: /differ/ });
  t.match(c.run(c.signRaw("bank-a", { type: "proposeValidatorChange", change: "ROTATE_KEY", nodePublicKey: node(b.id), partyId: b.id, newNodePublicKey: fresh })), { code: "MALFORMED", message: /newNodeKeyProof: a ROTATE_KEY carries the new key's possession proof/ });
  t.match(c.run(c.signRaw("bank-a", { type: "proposeValidatorChange", change: "ROTATE_KEY", nodePublicKey: node(b.id), partyId: b.id, newNodePublicKey: fresh, newNodeKeyProof: proof.subarray(0, 63) })), { code: "MALFORMED", message: /newNodeKeyProof/ });
  t.match(c.run(c.signRaw("bank-a", { type: "proposeValidatorChange", change: "ADD", nodePublicKey: fresh, partyId: "bank-e", newNodePublicKey: pk32("x") })), { code: "MALFORMED", message: /only a ROTATE_KEY/ });
  t.match(c.run(c.signRaw("bank-a", { type: "proposeValidatorChange", change: "ADD", nodePublicKey: fresh, partyId: "bank-e", newNodeKeyProof: proof })), { code: "MALFORMED", message: /only a ROTATE_KEY carries/ });
  t.throws(() => tx.proposeValidatorChange({ change: "ROTATE_KEY", nodePublicKey: node(b.id), partyId: b.id }), /newNodePublicKey/, "the builder runs the same check");
  t.throws(() => tx.proposeValidatorChange({ change: "ROTATE_KEY", nodePublicKey: node(b.id), partyId: b.id, newNodePublicKey: fresh }), /newNodeKeyProof/, "and asks for the proof");
  // the rule: the validator is the party's, the new key is no validator's
  t.match(c.submit("bank-a", tx.proposeValidatorChange({ change: "ROTATE_KEY", nodePublicKey: node(b.id), partyId: "bank-a", newNodePublicKey: fresh, newNodeKeyProof: proof })), { code: "NOT_FOUND" }, "bank-b's validator is not bank-a's");
  t.match(c.submit("bank-a", tx.proposeValidatorChange({ change: "ROTATE_KEY", nodePublicKey: node(b.id), partyId: b.id, newNodePublicKey: node("customs"), newNodeKeyProof: nodeKeyProof("node/customs", b.id) })), { code: "INVALID_STATE", message: /already a validator's/ });
  // the proof: signed by the new key, for this validator's party, on this chain, under the node-key domain
  const notProven = (newNodeKeyProof: Uint8Array, what: string) =>
    t.match(c.submit("bank-a", tx.proposeValidatorChange({ change: "ROTATE_KEY", nodePublicKey: node(b.id), partyId: b.id, newNodePublicKey: fresh, newNodeKeyProof })), { code: "KEY_NOT_PROVEN", message: /possession proof does not verify under the new node key for bank-b's validator/ }, what);
  notProven(nodeKeyProof("node/bank-b/other", b.id), "signed by another key");
  notProven(nodeKeyProof("node/bank-b/2027", "customs"), "made for another party's validator (a proof seen in one proposal cannot move that key to another validator)");
  notProven(nodeKeyProof("node/bank-b/2027", b.id, "tradeledger-other-chain"), "made on another chain");
  notProven(keyPossessionProof(CHAIN_ID, b.id, h32("key/node/bank-b/2027"), nodeCrypto).proof, "a party-key possession proof of the same key (another domain)");
  const flipped = proof.slice();
  flipped[10] = flipped[10]! ^ 1;
  notProven(flipped, "altered");

  const proposed = c.submit("bank-a", tx.proposeValidatorChange({ change: "ROTATE_KEY", nodePublicKey: node(b.id), partyId: b.id, newNodePublicKey: fresh, newNodeKeyProof: proof }));
  t.equal(proposed.code, "OK", proposed.message);
  const id = proposed.target;
  t.match(proposed.events, [{ type: "validatorChangeProposed", change: "ROTATE_KEY", partyId: b.id, nodePublicKey: node(b.id), newNodePublicKey: fresh }]);
  t.same(getValidatorProposal(c.state, id)?.newNodePublicKey, fresh, "the proposal keeps the new key");
  // a rival rotation of the same key, to another key, proposed meanwhile
  const rival = c.submit("customs", tx.proposeValidatorChange({ change: "ROTATE_KEY", nodePublicKey: node(b.id), partyId: b.id, newNodePublicKey: pk32("node/bank-b/rival"), newNodeKeyProof: nodeKeyProof("node/bank-b/rival", b.id) }));
  t.equal(rival.code, "OK", rival.message);

  c.submit("bank-b", tx.approveValidatorChange({ proposalId: id }));
  const before = getValidatorSet(c.state)!;
  const decided = c.submit("customs", tx.approveValidatorChange({ proposalId: id }));
  t.equal(decided.code, "OK", decided.message);
  t.match(decided.events, [
    { type: "validatorChangeApproved", approvals: 3, needed: 3 },
    { type: "validatorSetChanged", proposalId: id, change: "ROTATE_KEY", partyId: b.id, nodePublicKey: node(b.id), newNodePublicKey: fresh, validators: 4, version: 1n },
  ]);
  const after = getValidatorSet(c.state)!;
  t.same(after.members.map((m) => m.partyId), ["bank-a", "bank-b", "customs", "core"], "bank-b keeps its place (replica 1)");
  t.same(toHex(after.members[1]!.nodePublicKey), toHex(fresh), "with the new key");
  t.same(after.members.filter((_, i) => i !== 1), before.members.filter((_, i) => i !== 1), "the others unchanged");
  t.same(after.runningMembers, before.members, "the old key keeps signing until the switch (the running set)");
  t.ok(after.switchAt >= c.height, "at the end of the deciding block's epoch");

  // the rival names the retired key: it no longer applies when decided
  c.submit("bank-a", tx.approveValidatorChange({ proposalId: rival.target }));
  t.match(c.submit("core", tx.approveValidatorChange({ proposalId: rival.target })), { code: "NOT_FOUND", message: /no longer applies/ });
  // the retired key cannot come back while it still runs (until the switch), and nobody else's key may take the new one
  t.match(c.submit("bank-a", tx.proposeValidatorChange({ change: "ADD", nodePublicKey: fresh, partyId: "bank-e" })), { code: "INVALID_STATE" });
  t.match(c.submit("bank-a", tx.proposeValidatorChange({ change: "ROTATE_KEY", nodePublicKey: node("customs"), partyId: "customs", newNodePublicKey: node(b.id), newNodeKeyProof: nodeKeyProof(`node/${b.id}`, "customs") })), { code: "INVALID_STATE", message: /already a validator's/ });
});

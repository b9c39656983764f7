// Property test of the ledger: seeded random sequences of every transaction type, by several banks,
// exporters and customs offices, valid and invalid (wrong role, duplicates, over-financing, replays,
// forged signatures, expired, malformed), in random blocks. After every block the invariants of
// docs/ledger.md hold; every rejected transaction wrote nothing; every key read was prefetchable;
// and replaying the same blocks from genesis gives byte-identical state and receipts.
// A failing seed replays exactly: run with LEDGER_PROPERTY_SEED=<seed>.
import t from "tap";
import { applyTx, executeBlock, MAX_FINANCINGS_PER_RECEIVABLE, takesTxHash, type BlockContext, type LedgerDeps } from "../node/ledger/execute.js";
import { decodeDeclaration, decodeDocumentRecord, decodeParty, decodeReceivable, encodeReceipt } from "../node/ledger/records.js";
import { liveFinanced } from "../sdk/domain.js";
import { KEY, MemoryState, Overlay } from "../node/ledger/state.js";
import { nodeCrypto } from "../node/crypto.js";
import { tx } from "../sdk/builders.js";
import { fromUtf8, toHex } from "../sdk/bytes.js";
import { verifyTxSignature, type Tx } from "../sdk/tx.js";
import { RESULT_CODES, type Receipt, type Receivable, type ResultCode } from "../sdk/types.js";
import { type TxPayload } from "../sdk/transactions/index.js";
import { cachedVerifier, CHAIN_ID, DAY, guardedReader, h32, invoiceFingerprint, makeParty, prefetchKeys, type RecordedBlock, replayBlocks, Rng, stateHash, T0, TestChain } from "./ledger-harness.js";

const BANKS = ["bank-a", "bank-b", "bank-c"];
const CUSTOMS = ["customs-a", "customs-b"];
const GENESIS_EXPORTERS = ["exp-1", "exp-2"];
const LATER_EXPORTERS = ["exp-3", "exp-4", "exp-5"];
const EXPORTERS = [...GENESIS_EXPORTERS, ...LATER_EXPORTERS];
const EVERYONE = [...BANKS, ...CUSTOMS, ...EXPORTERS, "auditor"];
const BUYERS = ["DE-HRB-204871", "FR-RCS-552100", "US-EIN-12-3456789"];

function iso(day: bigint): string {
  return new Date(Number(day * DAY)).toISOString().slice(0, 10);
}

/** Generates blocks against the chain's current state (as a well- or ill-informed client would). */
class Generator {
  readonly receivables: string[] = [];
  readonly financings: { receivableId: string; financingId: string; bankId: string }[] = [];
  readonly declarations: { label: string; exporterId: string; value: bigint; currency: string }[] = [];
  readonly invoiceNumbers: { seller: string; buyer: string; number: string; currency: string }[] = [];
  readonly documents: Uint8Array[] = [];
  readonly past: Tx[] = [];
  readonly known = new Map<string, { exporterId: string; status: string; amount: bigint; currency: string; buyerPartyId: string }>();
  private counter = 0;

  constructor(
    private readonly rng: Rng,
    private readonly chain: TestChain,
  ) {}

  private fresh(kind: string): Uint8Array {
    return h32(`${kind}/${this.counter++}`);
  }

  private respell(n: string): string {
    return this.rng.pick([n, n.toLowerCase(), n.replace(/-/g, " "), n.replace(/-/g, "."), ` ${n.toUpperCase()} `]);
  }

  private receivable(id: string): Receivable | undefined {
    const b = this.chain.state.get(KEY.receivable(id));
    return b && decodeReceivable(b);
  }

  /** Known receivables in one of `statuses` (from the generator's view, refreshed by learn). */
  private withStatus(statuses: string[], exporterId?: string): string[] {
    const out: string[] = [];
    for (const [id, v] of this.known) if (statuses.includes(v.status) && (!exporterId || v.exporterId === exporterId)) out.push(id);
    return out;
  }

  private someReceivable(statuses: string[], p: number): string {
    const fitting = this.withStatus(statuses);
    return fitting.length > 0 && this.rng.chance(p) ? this.rng.pick(fitting) : this.rng.pick(this.receivables);
  }

  private payload(): { signer: string; payload: TxPayload } {
    const r = this.rng;
    const roll = r.int(100);
    if (roll < 3) {
      const who = r.pick(LATER_EXPORTERS);
      const p = this.chain.party(who);
      return { signer: r.chance(0.9) ? r.pick(BANKS) : r.pick(EVERYONE), payload: tx.registerParty({ id: who, role: "ENTERPRISE", name: who, country: "VN", publicKey: p.signer.publicKey }) };
    }
    if (roll < 28) {
      const signer = r.chance(0.93) ? r.pick(EXPORTERS) : r.pick(EVERYONE);
      let inv: (typeof this.invoiceNumbers)[number];
      if (this.invoiceNumbers.length > 0 && r.chance(0.15)) {
        const old = r.pick(this.invoiceNumbers);
        inv = { ...old, number: this.respell(old.number) };
      } else {
        inv = { seller: signer, buyer: r.pick(BUYERS), number: `INV-${this.counter++}`, currency: r.chance(0.85) ? "USD" : "EUR" };
        this.invoiceNumbers.push(inv);
      }
      const today = this.chain.time / DAY;
      const issue = today - BigInt(r.int(20));
      const documentHash = this.documents.length > 0 && r.chance(0.05) ? r.pick(this.documents) : this.fresh("doc");
      this.documents.push(documentHash);
      return {
        signer,
        payload: tx.registerReceivable({
          documentHash,
          fingerprint: invoiceFingerprint(inv.seller, inv.buyer, inv.number, inv.currency),
          buyerId: inv.buyer,
          amount: r.amount(r.chance(0.5) ? 100n : 100_000n),
          currency: inv.currency,
          issueDate: iso(issue),
          dueDate: iso(issue + BigInt(r.int(90))),
          // the buyer on the network (DESIGN.md §9): another exporter, now and then an unknown or the seller itself
          ...(r.chance(0.4) ? { buyerPartyId: r.pick(EXPORTERS) } : {}),
        }),
      };
    }
    if (roll < 48 && this.receivables.length > 0) {
      const signer = r.chance(0.93) ? r.pick(CUSTOMS) : r.pick(EVERYONE);
      // mostly a sensible attestation: registered receivables of one exporter, in one currency
      const registered = this.withStatus(["REGISTERED"]);
      const first = registered.length > 0 && r.chance(0.85) ? r.pick(registered) : r.pick(this.receivables);
      const info = this.known.get(first);
      const exporterId = info && r.chance(0.95) ? info.exporterId : r.pick(EXPORTERS);
      const currency = info && r.chance(0.95) ? info.currency : r.pick(["USD", "EUR"]);
      const ids = new Set<string>([first]);
      const siblings = this.withStatus(["REGISTERED"], exporterId).filter((id) => this.known.get(id)!.currency === currency);
      for (let i = r.int(4); i > 0; i--) ids.add(siblings.length > 0 && r.chance(0.9) ? r.pick(siblings) : r.pick(this.receivables));
      const total = [...ids].reduce((s, id) => s + (this.known.get(id)?.amount ?? 0n), 0n);
      const mine = this.declarations.filter((d) => d.exporterId === exporterId && d.currency === currency);
      const reuse = r.chance(0.05) ? this.declarations.length > 0 : mine.length > 0 && r.chance(0.4);
      const decl = reuse
        ? r.pick(r.chance(0.9) && mine.length > 0 ? mine : this.declarations)
        : { label: `decl-${this.counter++}`, exporterId, value: total + (r.chance(0.8) ? r.amount(total + 1n) : 0n) - (r.chance(0.1) ? 1n : 0n), currency };
      if (!reuse) this.declarations.push(decl);
      return {
        signer,
        payload: tx.attestShipment({
          declarationFingerprint: h32(`declfp/${decl.label}`),
          declarationHash: r.chance(0.98) ? h32(`declhash/${decl.label}`) : this.fresh("decl-doc"),
          exporterId,
          declaredValue: r.chance(0.98) ? (decl.value > 0n ? decl.value : 1n) : decl.value + 1n,
          currency: decl.currency,
          exportDate: "2026-10-05",
          receivableIds: [...ids],
        }),
      };
    }
    if (roll < 73 && this.receivables.length > 0) {
      const signer = r.chance(0.93) ? r.pick(BANKS) : r.pick(EVERYONE);
      const id = this.someReceivable(["ATTESTED", "PARTIALLY_FINANCED", "FINANCED"], 0.85);
      const rec = this.receivable(id);
      const room = rec ? rec.amount - liveFinanced(rec) : 100n;
      const amount = room > 0n && r.chance(0.75) ? r.amount(room) : r.amount(rec && r.chance(0.5) ? rec.amount : 1000n);
      return { signer, payload: tx.financeReceivable({ receivableId: id, amount, currency: rec && r.chance(0.97) ? rec.currency : "EUR", requireAcknowledgement: r.chance(0.1) }) };
    }
    if (roll < 90 && this.financings.length > 0) {
      const f = r.pick(this.financings);
      const signer = r.chance(0.9) ? f.bankId : r.pick(EVERYONE);
      const fin = this.receivable(f.receivableId)?.financings.find((x) => x.id === f.financingId);
      const outstanding = fin ? fin.amount - fin.repaid : 0n;
      const amount = outstanding > 0n && r.chance(0.8) ? (r.chance(0.4) ? outstanding : r.amount(outstanding)) : r.amount(50n);
      return { signer, payload: tx.recordRepayment({ receivableId: f.receivableId, financingId: f.financingId, amount }) };
    }
    if (roll < 94 && this.receivables.length > 0) {
      const id = r.pick(this.receivables);
      const owner = this.known.get(id)?.exporterId ?? r.pick(EXPORTERS);
      return { signer: r.chance(0.85) ? owner : r.pick(EVERYONE), payload: tx.cancelReceivable({ receivableId: id, reason: "re-issued" }) };
    }
    if (roll < 98 && this.receivables.length > 0) {
      // the buyer's word (DESIGN.md §9): mostly by the receivable's buyer, a notice by a financing bank
      const owed = [...this.known].filter(([, v]) => v.buyerPartyId !== "").map(([id]) => id);
      const id = owed.length > 0 && r.chance(0.9) ? r.pick(owed) : r.pick(this.receivables);
      const rec = this.receivable(id);
      const buyer = rec?.buyerPartyId && r.chance(0.85) ? rec.buyerPartyId : r.pick(EVERYONE);
      const kind = r.int(100);
      if (kind < 45) {
        const face = rec?.amount ?? 100n;
        const amount = r.chance(0.9) ? r.amount(face) : face + 1n;
        return { signer: buyer, payload: tx.acknowledgeReceivable({ receivableId: id, amount, dueDate: rec?.dueDate ?? "2026-12-31" }) };
      }
      if (kind < 65) return { signer: buyer, payload: tx.disputeReceivable({ receivableId: id, reason: "short delivery" }) };
      if (kind < 85) return { signer: buyer, payload: tx.resolveDispute({ receivableId: id }) };
      const banks = rec?.financings.map((f) => f.bankId) ?? [];
      const bank = banks.length > 0 && r.chance(0.8) ? r.pick(banks) : r.pick(EVERYONE);
      return { signer: bank, payload: tx.notifyAssignment({ receivableId: id, payeeAccountHash: h32(`account/${bank}/${r.int(3)}`) }) };
    }
    const signer = r.pick(EVERYONE);
    const isBl = r.chance(0.6);
    const documentHash = this.documents.length > 0 && r.chance(0.1) ? r.pick(this.documents) : this.fresh("anchored");
    this.documents.push(documentHash);
    return {
      signer,
      payload: tx.anchorDocument({
        documentHash,
        documentType: isBl ? "BILL_OF_LADING" : r.pick(["PACKING_LIST", "CERTIFICATE_OF_ORIGIN", "INSURANCE_CERTIFICATE"]),
        ...(this.receivables.length > 0 && r.chance(0.7) ? { receivableId: r.pick(this.receivables) } : {}),
        ...(isBl && r.chance(0.8) ? { billOfLadingFingerprint: h32(`bl/${r.int(8)}`) } : {}),
      }),
    };
  }

  /** One transaction, sometimes broken in the envelope. */
  next(time: bigint): Tx {
    const r = this.rng;
    // replay of a recent transaction (older ones are mostly TX_EXPIRED first)
    if (this.past.length > 0 && r.chance(0.03)) return this.past[Math.max(0, this.past.length - 1 - r.int(80))]!;
    const { signer, payload } = this.payload();
    const createdAt = time - BigInt(r.int(60_000));
    const fault = r.int(100);
    let out: Tx;
    if (fault === 0) out = this.chain.sign(signer, payload, { chainId: "other-chain", createdAt });
    else if (fault === 1) out = this.chain.sign(signer, payload, { createdAt: time - 3_600_001n });
    else if (fault === 2) out = { ...this.chain.sign(signer, payload, { createdAt }), signature: this.fresh("sig").slice(0, 32) };
    else if (fault === 3) out = this.chain.signRaw(signer, payload, { createdAt, nonce: new Uint8Array(8) });
    else out = this.chain.sign(signer, payload, { createdAt });
    this.past.push(out);
    return out;
  }

  /** Learns ids from receipts, as a client reading its receipts would. */
  learn(receipts: Receipt[]): void {
    for (const e of receipts.flatMap((rc) => rc.events)) {
      if (e.type === "receivableRegistered") this.receivables.push(e.receivableId);
      if (e.type === "receivableFinanced") this.financings.push({ receivableId: e.receivableId, financingId: e.financingId, bankId: e.bankId });
      if ("receivableId" in e && e.receivableId) {
        const rec = this.receivable(e.receivableId);
        if (rec) this.known.set(rec.id, { exporterId: rec.exporterId, status: rec.status, amount: rec.amount, currency: rec.currency, buyerPartyId: rec.buyerPartyId });
      }
    }
  }
}

/** Checks every invariant of docs/ledger.md over the whole state; returns the violations. */
function violations(state: MemoryState): string[] {
  const out: string[] = [];
  const receivables = new Map<string, Receivable>();
  for (const [k, v] of state.map) if (k.startsWith("r/")) receivables.set(k.slice(2), decodeReceivable(v));
  for (const [id, r] of receivables) {
    const live = liveFinanced(r);
    if (live > r.amount) out.push(`${id}: live financed ${live} exceeds face ${r.amount}`);
    if (r.financings.length > MAX_FINANCINGS_PER_RECEIVABLE) out.push(`${id}: too many financings`);
    for (const f of r.financings) if (f.amount <= 0n || f.repaid < 0n || f.repaid > f.amount) out.push(`${id}: financing ${f.id} repaid ${f.repaid} of ${f.amount}`);
    const n = r.financings.length;
    const ok: Record<string, boolean> = {
      REGISTERED: n === 0 && r.declarationFingerprint.length === 0,
      ATTESTED: n === 0 && r.declarationFingerprint.length === 32,
      PARTIALLY_FINANCED: live > 0n && live < r.amount,
      FINANCED: live === r.amount,
      SETTLED: n > 0 && live === 0n,
      CANCELLED: n === 0,
    };
    if (!ok[r.status]) out.push(`${id}: status ${r.status} inconsistent with ${n} financings, live ${live}`);
    // the buyer's word (DESIGN.md §9)
    if (r.acknowledgedAmount > r.amount) out.push(`${id}: acknowledged ${r.acknowledgedAmount} above face ${r.amount}`);
    if (n > 0 && r.attestedBy === "" && live > r.acknowledgedAmount) out.push(`${id}: financed on its buyer's word beyond it: live ${live}, acknowledged ${r.acknowledgedAmount}`);
    if ((r.acknowledgedAmount > 0n) !== (r.acknowledgedAt > 0n) || (r.acknowledgedAmount > 0n) !== (r.acknowledgedDueDate !== "")) out.push(`${id}: partial acknowledgement`);
    if (r.disputed !== (r.disputedSince > 0n) || r.disputed !== (r.disputeReason !== "")) out.push(`${id}: dispute flag, reason and time disagree`);
    if ((r.payeeBankId !== "") !== (r.payeeAccountHash.length === 32)) out.push(`${id}: payee bank and account disagree`);
    if ((r.acknowledgedAmount > 0n || r.disputed) && r.buyerPartyId === "") out.push(`${id}: a buyer off the network spoke for it`);
    const live_ = r.status !== "CANCELLED";
    const holder = state.get(KEY.fingerprint(toHex(r.fingerprint)));
    if (live_ && (!holder || fromUtf8(holder) !== id)) out.push(`${id}: fingerprint not held`);
    const doc = state.get(KEY.document(toHex(r.documentHash)));
    if (live_ && (!doc || decodeDocumentRecord(doc).receivableId !== id || decodeDocumentRecord(doc).documentType !== "INVOICE")) out.push(`${id}: invoice document not anchored`);
    if (live_ && r.declarationFingerprint.length > 0) {
      const d = state.get(KEY.declaration(toHex(r.declarationFingerprint)));
      if (!d || !decodeDeclaration(d).receivableIds.includes(id)) out.push(`${id}: not listed by its declaration`);
    }
  }
  for (const [k, v] of state.map) {
    if (k.startsWith("f/")) {
      const r = receivables.get(fromUtf8(v));
      if (!r || r.status === "CANCELLED" || toHex(r.fingerprint) !== k.slice(2)) out.push(`${k}: points to no live receivable with that fingerprint`);
    } else if (k.startsWith("x/")) {
      const d = decodeDeclaration(v);
      if (d.attestedTotal > d.declaredValue) out.push(`${k}: attested ${d.attestedTotal} exceeds declared ${d.declaredValue}`);
      let sum = 0n;
      for (const id of d.receivableIds) {
        const r = receivables.get(id);
        if (!r || r.status === "REGISTERED" || r.status === "CANCELLED" || toHex(r.declarationFingerprint) !== k.slice(2) || r.exporterId !== d.exporterId || r.currency !== d.currency) {
          out.push(`${k}: lists ${id} which it does not back`);
        }
        sum += r?.amount ?? 0n;
      }
      if (sum !== d.attestedTotal) out.push(`${k}: attested total ${d.attestedTotal} is not the sum ${sum} of its receivables`);
      if (new Set(d.receivableIds).size !== d.receivableIds.length) out.push(`${k}: lists a receivable twice`);
    } else if (k.startsWith("p/")) {
      const p = decodeParty(v);
      const back = state.get(KEY.publicKey(toHex(p.publicKey)));
      if (!back || fromUtf8(back) !== p.id) out.push(`${k}: public key index broken`);
    } else if (k.startsWith("d/")) {
      const d = decodeDocumentRecord(v);
      if (d.documentType === "INVOICE" && receivables.get(d.receivableId)?.status === "CANCELLED") out.push(`${k}: invoice of a cancelled receivable still anchored`);
    }
  }
  return out;
}

function newChain(verify = true): TestChain {
  return new TestChain(
    [
      ...BANKS.map((id) => makeParty(id, "BANK")),
      ...CUSTOMS.map((id) => makeParty(id, "CUSTOMS")),
      ...GENESIS_EXPORTERS.map((id) => makeParty(id, "ENTERPRISE")),
      makeParty("auditor", "AUDITOR"),
    ],
    { verify },
  );
}

const seeds = process.env.LEDGER_PROPERTY_SEED ? [Number(process.env.LEDGER_PROPERTY_SEED)] : [1, 2, 3];
const TXS_PER_SEED = Number(process.env.LEDGER_PROPERTY_TXS ?? 2500);

for (const seed of seeds) {
  t.test(`random transaction sequences keep the ledger's invariants (seed ${seed})`, async (t) => {
    const rng = new Rng(seed);
    const chain = newChain();
    // the three passes over each block below verify each signature once (the node's cache does the same)
    const verified = cachedVerifier();
    Object.assign(chain.deps, { verifySignature: verified });
    // the off-chain exporters have keys but are not registered until a bank onboards them
    for (const id of LATER_EXPORTERS) chain.offChainParty(id);
    const gen = new Generator(rng, chain);
    const blocks: RecordedBlock[] = [];
    const seen = new Map<ResultCode, number>();
    let total = 0;
    const problems: string[] = [];
    const taken = new Set<string>();

    while (total < TXS_PER_SEED && problems.length === 0) {
      const time = chain.time + BigInt(rng.int(12 * 3600)) * 1000n;
      const txs = Array.from({ length: 1 + rng.int(40) }, () => gen.next(time));
      total += txs.length;
      const before = stateHash(chain.state);
      const ctx = chain.blockContext(time);

      // 1. per transaction, on forks: a rejected transaction writes nothing
      const overlay = new Overlay(chain.state);
      const seenInBlock = new Set<string>();
      const perTx = txs.map((x) => {
        const fork = overlay.fork();
        const rc = applyTx(fork, x, ctx, chain.deps, seenInBlock);
        if (rc.code !== "OK" && fork.writes.size > 0) problems.push(`rejected ${rc.code} wrote ${fork.writes.size} keys`);
        if (rc.code !== "OK" && rc.events.length > 0) problems.push(`rejected ${rc.code} has events`);
        if (rc.code === "OK" && rc.events.length === 0) problems.push(`OK ${x.body.payload.type} has no events`);
        for (const e of rc.events) if (e.type === "receivableFinanced" && e.liveFinanced > (decodeReceivable(fork.get(KEY.receivable(e.receivableId))!).amount)) problems.push("event live > face");
        fork.commitTo(overlay);
        return rc;
      });

      // 2. the block as the store runs it: reads only prefetched keys, same receipts
      const allowed = prefetchKeys(chain.state, txs);
      const { receipts, writes } = executeBlock(guardedReader(chain.state, allowed, (k) => problems.push(`read unprefetched key ${k}`)), txs, ctx, chain.deps);
      if (stateHash(chain.state) !== before) problems.push("executeBlock modified its input state");
      receipts.forEach((rc, i) => {
        if (toHex(encodeReceipt(rc)) !== toHex(encodeReceipt(perTx[i]!))) problems.push(`receipt ${i} differs between applyTx and executeBlock`);
        if (takesTxHash(rc.code)) {
          if (taken.has(txs[i]!.hashHex)) problems.push(`hash ${txs[i]!.hashHex} taken twice (${rc.code})`);
          taken.add(txs[i]!.hashHex);
        }
        if (!RESULT_CODES.includes(rc.code)) problems.push(`unknown code ${rc.code}`);
        seen.set(rc.code, (seen.get(rc.code) ?? 0) + 1);
      });

      // 3. commit, then the invariants over the whole state
      const committed = chain.block(txs, time);
      if (toHex(encodeReceipt(committed.receipts.at(-1)!)) !== toHex(encodeReceipt(receipts.at(-1)!))) problems.push("guarded and plain execution differ");
      const expected = new MemoryState();
      for (const [k, v] of overlay.writes) if (v) expected.put(k, v);
      for (const [k, v] of writes) if (v && toHex(v) !== toHex(expected.get(k) ?? new Uint8Array())) problems.push(`block write ${k} differs from per-tx writes`);
      problems.push(...violations(chain.state));
      gen.learn(receipts);
      blocks.push({ time, txs });
    }
    t.same(problems.slice(0, 10), [], `invariants hold over ${total} transactions in ${blocks.length} blocks`);

    const histogram = Object.fromEntries([...seen.entries()].sort((a, b) => b[1] - a[1]));
    t.comment(`seed ${seed}: ${JSON.stringify(histogram)}`);
    // the generator really exercised the rules (a generator that only produced OK would prove nothing)
    for (const code of [
      "OK",
      "DOUBLE_FINANCING",
      "EXCEEDS_FACE_VALUE",
      "NOT_ATTESTED",
      "EXCEEDS_DECLARED_VALUE",
      "DUPLICATE_RECEIVABLE",
      "DUPLICATE_TX",
      "UNAUTHORIZED",
      "INVALID_STATE",
      "REPAYMENT_EXCEEDS_OUTSTANDING",
      "BAD_SIGNATURE",
      "WRONG_CHAIN",
      "TX_EXPIRED",
      "MALFORMED",
      "OVERDUE",
      "DECLARATION_REUSED",
      "BILL_OF_LADING_REUSED",
      "NOT_ACKNOWLEDGED",
      "DISPUTED",
    ] as const) {
      t.ok((seen.get(code) ?? 0) > 0, `produced ${code}`);
    }
    const stats = { settled: 0, financed: 0, cancelled: 0 };
    for (const [k, v] of chain.state.map) {
      if (!k.startsWith("r/")) continue;
      const s = decodeReceivable(v).status;
      if (s === "SETTLED") stats.settled++;
      if (s === "FINANCED" || s === "PARTIALLY_FINANCED") stats.financed++;
      if (s === "CANCELLED") stats.cancelled++;
    }
    t.ok(stats.settled > 0 && stats.financed > 0 && stats.cancelled > 0, `reached every end state ${JSON.stringify(stats)}`);

    // replaying the same blocks from genesis, twice and with a signature cache, gives identical state
    const first = replayBlocks(newChain(), blocks);
    const second = replayBlocks(newChain(), blocks, (c) => ({ ...c.deps, verifySignature: cachedVerifier() }));
    t.equal(first.hash, chain.stateHash(), "replay reproduces the live run");
    t.equal(second.hash, first.hash, "two replays give the same state");
    t.same(second.receipts, first.receipts, "and the same receipts");
    t.same(second.receipts, first.receipts, "a signature check through a cache changes nothing");
  });
}

t.test("the invariant checker itself catches a violation", async (t) => {
  const c = newChain();
  const r = c.submit("exp-1", tx.registerReceivable({ documentHash: h32("d"), fingerprint: h32("f"), buyerId: "b", amount: 10n, currency: "USD", issueDate: "2026-10-01", dueDate: "2026-12-01" }));
  t.equal(r.code, "OK");
  t.same(violations(c.state), []);
  const rec = decodeReceivable(c.state.get(KEY.receivable(r.target))!);
  const { encodeReceivable } = await import("../node/ledger/records.js");
  c.state.put(
    KEY.receivable(r.target),
    encodeReceivable({ ...rec, status: "FINANCED", declarationFingerprint: h32("x"), financings: [{ id: "f", bankId: "bank-a", amount: 11n, repaid: 0n, financedAt: T0, writtenOff: 0n, writtenOffAt: 0n }] }),
  );
  t.match(violations(c.state).join("\n"), /live financed 11 exceeds face 10/);
});

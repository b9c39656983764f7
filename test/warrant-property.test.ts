// Property test of the digital warrants (DESIGN.md §7, docs/warrants.md) on the same invoices as the
// Part I receivables: seeded random blocks of credit-line grants and adjustments, issues, splits and
// transfers down the chain (1..4 outputs, with and without remainders), offers, withdrawals,
// declines, financing by banks, bank-to-bank sales and payments, mixed with registering (with a
// buyer on the network), attesting, financing, repaying and cancelling receivables, valid and
// invalid (wrong holder, wrong bank, over-split, dust pieces and remainders, used or financed
// invoices as trade background, matured pieces, replays), and post-lending on financed pieces
// (extensions proposed and accepted, write-offs, by the right and the wrong parties). Several transactions per block, with
// deliberate same-block races: an invoice financed and committed to a warrant in one block, one
// piece spent twice, an offer financed and withdrawn at once. After every block the invariants of
// docs/warrants.md hold; every rejected transaction wrote nothing; every key read was prefetchable;
// and replaying the blocks from genesis gives byte-identical state and receipts. Every 100 blocks
// and at the end, the aging and concentration reports and the obligors' indicators computed from the
// running aggregates equal a brute-force recount over every receivable and piece
// (test/fixtures/lending-brute.ts).
// A failing seed replays exactly: run with WARRANT_PROPERTY_SEED=<seed> (WARRANT_PROPERTY_OPS=<n>).
import t from "tap";
import { isDeepStrictEqual } from "node:util";
import { obligorIndicatorsAgree, reportsAgree } from "./fixtures/lending-brute.js";
import { decodeCreditFacts } from "../node/ledger/records.js";
import { applyTx, executeBlock, takesTxHash, type BlockContext, type LedgerDeps, type LedgerParams } from "../node/ledger/execute.js";
import { decodeCreditLine, decodePiece, decodeReceivable, decodeWarrant, encodePiece, encodeReceipt } from "../node/ledger/records.js";
import { KEY, MemoryState, Overlay, type WriteSet } from "../node/ledger/state.js";
import { DEFAULT_RULE_PARAMS } from "../node/ledger/tx/rule.js";
import { nodeCrypto } from "../node/crypto.js";
import { WarrantRecords, verifyWarrants } from "../node/store/verify.js";
import { tx } from "../sdk/builders.js";
import { toHex } from "../sdk/bytes.js";
import { isLiveLeaf, isMatured, liveFinanced, majorToMinor } from "../sdk/domain.js";
import { verifyTxSignature, type Tx } from "../sdk/tx.js";
import { RESULT_CODES, type CreditLine, type Piece, type PieceStatus, type Receipt, type Receivable, type ReceivableStatus, type ResultCode, type Warrant } from "../sdk/types.js";
import { pieceIdOf, type TxPayload } from "../sdk/transactions/index.js";
import { cachedVerifier, CHAIN_ID, DAY, guardedReader, h32, invoiceFingerprint, makeParty, Pool, prefetchKeys, type RecordedBlock, replayBlocks, Rng, TestChain } from "./ledger-harness.js";

const BANKS = ["bank-a", "bank-b", "bank-c"];
const CUSTOMS = "customs";
/** enterprises: any may be an obligor, a supplier at any tier, or a buyer of another's invoice */
const ENTS = ["core-1", "core-2", "ent-1", "ent-2", "ent-3", "ent-4", "ent-5"];
const CORES = ["core-1", "core-2"];
const EVERYONE = [...BANKS, CUSTOMS, ...ENTS, "auditor"];
const ROLE = new Map<string, string>([...BANKS.map((b) => [b, "BANK"] as const), ...ENTS.map((e) => [e, "ENTERPRISE"] as const), [CUSTOMS, "CUSTOMS"], ["auditor", "AUDITOR"]]);
/** genesis parameters of the run: the default tenor and smallest piece, a shallow depth so that the depth bound is reached */
const PARAMS: Partial<LedgerParams> = { maxWarrantDepth: 5 };
const RULES = { ...DEFAULT_RULE_PARAMS, ...PARAMS };
const USD = (major: bigint) => major * 100n;
const big = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v instanceof Map ? Object.fromEntries(v) : v);

function iso(day: bigint): string {
  return new Date(Number(day * DAY)).toISOString().slice(0, 10);
}

/**
 * The decoded warrant and receivable records of the committed state, kept up to date from each
 * block's net writes: what the generator's clients see, and what the invariants are checked over.
 */
class Model {
  readonly receivables = new Map<string, Receivable>();
  readonly lines = new Map<string, CreditLine>();
  readonly warrants = new Map<string, Warrant>();
  readonly pieces = new Map<string, Piece>();
  readonly piecesByStatus = new Map<PieceStatus, Pool>((["HELD", "OFFERED", "FINANCED", "SPENT", "SETTLED", "DEFAULTED"] as const).map((s) => [s, new Pool()]));
  readonly receivablesByStatus = new Map<ReceivableStatus, Pool>(
    (["REGISTERED", "ATTESTED", "PARTIALLY_FINANCED", "FINANCED", "SETTLED", "CANCELLED"] as const).map((s) => [s, new Pool()]),
  );
  /** invoices that back a warrant piece */
  readonly committed = new Pool();
  /** invoices keyed by `${exporter}>${buyerPartyId}`, oldest first */
  readonly byPair = new Map<string, string[]>();

  apply(writes: WriteSet): void {
    for (const [key, value] of writes) {
      if (!value) continue; // warrant, piece, line and receivable records are never deleted
      const id = key.slice(2);
      if (key.startsWith("q/")) {
        const before = this.pieces.get(id);
        if (before) this.piecesByStatus.get(before.status)!.delete(id);
        const p = decodePiece(value);
        this.pieces.set(id, p);
        this.piecesByStatus.get(p.status)!.add(id);
      } else if (key.startsWith("w/")) {
        this.warrants.set(id, decodeWarrant(value));
      } else if (key.startsWith("l/")) {
        this.lines.set(id, decodeCreditLine(value));
      } else if (key.startsWith("r/")) {
        const before = this.receivables.get(id);
        if (before) this.receivablesByStatus.get(before.status)!.delete(id);
        const r = decodeReceivable(value);
        this.receivables.set(id, r);
        this.receivablesByStatus.get(r.status)!.add(id);
        if (r.warrantPieceId) this.committed.add(id);
        if (!before && r.buyerPartyId) {
          const pair = `${r.exporterId}>${r.buyerPartyId}`;
          let list = this.byPair.get(pair);
          if (!list) this.byPair.set(pair, (list = []));
          list.push(id);
        }
      }
    }
  }
}

/** Every invariant of docs/warrants.md over the model; returns the violations. */
function violations(m: Model): string[] {
  const out: string[] = [];
    // the trees: conservation, settlement, parent and child links
  const visited = new Set<string>();
  const lineDrawn = new Map<string, { outstanding: bigint; warrants: number }>();
  for (const [wid, w] of m.warrants) {
    const root = m.pieces.get(wid);
    if (!root) {
      out.push(`warrant ${wid}: no first piece`);
      continue;
    }
    if (root.parentId !== "" || root.warrantId !== wid || root.depth !== 0) out.push(`warrant ${wid}: first piece is not a root`);
    let live = 0n;
    let settled = 0n;
    let writtenOff = 0n;
    const walk = (p: Piece): void => {
      if (visited.has(p.id)) {
        out.push(`piece ${p.id} is reached twice (two parents, or twice in one parent's children)`);
        return;
      }
      visited.add(p.id);
      if (p.warrantId !== wid) out.push(`piece ${p.id} names warrant ${p.warrantId}, found under ${wid}`);
      if (p.amount <= 0n) out.push(`piece ${p.id} has amount ${p.amount}`);
      if (p.depth > RULES.maxWarrantDepth) out.push(`piece ${p.id} at depth ${p.depth}`);
      if (p.currency !== w.currency || p.maturityDate !== w.maturityDate || p.obligorId !== w.obligorId) out.push(`piece ${p.id} differs from its warrant in currency, maturity or obligor`);
      const role = ROLE.get(p.holderId);
      switch (p.status) {
        case "HELD":
          if (role !== "ENTERPRISE" || p.offeredTo !== "") out.push(`HELD piece ${p.id} held by ${p.holderId} offered to "${p.offeredTo}"`);
          break;
        case "OFFERED":
          if (role !== "ENTERPRISE" || ROLE.get(p.offeredTo) !== "BANK") out.push(`OFFERED piece ${p.id} held by ${p.holderId} offered to "${p.offeredTo}"`);
          break;
        case "FINANCED":
          if (role !== "BANK" || p.financedBy !== p.holderId || p.offeredTo !== "") out.push(`FINANCED piece ${p.id} held by ${p.holderId}, financed by ${p.financedBy}`);
          if (ROLE.get(p.soldBy) !== "ENTERPRISE") out.push(`FINANCED piece ${p.id} sold by "${p.soldBy}", not an enterprise`);
          if (p.advance > p.amount) out.push(`piece ${p.id}: advance ${p.advance} above its amount ${p.amount}`);
          break;
        case "SETTLED":
          if (role !== "ENTERPRISE" && role !== "BANK") out.push(`SETTLED piece ${p.id} held by ${p.holderId}`);
          break;
        case "DEFAULTED":
          if (role !== "BANK" || p.writtenOff !== p.amount || p.extensionDueDate !== "") out.push(`DEFAULTED piece ${p.id} held by ${p.holderId}, ${p.writtenOff} of ${p.amount} written off`);
          break;
        case "SPENT":
          break;
        default:
          out.push(`piece ${p.id} has status ${String(p.status)}`);
      }
      if (p.status !== "SPENT") {
        if (p.children.length > 0) out.push(`${p.status} piece ${p.id} has children`);
        if (!isLiveLeaf(p.status)) out.push(`leaf ${p.id} is not live`);
        live += p.amount;
        if (p.status === "SETTLED") settled += p.amount;
        if (p.status === "DEFAULTED") writtenOff += p.amount;
        else if (p.writtenOff !== 0n) out.push(`${p.status} piece ${p.id} has ${p.writtenOff} written off`);
        if (p.extensionDueDate !== "" && p.status !== "FINANCED") out.push(`${p.status} piece ${p.id} has a pending extension`);
        if (p.dueDate !== "" && p.dueDate <= p.maturityDate) out.push(`piece ${p.id} is due ${p.dueDate}, not after its maturity ${p.maturityDate}`);
        return;
      }
      if (p.children.length === 0) out.push(`SPENT piece ${p.id} has no children`);
      let sum = 0n;
      for (const cid of p.children) {
        const c = m.pieces.get(cid);
        if (!c) {
          out.push(`piece ${p.id} names missing child ${cid}`);
          continue;
        }
        if (c.parentId !== p.id) out.push(`child ${cid} of ${p.id} names parent ${c.parentId}`);
        if (c.depth !== p.depth + 1) out.push(`child ${cid} of ${p.id} at depth ${c.depth}`);
        sum += c.amount;
        walk(c);
      }
      if (sum !== p.amount) out.push(`SPENT piece ${p.id} of ${p.amount} has children summing to ${sum}`);
    };
    walk(root);
    if (live !== w.amount) out.push(`warrant ${wid}: live leaves sum to ${live}, face is ${w.amount}`);
    if (settled !== w.settled) out.push(`warrant ${wid}: settled ${w.settled}, SETTLED leaves sum to ${settled}`);
    if (writtenOff !== w.writtenOff) out.push(`warrant ${wid}: written off ${w.writtenOff}, DEFAULTED leaves sum to ${writtenOff}`);
    const status = w.writtenOff > 0n ? "DEFAULTED" : w.settled === w.amount ? "SETTLED" : "ISSUED";
    if (w.status !== status) out.push(`warrant ${wid}: status ${w.status} with ${w.settled} of ${w.amount} settled and ${w.writtenOff} written off`);
    const drawn = lineDrawn.get(w.lineId) ?? { outstanding: 0n, warrants: 0 };
    lineDrawn.set(w.lineId, { outstanding: drawn.outstanding + w.amount - w.settled, warrants: drawn.warrants + 1 });
    if (!m.lines.has(w.lineId)) out.push(`warrant ${wid} names missing line ${w.lineId}`);
    for (const src of w.sources) if (m.receivables.get(src)?.warrantPieceId !== wid) out.push(`warrant ${wid}: source ${src} is not committed to it`);
  }
  for (const id of m.pieces.keys()) if (!visited.has(id)) out.push(`piece ${id} is in no warrant's tree`);
  // the lines
  for (const [lid, line] of m.lines) {
    const drawn = lineDrawn.get(lid) ?? { outstanding: 0n, warrants: 0 };
    if (line.outstanding > line.limit) out.push(`line ${lid}: outstanding ${line.outstanding} above limit ${line.limit}`);
    if (line.outstanding !== drawn.outstanding) out.push(`line ${lid}: outstanding ${line.outstanding}, its warrants owe ${drawn.outstanding}`);
    if (line.warrants !== drawn.warrants) out.push(`line ${lid}: counts ${line.warrants} warrants, has ${drawn.warrants}`);
  }
  // the invoices: one route only, and the piece they back names them
  for (const [rid, r] of m.receivables) {
    const live = liveFinanced(r);
    if (live > r.amount) out.push(`receivable ${rid}: live financed ${live} above face ${r.amount}`);
    if (!r.warrantPieceId) continue;
    if (r.financings.length > 0) out.push(`receivable ${rid} backs piece ${r.warrantPieceId} and has ${r.financings.length} financings`);
    if (r.status !== "REGISTERED" && r.status !== "ATTESTED") out.push(`receivable ${rid} backs piece ${r.warrantPieceId} and is ${r.status}`);
    const p = m.pieces.get(r.warrantPieceId);
    const named = p && (p.tradeRef === rid || (p.parentId === "" && m.warrants.get(p.id)?.sources.includes(rid)));
    if (!named) out.push(`receivable ${rid} backs piece ${r.warrantPieceId}, which does not name it`);
  }
  for (const [pid, p] of m.pieces) {
    if (p.tradeRef && m.receivables.get(p.tradeRef)?.warrantPieceId !== pid) out.push(`piece ${pid}: invoice ${p.tradeRef} is not committed to it`);
  }
  return out;
}

/** Builds blocks against the committed state (the model), as well- and ill-informed clients would. */
class Generator {
  readonly past: Tx[] = [];
  readonly financings: { receivableId: string; financingId: string; bankId: string }[] = [];
  private counter = 0;
  private time = 0n;
  /** invoices named by a transaction of the block being built (mostly avoided, so that most races are deliberate) */
  private reserved = new Set<string>();
  private out: Tx[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly chain: TestChain,
    private readonly m: Model,
  ) {}

  private get today(): bigint {
    return this.time / DAY;
  }
  private floor(currency: string): bigint {
    return majorToMinor(RULES.minWarrantPieceMajorUnits, currency);
  }
  private emit(signer: string, payload: TxPayload): Tx {
    const x = this.chain.sign(signer, payload, { createdAt: this.time - BigInt(this.rng.int(60_000)) });
    this.out.push(x);
    this.past.push(x);
    return x;
  }
  private other(xs: readonly string[], not: string): string {
    const rest = xs.filter((x) => x !== not);
    return this.rng.pick(rest);
  }
  /** A piece in `status`; mostly one not matured yet (a client rarely tries to move a matured piece). */
  private piece(status: PieceStatus): Piece | undefined {
    const pool = this.m.piecesByStatus.get(status)!;
    let found: Piece | undefined;
    for (let tries = this.rng.chance(0.9) ? 6 : 1; tries > 0; tries--) {
      const id = pool.pick(this.rng);
      found = id === undefined ? undefined : this.m.pieces.get(id);
      if (!found || !isMatured(found.maturityDate, this.time)) break;
    }
    return found;
  }
  /** A HELD piece at or past maturity, if the client finds one: its holder asks the obligor to pay. */
  private matured(): Piece | undefined {
    const pool = this.m.piecesByStatus.get("HELD")!;
    for (let tries = 0; tries < 6; tries++) {
      const p = this.m.pieces.get(pool.pick(this.rng) ?? "");
      if (p && isMatured(p.maturityDate, this.time)) return p;
    }
    return undefined;
  }
  /** A receivable in `status`; mostly one not committed to a warrant (the committed ones are picked on purpose elsewhere). */
  private receivable(status: ReceivableStatus): Receivable | undefined {
    const pool = this.m.receivablesByStatus.get(status)!;
    let found: Receivable | undefined;
    for (let tries = this.rng.chance(0.9) ? 6 : 1; tries > 0; tries--) {
      const id = pool.pick(this.rng);
      found = id === undefined ? undefined : this.m.receivables.get(id);
      if (!found?.warrantPieceId) break;
    }
    return found;
  }

  /** One block of `size` or a few more transactions. */
  block(time: bigint, size: number): Tx[] {
    this.time = time;
    this.out = [];
    this.reserved = new Set();
    while (this.out.length < size) this.op();
    return this.out;
  }

  private op(): void {
    const r = this.rng;
    const roll = r.int(100);
    if (roll < 2 && this.past.length > 0) {
      // a replay: of a transaction of this block (DUPLICATE_TX), or of an earlier one (mostly TX_EXPIRED by now)
      const from = this.out.length > 0 && r.chance(0.6) ? this.out : this.past;
      this.out.push(from[Math.max(0, from.length - 1 - r.int(50))]!);
      return;
    }
    if (roll < 3) return this.forged();
    if (roll < 9) {
      this.register(r.pick(ENTS), r.chance(0.8) ? r.pick(ENTS) : "", USD(r.between(1_000n, 200_000n)));
      return;
    }
    if (roll < 15) return this.attest();
    if (roll < 23) return this.financeReceivable();
    if (roll < 27) return this.repay();
    if (roll < 30) return this.cancel();
    if (roll < 33) return this.grant();
    if (roll < 36) return this.adjust();
    if (roll < 45) return this.issue();
    if (roll < 62) return this.transfer(this.piece("HELD"));
    if (roll < 66) return this.bankSale(this.piece("FINANCED"));
    if (roll < 73) return this.offer(this.piece("HELD"));
    if (roll < 76) return this.withdraw(this.piece("OFFERED"));
    if (roll < 79) return this.decline(this.piece("OFFERED"));
    if (roll < 85) return this.financeWarrant(this.piece("OFFERED"));
    if (roll < 89) return this.confirm();
    if (roll < 93) return this.postLending();
    return this.race();
  }

  /** Post-lending on a financed piece: an extension proposed or accepted, a write-off; by the right party mostly. */
  private postLending(): void {
    const r = this.rng;
    const financed = this.m.piecesByStatus.get("FINANCED")!;
    let piece = this.m.pieces.get(financed.pick(r) ?? "");
    if (!piece) return this.financeWarrant(this.piece("OFFERED"));
    const roll = r.int(100);
    if (roll < 40) {
      const signer = r.chance(0.9) ? piece.holderId : r.chance(0.5) ? this.other(BANKS, piece.holderId) : piece.obligorId;
      this.emit(signer, tx.proposePieceExtension({ pieceId: piece.id, newDueDate: iso(this.today + BigInt(1 + r.int(200))) }));
      return;
    }
    if (roll < 70) {
      for (let tries = 0; tries < 8 && !piece.extensionDueDate; tries++) piece = this.m.pieces.get(financed.pick(r)!)!;
      const signer = r.chance(0.9) ? piece.obligorId : r.pick(ENTS);
      this.emit(signer, tx.acceptPieceExtension({ pieceId: piece.id, newDueDate: piece.extensionDueDate && r.chance(0.9) ? piece.extensionDueDate : iso(this.today + 30n) }));
      return;
    }
    // now and then a piece that is no longer FINANCED: written off already, paid, passed on
    if (r.chance(0.15)) piece = this.piece(r.pick(["DEFAULTED", "SETTLED", "SPENT"] as const)) ?? piece;
    this.emit(r.chance(0.9) ? piece.holderId : r.pick(BANKS), tx.writeOffPiece({ pieceId: piece.id }));
  }

  /** A transaction broken in the envelope: bad signature or expired. */
  private forged(): void {
    const bank = this.rng.pick(BANKS);
    const payload = tx.declineOffer({ pieceId: this.m.piecesByStatus.get("OFFERED")!.pick(this.rng) ?? toHex(h32(`nopiece/${this.counter++}`)) });
    const x = this.rng.chance(0.5)
      ? { ...this.chain.sign(bank, payload, { createdAt: this.time }), signature: h32(`sig/${this.counter++}`).slice(0, 32) }
      : this.chain.sign(bank, payload, { createdAt: this.time - 3_600_001n });
    this.out.push(x);
  }

  // ---- Part I, on the same invoices ----------------------------------------------------------------

  /** Registers an invoice of `seller` (on `buyerPartyId` when given); returns its id (the tx hash). */
  private register(seller: string, buyerPartyId: string, amount: bigint, currency = this.rng.chance(0.9) ? "USD" : "EUR"): string {
    const r = this.rng;
    const n = this.counter++;
    let fingerprint = invoiceFingerprint(seller, buyerPartyId || "off-network-buyer", `INV-${n}`, currency);
    if (r.chance(0.03)) fingerprint = invoiceFingerprint(seller, buyerPartyId || "off-network-buyer", `inv ${r.int(n + 1)}`, currency); // maybe a duplicate
    if (buyerPartyId === "" && r.chance(0.05)) buyerPartyId = r.chance(0.5) ? seller : r.pick(BANKS); // UNKNOWN_PARTY
    const x = this.emit(
      seller,
      tx.registerReceivable({
        documentHash: h32(`doc/${n}`),
        fingerprint,
        buyerId: `${buyerPartyId || "buyer"}-erp`,
        ...(buyerPartyId ? { buyerPartyId } : {}),
        amount,
        currency,
        issueDate: iso(this.today - BigInt(r.int(10))),
        dueDate: iso(this.today + 20n + BigInt(r.int(150))),
      }),
    );
    return x.hashHex;
  }

  /** Customs attests registered invoices of one exporter (an ATTESTED invoice may still back a warrant). */
  /** Customs attests registered invoices of one exporter: `given` was registered in this block, else ones the client knows. */
  private attest(given?: Pick<Receivable, "id" | "exporterId" | "amount" | "currency">): void {
    const r = this.rng;
    const first = given ?? this.receivable("REGISTERED");
    if (!first) {
      this.register(r.pick(ENTS), r.pick(ENTS), USD(r.between(1_000n, 50_000n)));
      return;
    }
    const list = [first];
    const buyer = this.m.receivables.get(first.id)?.buyerPartyId;
    if (!given && buyer && r.chance(0.3)) {
      const sibling = this.m.receivables.get(r.pick(this.m.byPair.get(`${first.exporterId}>${buyer}`) ?? [first.id]));
      if (sibling && sibling.id !== first.id && sibling.status === "REGISTERED") list.push(sibling);
    }
    const total = list.reduce((s, x) => s + x.amount, 0n);
    const label = `decl/${this.counter++}`;
    this.emit(
      given || r.chance(0.95) ? CUSTOMS : r.pick(EVERYONE),
      tx.attestShipment({
        declarationFingerprint: h32(`declfp/${label}`),
        declarationHash: h32(`declhash/${label}`),
        exporterId: first.exporterId,
        declaredValue: given || r.chance(0.93) ? total + r.between(0n, total) : total > 1n ? total - 1n : 1n,
        currency: first.currency,
        exportDate: iso(this.today - 1n),
        receivableIds: list.map((x) => x.id),
      }),
    );
  }

  /** A bank finances an invoice: `target` is one registered in this block, else one the client knows. */
  private financeReceivable(target?: Pick<Receivable, "id" | "amount" | "currency" | "financings">): void {
    const r = this.rng;
    const roll = r.int(100);
    // mostly attested invoices; some committed to a warrant (TRADE_REF_USED), registered, or financed already
    const id = roll < 75 ? this.receivable("ATTESTED")?.id : roll < 85 ? this.m.committed.pick(r) : roll < 92 ? this.receivable("PARTIALLY_FINANCED")?.id : this.receivable("REGISTERED")?.id;
    const rec = target ?? (id ? this.m.receivables.get(id) : undefined);
    if (!rec) return this.attest();
    const live = liveFinanced(rec);
    const room = rec.amount - live;
    const amount = live > 0n && r.chance(0.3) ? room + r.between(1n, rec.amount) : target || (room > 0n && r.chance(0.85)) ? r.between(1n, room > 0n ? room : 1n) : r.between(1n, rec.amount + 1n);
    this.emit(target || r.chance(0.95) ? r.pick(BANKS) : r.pick(ENTS), tx.financeReceivable({ receivableId: rec.id, amount, currency: rec.currency }));
  }

  private repay(): void {
    const r = this.rng;
    if (this.financings.length === 0) return this.financeReceivable();
    let f = r.pick(this.financings);
    for (let tries = r.chance(0.85) ? 6 : 0; tries > 0; tries--) {
      const fin = this.m.receivables.get(f.receivableId)?.financings.find((x) => x.id === f.financingId);
      if (fin && fin.repaid < fin.amount) break;
      f = r.pick(this.financings);
    }
    const fin = this.m.receivables.get(f.receivableId)?.financings.find((x) => x.id === f.financingId);
    const outstanding = fin ? fin.amount - fin.repaid : 0n;
    const amount = outstanding > 0n && r.chance(0.9) ? (r.chance(0.5) ? outstanding : r.between(1n, outstanding)) : r.between(1n, 1_000n);
    this.emit(r.chance(0.92) ? f.bankId : r.pick(BANKS), tx.recordRepayment({ receivableId: f.receivableId, financingId: f.financingId, amount }));
  }

  /** The exporter cancels an invoice: `target` is one registered in this block, else one the client knows. */
  private cancel(target?: Pick<Receivable, "id" | "exporterId">): void {
    const r = this.rng;
    const roll = r.int(100);
    const id = roll < 50 ? this.receivable("REGISTERED")?.id : roll < 75 ? this.receivable("ATTESTED")?.id : roll < 92 ? this.m.committed.pick(r) : this.receivable("FINANCED")?.id;
    const rec = target ?? (id ? this.m.receivables.get(id) : undefined);
    if (!rec) return;
    this.emit(target || r.chance(0.92) ? rec.exporterId : r.pick(ENTS), tx.cancelReceivable({ receivableId: rec.id, reason: "re-issued" }));
  }

  // ---- credit lines -----------------------------------------------------------------------------

  private grant(): void {
    const r = this.rng;
    const lines = [...this.m.lines.keys()];
    const lineId = lines.length > 0 && r.chance(0.05) ? r.pick(lines) : `line-${this.counter++}`;
    const obligor = r.chance(0.7) ? r.pick(CORES) : r.chance(0.95) ? r.pick(ENTS) : r.pick(BANKS);
    const expiry = r.chance(0.04) ? this.today - 1n - BigInt(r.int(30)) : this.today + 30n + BigInt(r.int(400));
    this.emit(r.chance(0.96) ? r.pick(BANKS) : r.pick(ENTS), tx.grantCreditLine({ lineId, obligor, currency: r.chance(0.85) ? "USD" : "EUR", limit: USD(r.between(50_000n, 2_000_000n)), expiryDate: iso(expiry) }));
  }

  private adjust(): void {
    const r = this.rng;
    const lines = [...this.m.lines.values()];
    if (lines.length === 0) return this.grant();
    const line = r.pick(lines);
    const roll = r.int(100);
    const o = line.outstanding;
    const limit = roll < 40 ? o + USD(r.between(1n, 500_000n)) : roll < 65 ? (o > 0n ? o : 1n) : roll < 85 && o > 1n ? r.between(1n, o - 1n) : USD(r.between(10_000n, 3_000_000n));
    const expiry = r.chance(0.05) ? this.today - 1n : this.today + 10n + BigInt(r.int(400));
    this.emit(r.chance(0.9) ? line.bankId : r.pick(BANKS), tx.adjustCreditLine({ lineId: line.id, limit, expiryDate: iso(expiry) }));
  }

  // ---- warrants -----------------------------------------------------------------------------------

  /** An invoice of `seller` on `buyer` that can back `amount`: an unused one known to the client, or one registered in this block. */
  private backing(seller: string, buyer: string, currency: string, amount: bigint): string {
    const r = this.rng;
    const list = this.m.byPair.get(`${seller}>${buyer}`) ?? [];
    if (r.chance(0.7)) {
      for (let i = list.length - 1, tries = 0; i >= 0 && tries < 12; i--, tries++) {
        const rec = this.m.receivables.get(list[i]!)!;
        const fits = !rec.warrantPieceId && rec.financings.length === 0 && (rec.status === "REGISTERED" || rec.status === "ATTESTED") && rec.currency === currency && rec.amount >= amount;
        if (fits && (!this.reserved.has(rec.id) || r.chance(0.1))) {
          this.reserved.add(rec.id);
          return rec.id;
        }
      }
    }
    const id = this.register(seller, buyer, amount + r.between(0n, amount / 2n), currency);
    this.reserved.add(id);
    return id;
  }

  /** A trade reference that must fail: used, financed, too small, on another buyer, or cancelled. */
  private badBacking(seller: string, buyer: string, currency: string, amount: bigint): string {
    const r = this.rng;
    const roll = r.int(5);
    const pick = roll === 0 ? this.m.committed.pick(r) : roll === 1 ? this.receivable("PARTIALLY_FINANCED")?.id ?? this.receivable("FINANCED")?.id : roll === 2 ? this.receivable("CANCELLED")?.id : undefined;
    if (pick) return pick;
    if (roll === 3 && amount > 1n) return this.register(seller, buyer, amount - 1n, currency);
    return this.register(seller, this.other(ENTS, buyer), amount, currency);
  }

  private issue(): void {
    const r = this.rng;
    const lines = [...this.m.lines.values()];
    if (lines.length === 0 || r.chance(0.03)) return this.grant();
    const line = r.pick(lines);
    const signer = r.chance(0.93) ? line.obligorId : r.pick(ENTS);
    const holder = r.chance(0.95) ? this.other(ENTS, line.obligorId) : r.chance(0.6) ? line.obligorId : r.pick(BANKS);
    const room = line.limit - line.outstanding;
    const floor = this.floor(line.currency);
    const amount = room > 10n * floor && r.chance(0.85) ? r.between(10n * floor, room < USD(400_000n) ? room : USD(400_000n)) : r.between(floor, USD(600_000n));
    const currency = r.chance(0.97) ? line.currency : line.currency === "USD" ? "EUR" : "USD";
    const maturity = r.chance(0.04) ? r.pick([this.today, this.today - 2n, this.today + 366n, this.today + 500n]) : this.today + 2n + BigInt(r.int(120));
    let sources: string[];
    const roll = r.int(100);
    if (roll < 88) {
      // one to three of the holder's invoices on the obligor, together enough
      const parts = 1 + r.int(3);
      sources = [];
      let left = amount;
      for (let i = 0; i < parts && left > 0n; i++) {
        const part = i === parts - 1 ? left : r.between(1n, left);
        sources.push(this.backing(holder, line.obligorId, currency, part));
        left -= part;
      }
    } else {
      sources = [this.badBacking(holder, line.obligorId, currency, amount)];
    }
    this.emit(signer, tx.issueWarrant({ lineId: line.id, holder, amount, currency, maturityDate: iso(maturity), sources: [...new Set(sources)] }));
  }

  /** Output amounts for a piece: a valid split with or without a remainder, or a broken one. */
  private split(total: bigint, floor: bigint, n: number, broken: boolean): bigint[] {
    const r = this.rng;
    const amounts: bigint[] = [];
    let rest = total;
    for (let i = 0; i < n && rest >= floor; i++) {
      let a = i === n - 1 && r.chance(0.35) ? rest : r.between(floor, rest);
      if (rest - a > 0n && rest - a < floor) a = rest; // no dust remainder
      amounts.push(a);
      rest -= a;
    }
    if (amounts.length === 0) amounts.push(total); // a piece below the floor (an issue may be that small)
    if (!broken) return amounts;
    const kind = r.int(3);
    if (kind === 0) amounts[r.int(amounts.length)] = r.between(1n, floor - 1n); // a dust output
    else if (kind === 1) amounts[amounts.length - 1]! += rest + r.between(1n, floor); // over-split
    else if (total > floor) return [total - r.between(1n, floor - 1n)].filter((a) => a > 0n); // a dust remainder
    return amounts;
  }

  /** The holder (mostly) splits a HELD piece down the chain. */
  private transfer(piece: Piece | undefined, outputs?: { to: string; amount: bigint; tradeRef: string }[]): void {
    const r = this.rng;
    if (!piece) return this.issue();
    const signer = outputs || r.chance(0.93) ? piece.holderId : r.pick(ENTS);
    if (!outputs) {
      const broken = r.chance(0.1);
      const amounts = this.split(piece.amount, this.floor(piece.currency), 1 + r.int(4), broken);
      outputs = amounts.map((amount) => {
        const to = r.chance(0.97) ? this.other(ENTS, signer) : r.chance(0.6) ? signer : r.pick(BANKS);
        const bad = r.chance(0.05);
        const tradeRef = bad && r.chance(0.2) ? "" : bad ? this.badBacking(to, signer, piece.currency, amount) : this.backing(to, signer, piece.currency, amount);
        return { to, amount, tradeRef };
      });
    }
    this.emit(signer, tx.transferWarrant({ pieceId: piece.id, outputs }));
  }

  /** A bank sells (part of) a piece it financed to other banks. */
  private bankSale(piece: Piece | undefined): void {
    const r = this.rng;
    if (!piece) return this.offer(this.piece("HELD"));
    const signer = r.chance(0.93) ? piece.holderId : r.pick(BANKS);
    const amounts = this.split(piece.amount, this.floor(piece.currency), 1 + r.int(3), r.chance(0.08));
    const outputs = amounts.map((amount) => {
      const roll = r.int(100);
      const to = roll < 96 ? this.other(BANKS, signer) : r.pick(ENTS);
      const tradeRef = roll >= 98 ? this.backing(to, signer, piece.currency, amount) : "";
      return { to, amount, tradeRef };
    });
    this.emit(signer, tx.transferWarrant({ pieceId: piece.id, outputs }));
  }

  private offer(piece: Piece | undefined): void {
    const r = this.rng;
    if (!piece) return this.issue();
    this.emit(r.chance(0.93) ? piece.holderId : r.pick(ENTS), tx.offerWarrant({ pieceId: piece.id, bank: r.chance(0.96) ? r.pick(BANKS) : r.pick(ENTS) }));
  }

  private withdraw(piece: Piece | undefined): void {
    const r = this.rng;
    if (!piece) return this.offer(this.piece("HELD"));
    this.emit(r.chance(0.9) ? piece.holderId : r.pick(ENTS), tx.withdrawOffer({ pieceId: piece.id }));
  }

  private decline(piece: Piece | undefined): void {
    const r = this.rng;
    if (!piece) return this.offer(this.piece("HELD"));
    this.emit(r.chance(0.88) ? piece.offeredTo : this.other(BANKS, piece.offeredTo), tx.declineOffer({ pieceId: piece.id }));
  }

  private financeWarrant(piece: Piece | undefined): void {
    const r = this.rng;
    if (!piece) return this.offer(this.piece("HELD"));
    const advance = r.chance(0.95) ? r.between((piece.amount * 9n) / 10n || 1n, piece.amount) : piece.amount + r.between(1n, 1_000n);
    this.emit(r.chance(0.88) ? piece.offeredTo : this.other(BANKS, piece.offeredTo), tx.financeWarrant({ pieceId: piece.id, advance }));
  }

  private confirm(piece?: Piece): void {
    const r = this.rng;
    const roll = r.int(100);
    piece ??= roll < 60 ? this.matured() ?? this.piece("HELD") : roll < 92 ? this.piece("FINANCED") : roll < 96 ? this.piece("SPENT") : this.piece("SETTLED");
    if (!piece) return this.issue();
    this.emit(r.chance(0.92) ? piece.holderId : r.pick(EVERYONE), tx.confirmWarrantPayment({ pieceId: piece.id }));
  }

  /** Deliberate same-block conflicts, in random order. */
  private race(): void {
    const r = this.rng;
    const kind = r.int(5);
    if (kind === 4) {
      // a piece passed on and acted on again by its new holder (or the sender's remainder) in the same block
      const piece = this.piece("HELD");
      if (!piece) return this.issue();
      const to = this.other(ENTS, piece.holderId);
      const amounts = this.split(piece.amount, this.floor(piece.currency), 1 + r.int(2), false);
      const outputs = amounts.map((amount, i) => ({ to: i === 0 ? to : this.other(ENTS, piece.holderId), amount, tradeRef: "" }));
      for (const o of outputs) o.tradeRef = this.backing(o.to, piece.holderId, piece.currency, o.amount);
      this.transfer(piece, outputs);
      const spent = this.out[this.out.length - 1]!;
      const total = outputs.reduce((s, o) => s + o.amount, 0n);
      const index = total < piece.amount && r.chance(0.3) ? outputs.length : 0;
      const child: Piece = {
        ...piece,
        id: pieceIdOf(spent.hashHex, index),
        parentId: piece.id,
        holderId: index === 0 ? to : piece.holderId,
        amount: index === 0 ? outputs[0]!.amount : piece.amount - total,
        depth: piece.depth + 1,
        tradeRef: index === 0 ? outputs[0]!.tradeRef : "",
      };
      const next = r.int(4);
      if (next === 0) this.confirm(child);
      else if (next === 1) this.offer(child);
      else this.transfer(child, undefined);
      return;
    }
    if (kind === 0) {
      // an invoice registered and attested, then financed and committed to a warrant piece in one block
      const piece = this.piece("HELD");
      if (!piece) return this.issue();
      const to = this.other(ENTS, piece.holderId);
      const amount = this.split(piece.amount, this.floor(piece.currency), 1, false)[0]!;
      const face = amount + r.between(0n, amount);
      const invoice = this.register(to, piece.holderId, face, piece.currency);
      this.attest({ id: invoice, exporterId: to, amount: face, currency: piece.currency });
      const before = this.out.length;
      if (r.chance(0.7)) this.financeReceivable({ id: invoice, amount: face, financings: [], currency: piece.currency });
      else this.cancel({ id: invoice, exporterId: to });
      const other = this.out.splice(before);
      this.transfer(piece, [{ to, amount, tradeRef: invoice }]);
      if (r.chance(0.5)) this.out.push(...other);
      else this.out.splice(this.out.length - 1, 0, ...other);
      return;
    }
    if (kind === 1) {
      // one HELD piece spent twice: two transfers, or a transfer against an offer or a payment
      const piece = this.piece("HELD");
      if (!piece) return this.issue();
      const ops = [() => this.transfer(piece, undefined), () => this.offer(piece), () => this.confirm(piece), () => this.transfer(piece, undefined)];
      r.pick(ops)();
      r.pick(ops)();
      return;
    }
    if (kind === 2) {
      // an offer financed, declined and withdrawn at once
      const piece = this.piece("OFFERED");
      if (!piece) return this.offer(this.piece("HELD"));
      const ops = [() => this.financeWarrant(piece), () => this.withdraw(piece), () => this.decline(piece)];
      r.pick(ops)();
      r.pick(ops)();
      return;
    }
    // a financed piece sold on and paid at once
    const piece = this.piece("FINANCED");
    if (!piece) return this.offer(this.piece("HELD"));
    if (r.chance(0.5)) {
      this.bankSale(piece);
      this.confirm(piece);
    } else {
      this.confirm(piece);
      this.bankSale(piece);
    }
  }

  /** Learns the financing ids from receipts, as a bank reading its receipts would. */
  learn(receipts: Receipt[]): void {
    for (const e of receipts.flatMap((rc) => rc.events)) {
      if (e.type === "receivableFinanced") this.financings.push({ receivableId: e.receivableId, financingId: e.financingId, bankId: e.bankId });
    }
  }
}

function newChain(): TestChain {
  return new TestChain([...BANKS.map((id) => makeParty(id, "BANK")), makeParty(CUSTOMS, "CUSTOMS"), ...ENTS.map((id) => makeParty(id, "ENTERPRISE")), makeParty("auditor", "AUDITOR")], {
    params: PARAMS,
  });
}

const seeds = process.env.WARRANT_PROPERTY_SEED ? [Number(process.env.WARRANT_PROPERTY_SEED)] : [1];
const OPS = Number(process.env.WARRANT_PROPERTY_OPS ?? 12_000);

for (const seed of seeds) {
  t.test(`random warrant and receivable operations keep the warrant invariants (seed ${seed})`, async (t) => {
    const started = performance.now();
    const rng = new Rng(seed);
    const chain = newChain();
    Object.assign(chain.deps, { verifySignature: cachedVerifier() });
    const model = new Model();
    const gen = new Generator(rng, chain, model);
    const blocks: RecordedBlock[] = [];
    const liveReceipts: string[] = [];
    const codes = new Map<string, number>();
    const byType = new Map<string, number>();
    const problems: string[] = [];
    let total = 0;
    // the reports and obligors' indicators from the running aggregates against a brute-force recount
    let reportChecks = 0;
    const collect = {
      same: (found: unknown, wanted: unknown, what: string) => (isDeepStrictEqual(found, wanted) ? true : (problems.push(`${what}: ${JSON.stringify(found, big)} != ${JSON.stringify(wanted, big)}`), false)),
      equal: (found: unknown, wanted: unknown, what: string) => (found === wanted ? true : (problems.push(`${what}: ${String(found)} != ${String(wanted)}`), false)),
    };
    const reportsMatch = (what: string) => {
      const receivables = [...model.receivables.values()];
      const pieces = [...model.pieces.values()];
      reportsAgree(collect, chain.state.map, receivables, pieces, BANKS, chain.time, what);
      for (const e of ENTS) {
        const b = chain.state.get(KEY.creditFacts(e));
        obligorIndicatorsAgree(collect, b ? decodeCreditFacts(b) : undefined, pieces, e, chain.time, 0n, what);
      }
      reportChecks++;
    };

    while (total < OPS && problems.length === 0) {
      // mostly hours between blocks; now and then weeks, so that pieces and invoices mature
      const time = chain.time + (rng.chance(0.015) ? BigInt(3 + rng.int(20)) * DAY : BigInt(rng.int(5 * 3600)) * 1000n);
      const txs = gen.block(time, 2 + rng.int(14));
      total += txs.length;
      const ctx = chain.blockContext(time);

      // 1. per transaction, on forks: a rejected transaction writes nothing and emits nothing
      const overlay = new Overlay(chain.state);
      const seenInBlock = new Set<string>();
      const perTx = txs.map((x) => {
        const fork = overlay.fork();
        const rc = applyTx(fork, x, ctx, chain.deps, seenInBlock);
        if (rc.code !== "OK" && fork.writes.size > 0) problems.push(`rejected ${x.body.payload?.type} ${rc.code} wrote ${fork.writes.size} keys`);
        if (rc.code !== "OK" && rc.events.length > 0) problems.push(`rejected ${rc.code} has events`);
        if (rc.code === "OK" && rc.events.length === 0) problems.push(`OK ${x.body.payload?.type} has no events`);
        fork.commitTo(overlay);
        return rc;
      });

      // 2. the block as the store runs it (over a read-only view): it reads only prefetched keys and gives the same receipts
      const allowed = prefetchKeys(chain.state, txs);
      const { receipts, writes } = executeBlock(
        guardedReader(chain.state, allowed, (k) => problems.push(`block ${ctx.height}: read unprefetched key ${k}`)),
        txs,
        ctx,
        chain.deps,
      );
      receipts.forEach((rc, i) => {
        const bytes = toHex(encodeReceipt(rc));
        if (bytes !== toHex(encodeReceipt(perTx[i]!))) problems.push(`receipt ${i} differs between applyTx and executeBlock`);
        if (!RESULT_CODES.includes(rc.code)) problems.push(`unknown code ${rc.code}`);
        liveReceipts.push(bytes);
        codes.set(rc.code, (codes.get(rc.code) ?? 0) + 1);
        const type = `${txs[i]!.body.payload?.type}:${rc.code === "OK" ? "OK" : "rejected"}`;
        byType.set(type, (byType.get(type) ?? 0) + 1);
      });
      for (const [k, v] of writes) {
        const perTxValue = overlay.writes.get(k);
        if (v && (!perTxValue || toHex(v) !== toHex(perTxValue))) problems.push(`block write ${k} differs from the per-transaction writes`);
      }

      // 3. commit (as TestChain.block does), then the invariants over the whole warrant state
      chain.state.apply(writes);
      receipts.forEach((rc, i) => {
        if (takesTxHash(rc.code)) chain.committed.add(txs[i]!.hashHex);
      });
      chain.height = ctx.height;
      chain.time = time + 1000n;
      model.apply(writes);
      for (const v of violations(model)) problems.push(`block ${ctx.height}: ${v}`);
      gen.learn(receipts);
      blocks.push({ time, txs });
      if (blocks.length % 100 === 0) reportsMatch(`block ${ctx.height}`);
    }
    reportsMatch("at the end");
    t.same(problems.slice(0, 10), [], `invariants hold over ${total} operations in ${blocks.length} blocks, and the reports equal a brute-force recount ${reportChecks} times`);
    t.ok(total >= OPS, `ran ${total} operations (at least ${OPS})`);

    const histogram = Object.fromEntries([...codes.entries()].sort((a, b) => b[1] - a[1]));
    t.comment(`seed ${seed}: ${total} operations in ${blocks.length} blocks, codes ${JSON.stringify(histogram)}`);
    t.comment(`seed ${seed}: by type ${JSON.stringify(Object.fromEntries([...byType.entries()].sort()))}`);
    // the generator really exercised the rules (one that only produced OK would prove nothing)
    for (const code of [
      "OK",
      "NOT_HOLDER",
      "INVALID_SPLIT",
      "INVALID_STATE",
      "UNAUTHORIZED",
      "UNKNOWN_PARTY",
      "NO_TRADE_BACKGROUND",
      "TRADE_REF_USED",
      "WARRANT_MATURED",
      "CREDIT_LINE_INVALID",
      "CREDIT_LINE_EXCEEDED",
      "LIMIT_BELOW_OUTSTANDING",
      "TENOR_INVALID",
      "DUPLICATE_CREDIT_LINE",
      "DUPLICATE_TX",
      "DOUBLE_FINANCING",
      "NOT_ATTESTED",
      "BAD_SIGNATURE",
      "TX_EXPIRED",
    ] as const satisfies readonly ResultCode[]) {
      t.ok((codes.get(code) ?? 0) > 0, `produced ${code}`);
    }
    const stats = { warrants: model.warrants.size, settledWarrants: 0, defaultedWarrants: 0, pieces: model.pieces.size, maxDepth: 0, bankSales: 0, financed: 0, settledPieces: 0, offered: 0, writtenOff: 0, extended: 0 };
    for (const w of model.warrants.values()) {
      if (w.status === "SETTLED") stats.settledWarrants++;
      if (w.status === "DEFAULTED") stats.defaultedWarrants++;
    }
    for (const p of model.pieces.values()) {
      stats.maxDepth = Math.max(stats.maxDepth, p.depth);
      if (p.financedBy && p.advance === 0n) stats.bankSales++;
      if (p.status === "FINANCED") stats.financed++;
      if (p.status === "SETTLED") stats.settledPieces++;
      if (p.status === "OFFERED") stats.offered++;
      if (p.status === "DEFAULTED") stats.writtenOff++;
      if (p.extensions > 0) stats.extended++;
    }
    t.ok(stats.writtenOff > 0 && stats.extended > 0 && stats.defaultedWarrants > 0, "pieces were written off and extended");
    for (const k of ["proposePieceExtension:OK", "proposePieceExtension:rejected", "acceptPieceExtension:OK", "acceptPieceExtension:rejected", "writeOffPiece:OK", "writeOffPiece:rejected"]) {
      t.ok((byType.get(k) ?? 0) > 0, `${k} happened (${byType.get(k) ?? 0})`);
    }
    t.comment(`seed ${seed}: ${JSON.stringify(stats)}`);
    t.ok(stats.settledWarrants > 0 && stats.bankSales > 0 && stats.settledPieces > 0 && stats.maxDepth === RULES.maxWarrantDepth, "reached settled warrants, bank sales and the deepest pieces");

    // the store's integrity check (node/store/verify.ts) agrees over the same records
    const records = new WarrantRecords();
    for (const [k, v] of chain.state.map) records.add(k, v);
    t.doesNotThrow(() => verifyWarrants(records), `the store's warrant check passes over ${records.pieces.size} pieces`);

    // replaying the same blocks from genesis (with a signature cache, and without) gives identical state and receipts
    const first = replayBlocks(newChain(), blocks, (c) => ({ ...c.deps, verifySignature: cachedVerifier() }));
    t.equal(first.hash, chain.stateHash(), "replay from genesis reproduces the live state byte for byte");
    t.ok(first.receipts.length === liveReceipts.length && first.receipts.every((r, i) => r === liveReceipts[i]), "and every receipt");
    t.comment(`seed ${seed}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
}

t.test("the invariant checker itself catches a broken warrant", async (t) => {
  const c = newChain();
  const model = new Model();
  const run = (signer: string, payload: TxPayload) => {
    const res = c.block([c.sign(signer, payload)]);
    model.apply(res.writes);
    t.equal(res.receipts[0]!.code, "OK", res.receipts[0]!.message);
    return res.receipts[0]!;
  };
  run("bank-a", tx.grantCreditLine({ lineId: "line-1", obligor: "core-1", currency: "USD", limit: USD(100_000n), expiryDate: "2027-12-31" }));
  const inv = run("ent-1", tx.registerReceivable({ documentHash: h32("d"), fingerprint: h32("f"), buyerId: "c", buyerPartyId: "core-1", amount: USD(50_000n), currency: "USD", issueDate: "2026-10-01", dueDate: "2026-12-01" })).target;
  const w = run("core-1", tx.issueWarrant({ lineId: "line-1", holder: "ent-1", amount: USD(50_000n), currency: "USD", maturityDate: "2027-01-31", sources: [inv] })).target;
  t.same(violations(model), []);
  // a piece whose amount changed behind the ledger's back breaks conservation
  const piece = decodePiece(c.state.get(KEY.piece(w))!);
  const tampered = new MemoryState();
  tampered.put(KEY.piece(w), encodePiece({ ...piece, amount: piece.amount + 1n }));
  model.apply(tampered.map);
  t.match(violations(model).join("\n"), /live leaves sum to 5000001, face is 5000000/);
});

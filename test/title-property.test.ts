// Property test of title documents and pledges (DESIGN.md §8, docs/titles.md) and of the buyer's word
// (DESIGN.md §9, docs/ledger.md) in one seeded run: random custodians (one onboarded mid-run) and
// lots, stock attestations up and down (below what is titled, too), warehouse receipts and bills of
// lading on fingerprints that collide on purpose — bill-of-lading fingerprints also anchored by
// exporters through Part I's anchorDocument, the shared b/ namespace — transfers, pledge offers to
// random banks, accepts by the right and the wrong bank, releases by bank and holder, surrenders;
// and receivables with buyers on the network: acknowledgements (up, down, below what is financed),
// disputes, resolutions, notices of assignment and financings with and without
// requireAcknowledgement. Valid and invalid, in random blocks with deliberate same-block races (two
// banks' offers of one title; a transfer and an offer; a surrender and an offer; a stock decrease
// and an issue; a title issued and surrendered at once; a dispute and a financing; two banks'
// notices). Checked after every transaction (against the state before it) and after every block
// (against the state before the block): the invariants of docs/titles.md and the buyer's word;
// every rejected transaction wrote nothing; every key a block read was prefetchable; and replaying
// the blocks from genesis gives byte-identical state and receipts.
// A failing seed replays exactly: TITLE_PROPERTY_SEED=<seed> (TITLE_PROPERTY_OPS=<n>).
import t from "tap";
import { applyTx, executeBlock, takesTxHash, type BlockContext, type LedgerDeps } from "../node/ledger/execute.js";
import { decodeLot, decodeReceivable, decodeTitle, encodeLot, encodeReceipt, encodeReceivable, encodeTitle } from "../node/ledger/records.js";
import { KEY, MemoryState, Overlay, type StateReader, type WriteSet } from "../node/ledger/state.js";
import { nodeCrypto } from "../node/crypto.js";
import { tx } from "../sdk/builders.js";
import { equalBytes, fromUtf8, toHex } from "../sdk/bytes.js";
import { financingOutstanding, liveFinanced } from "../sdk/domain.js";
import { fingerprintBillOfLading } from "../sdk/fingerprint.js";
import { verifyTxSignature, type Tx } from "../sdk/tx.js";
import { eventContradiction } from "../sdk/verify.js";
import { RESULT_CODES, type Goods, type Lot, type Receipt, type Receivable, type ResultCode, type Role, type Title, type TitleStatus } from "../sdk/types.js";
import type { TxPayload } from "../sdk/transactions/index.js";
import { cachedVerifier, CHAIN_ID, DAY, guardedReader, h32, invoiceFingerprint, makeParty, Pool, prefetchKeys, type RecordedBlock, replayBlocks, Rng, TestChain } from "./ledger-harness.js";

const BANKS = ["bank-a", "bank-b", "bank-c"];
const GENESIS_CUSTODIANS = ["wh-qingdao", "wh-shanghai", "carrier-maeu"];
/** a warehouse a bank onboards during the run; until then its transactions are UNKNOWN_SIGNER */
const LATE_CUSTODIAN = "wh-rotterdam";
const CUSTODIANS = [...GENESIS_CUSTODIANS, LATE_CUSTODIAN];
const ENTS = ["ent-1", "ent-2", "ent-3", "ent-4", "ent-5"];
const CUSTOMS = "customs";
const EVERYONE = [...BANKS, ...CUSTODIANS, ...ENTS, CUSTOMS, "auditor"];
const ROLE = new Map<string, Role>([
  ...BANKS.map((id) => [id, "BANK"] as const),
  ...CUSTODIANS.map((id) => [id, "CUSTODIAN"] as const),
  ...ENTS.map((id) => [id, "ENTERPRISE"] as const),
  [CUSTOMS, "CUSTOMS"],
  ["auditor", "AUDITOR"],
]);
const LOTS_PER_CUSTODIAN = 3;
const GOODS: Goods[] = [
  { hsCode: "740311", descriptionHash: h32("goods/copper cathodes"), unit: "TNE" },
  { hsCode: "760110", descriptionHash: h32("goods/aluminium ingots"), unit: "TNE" },
  { hsCode: "100199", descriptionHash: h32("goods/wheat"), unit: "KGM" },
  { hsCode: "270900", descriptionHash: h32("goods/crude oil"), unit: "MTQ" },
];
/** small pools of document numbers, so that titles collide with each other and with anchored bills of lading */
const WR_NUMBERS = 160;
const BL_NUMBERS = 96;
const wrFp = (n: number) => h32(`warehouse-receipt/${n}`);
const blFp = (n: number) => fingerprintBillOfLading({ carrierScac: "MAEU", blNumber: `MAEU${200_000 + n}` });
const lotIds = (custodian: string) => Array.from({ length: LOTS_PER_CUSTODIAN }, (_, k) => `${custodian}-lot-${k}`);
const goodsOf = (lotId: string) => GOODS[[...lotId].reduce((s, ch) => s + ch.charCodeAt(0), 0) % GOODS.length]!;

function iso(day: bigint): string {
  return new Date(Number(day * DAY)).toISOString().slice(0, 10);
}

const PLEDGED_ISH: readonly TitleStatus[] = ["PLEDGE_OFFERED", "PLEDGED"];
const isLive = (s: TitleStatus) => s !== "SURRENDERED";
const financesLive = (r: Receivable, bankId: string) => r.financings.some((f) => f.bankId === bankId && financingOutstanding(f) > 0n);

interface Change<T> {
  id: string;
  prev: T | undefined;
  next: T;
}

/**
 * The decoded §8/§9 records of the committed state, kept up to date from each block's net writes:
 * what the generator's clients see, and what the invariants are checked over.
 */
class Model {
  readonly lots = new Map<string, Lot>();
  readonly titles = new Map<string, Title>();
  readonly byStatus = new Map<TitleStatus, Pool>((["HELD", "PLEDGE_OFFERED", "PLEDGED", "SURRENDERED"] as const).map((s) => [s, new Pool()]));
  /** u/: fingerprint hex -> live title id */
  readonly liveFp = new Map<string, string>();
  /** b/: bill-of-lading fingerprint hex -> exporter */
  readonly billOfLading = new Map<string, string>();
  readonly receivables = new Map<string, Receivable>();
  readonly openReceivables = new Pool();
  readonly registered = new Set<string>();

  /** Applies a block's net writes; returns what changed (with the values before the block) and b/ problems. */
  apply(writes: WriteSet): { titles: Change<Title>[]; lots: Change<Lot>[]; receivables: Change<Receivable>[]; problems: string[] } {
    const titles: Change<Title>[] = [];
    const lots: Change<Lot>[] = [];
    const receivables: Change<Receivable>[] = [];
    const problems: string[] = [];
    for (const [key, value] of writes) {
      const id = key.slice(2);
      const kind = key.slice(0, 2);
      if (kind === "u/") {
        if (value) this.liveFp.set(id, fromUtf8(value));
        else this.liveFp.delete(id);
        continue;
      }
      if (kind === "b/") {
        const before = this.billOfLading.get(id);
        if (before !== undefined || !value) problems.push(`b/${id}: the bill of lading of ${before} was ${value ? `moved to ${fromUtf8(value)}` : "deleted"}`);
        if (value) this.billOfLading.set(id, fromUtf8(value));
        continue;
      }
      if (!value) {
        if (kind === "t/" || kind === "o/" || kind === "r/" || kind === "p/") problems.push(`${key} deleted`);
        continue;
      }
      if (kind === "t/") {
        const prev = this.titles.get(id);
        const next = decodeTitle(value);
        if (prev) this.byStatus.get(prev.status)!.delete(id);
        this.byStatus.get(next.status)!.add(id);
        this.titles.set(id, next);
        titles.push({ id, prev, next });
      } else if (kind === "o/") {
        const next = decodeLot(value);
        lots.push({ id, prev: this.lots.get(id), next });
        this.lots.set(id, next);
      } else if (kind === "r/") {
        const next = decodeReceivable(value);
        receivables.push({ id, prev: this.receivables.get(id), next });
        this.receivables.set(id, next);
        if (next.status === "CANCELLED" || next.status === "SETTLED") this.openReceivables.delete(id);
        else this.openReceivables.add(id);
      } else if (kind === "p/") {
        this.registered.add(id);
      }
    }
    return { titles, lots, receivables, problems };
  }
}

/** The invariants of docs/titles.md and of the buyer's word over the whole model. */
function violations(m: Model, acceptedCount: Map<string, number>, role: (id: string) => Role | undefined): string[] {
  const out: string[] = [];
  const sums = new Map<string, bigint>();
  let live = 0;
  for (const [id, title] of m.titles) {
    const fp = toHex(title.fingerprint);
    if (title.kind === "BILL_OF_LADING" && m.billOfLading.get(fp) !== title.firstHolderId) {
      out.push(`B/L title ${id}: b/${fp.slice(0, 12)} names ${m.billOfLading.get(fp)}, its first holder is ${title.firstHolderId}`);
    }
    if ((title.pledges ?? 0) !== (acceptedCount.get(id) ?? 0)) out.push(`title ${id}: counts ${title.pledges} pledges, ${acceptedCount.get(id) ?? 0} were accepted`);
    if (role(title.holderId) !== "ENTERPRISE") out.push(`title ${id} held by ${title.holderId}, not an enterprise`);
    if (!isLive(title.status)) {
      if (m.liveFp.get(fp) === id) out.push(`surrendered title ${id} still holds its fingerprint`);
      continue;
    }
    live++;
    if (m.liveFp.get(fp) !== id) out.push(`live title ${id}: u/${fp.slice(0, 12)} names ${m.liveFp.get(fp)}`);
    if ((title.status === "HELD") !== (title.pledge === undefined)) out.push(`title ${id} is ${title.status} with pledge ${title.pledge?.bankId}`);
    if (title.pledge && role(title.pledge.bankId) !== "BANK") out.push(`title ${id} pledged to ${title.pledge.bankId}, not a bank`);
    if (title.pledge && (title.status === "PLEDGED") !== (title.pledge.acceptedAt > 0n)) out.push(`title ${id} is ${title.status}, accepted at ${title.pledge.acceptedAt}`);
    sums.set(title.lotId, (sums.get(title.lotId) ?? 0n) + title.quantity);
  }
  if (m.liveFp.size !== live) out.push(`u/ holds ${m.liveFp.size} fingerprints for ${live} live titles`);
  for (const [fp, id] of m.liveFp) {
    const title = m.titles.get(id);
    if (!title || !isLive(title.status) || toHex(title.fingerprint) !== fp) out.push(`u/${fp.slice(0, 12)} names ${id}, not a live title with that fingerprint`);
  }
  for (const [id, lot] of m.lots) {
    const sum = sums.get(id) ?? 0n;
    if (lot.titled !== sum) out.push(`lot ${id}: titled ${lot.titled}, its live titles sum to ${sum}`);
    if (lot.titled > lot.quantity) out.push(`lot ${id}: ${lot.titled} titled beyond the ${lot.quantity} attested (the empty pledge)`);
  }
  for (const lotId of sums.keys()) if (!m.lots.has(lotId)) out.push(`live titles on missing lot ${lotId}`);
  for (const [id, r] of m.receivables) {
    const liveFin = liveFinanced(r);
    if (liveFin > r.amount) out.push(`receivable ${id}: live ${liveFin} above face ${r.amount}`);
    if (r.acknowledgedAmount > r.amount) out.push(`receivable ${id}: acknowledged ${r.acknowledgedAmount} above face ${r.amount}`);
    if (r.financings.length > 0 && r.attestedBy === "" && liveFin > r.acknowledgedAmount) out.push(`receivable ${id} financed on its buyer's word alone: live ${liveFin} above acknowledged ${r.acknowledgedAmount}`);
    if (r.disputed !== (r.disputedSince > 0n) || r.disputed !== (r.disputeReason !== "")) out.push(`receivable ${id}: dispute flag, reason and time disagree`);
    if (r.payeeBankId !== "" && (role(r.payeeBankId) !== "BANK" || r.payeeAccountHash.length !== 32 || !r.financings.some((f) => f.bankId === r.payeeBankId))) {
      out.push(`receivable ${id}: payee set by ${r.payeeBankId}, which never financed it`);
    }
    if ((r.acknowledgedAmount > 0n || r.disputed) && r.buyerPartyId === "") out.push(`receivable ${id}: a buyer off the network spoke for it`);
  }
  return out;
}

/** What one transaction did to a title, checked against the title before it: the life of a title (docs/titles.md). */
function titleStep(pre: Title | undefined, post: Title, type: string, signer: string): string | undefined {
  if (!pre) {
    if (type !== "issueTitle" || post.status !== "HELD" || post.pledge || post.custodianId !== signer || post.holderId !== post.firstHolderId || post.pledges !== 0) return `${type} by ${signer} created title ${post.id} as ${post.status}`;
    return undefined;
  }
  if (pre.status === "SURRENDERED") return `${type} by ${signer} changed surrendered title ${pre.id}`;
  if (pre.kind !== post.kind || !equalBytes(pre.fingerprint, post.fingerprint) || pre.lotId !== post.lotId || pre.custodianId !== post.custodianId || pre.quantity !== post.quantity || pre.firstHolderId !== post.firstHolderId || pre.issuedAt !== post.issuedAt) {
    return `${type} changed what title ${pre.id} is`;
  }
  if (PLEDGED_ISH.includes(pre.status) && pre.holderId !== post.holderId) return `${type} moved ${pre.status} title ${pre.id} from ${pre.holderId} to ${post.holderId}`;
  if (PLEDGED_ISH.includes(pre.status) && PLEDGED_ISH.includes(post.status) && pre.pledge?.bankId !== post.pledge?.bankId) {
    return `title ${pre.id} ${pre.status} to ${pre.pledge?.bankId} became ${post.status} to ${post.pledge?.bankId}: pledged to two banks`;
  }
  const step = `${pre.status}->${post.status}`;
  const bank = pre.pledge?.bankId;
  let ok: boolean;
  switch (step) {
    case "HELD->HELD":
      ok = type === "transferTitle" && signer === pre.holderId && post.holderId !== pre.holderId;
      break;
    case "HELD->PLEDGE_OFFERED":
      ok = type === "offerPledge" && signer === pre.holderId && post.holderId === pre.holderId && post.pledge?.acceptedAt === 0n;
      break;
    case "PLEDGE_OFFERED->PLEDGED":
      ok = type === "acceptPledge" && signer === bank && post.pledges === pre.pledges + 1;
      break;
    case "PLEDGE_OFFERED->HELD":
      ok = type === "releasePledge" && (signer === bank || signer === pre.holderId);
      break;
    case "PLEDGED->HELD":
      ok = type === "releasePledge" && signer === bank;
      break;
    case "HELD->SURRENDERED":
      ok = type === "surrenderTitle" && signer === pre.custodianId;
      break;
    default:
      ok = false;
  }
  if (!ok) return `title ${pre.id}: ${step} by ${type} of ${signer} (holder ${pre.holderId}, bank ${bank})`;
  if (step !== "PLEDGE_OFFERED->PLEDGED" && post.pledges !== pre.pledges) return `title ${pre.id}: pledge count moved on ${step}`;
  return undefined;
}

/** What one transaction did to a lot, against the lot before it. */
function lotStep(pre: Lot | undefined, post: Lot, type: string, signer: string): string | undefined {
  if (!pre) return type === "attestStock" && post.custodianId === signer && post.titled === 0n ? undefined : `${type} by ${signer} created lot ${post.id}`;
  if (pre.custodianId !== post.custodianId || pre.goods.hsCode !== post.goods.hsCode || pre.goods.unit !== post.goods.unit || !equalBytes(pre.goods.descriptionHash, post.goods.descriptionHash)) return `lot ${pre.id}: custodian or goods changed`;
  if (pre.quantity !== post.quantity && (type !== "attestStock" || signer !== pre.custodianId)) return `lot ${pre.id}: quantity moved by ${type} of ${signer}`;
  if (pre.titled !== post.titled && type !== "issueTitle" && type !== "surrenderTitle") return `lot ${pre.id}: titled moved by ${type}`;
  return undefined;
}

/** What one transaction did to a receivable's buyer's word and financings, against the receivable before it. */
function receivableStep(pre: Receivable | undefined, post: Receivable, payload: TxPayload, signer: string): string | undefined {
  if (!pre) return undefined;
  const type = payload.type;
  if (post.financings.length > pre.financings.length) {
    if (pre.disputed) return `receivable ${pre.id}: financed by ${signer} while disputed`;
    const liveFin = liveFinanced(post);
    if (post.attestedBy === "" && liveFin > post.acknowledgedAmount) return `receivable ${pre.id}: financed on its buyer's word beyond it (${liveFin} > ${post.acknowledgedAmount})`;
    if (type === "financeReceivable" && payload.requireAcknowledgement && liveFin > post.acknowledgedAmount) return `receivable ${pre.id}: financing requiring the acknowledgement went beyond it`;
  }
  if (pre.payeeBankId !== post.payeeBankId || !equalBytes(pre.payeeAccountHash, post.payeeAccountHash) || pre.payeeNotifiedAt !== post.payeeNotifiedAt) {
    if (type !== "notifyAssignment" || post.payeeBankId !== signer) return `receivable ${pre.id}: payee set to ${post.payeeBankId} by ${type} of ${signer}`;
    if (!financesLive(post, signer)) return `receivable ${pre.id}: payee set by ${signer}, which has no live financing`;
    if (pre.payeeBankId && pre.payeeBankId !== signer && financesLive(pre, pre.payeeBankId)) return `receivable ${pre.id}: ${signer} took the payee over from ${pre.payeeBankId}, which still finances it`;
  }
  const acknowledged = pre.acknowledgedAmount !== post.acknowledgedAmount || pre.acknowledgedDueDate !== post.acknowledgedDueDate || pre.acknowledgedAt !== post.acknowledgedAt;
  if (acknowledged && (type !== "acknowledgeReceivable" || signer !== pre.buyerPartyId || pre.disputed)) return `receivable ${pre.id}: acknowledgement changed by ${type} of ${signer}`;
  if (acknowledged && post.acknowledgedAmount < liveFinanced(post)) return `receivable ${pre.id}: acknowledged below what is financed`;
  if (pre.disputed !== post.disputed && signer !== pre.buyerPartyId) return `receivable ${pre.id}: dispute flag moved by ${signer}`;
  return undefined;
}

/** Builds blocks against the committed state (the model), as well- and ill-informed clients would. */
class Generator {
  readonly past: Tx[] = [];
  readonly financings: { receivableId: string; financingId: string; bankId: string }[] = [];
  readonly races = new Map<string, number>();
  private counter = 0;
  private time = 0n;
  private out: Tx[] = [];
  private blocks = 0;

  constructor(
    private readonly rng: Rng,
    private readonly chain: TestChain,
    private readonly m: Model,
  ) {}

  private get today(): bigint {
    return this.time / DAY;
  }
  private emit(signer: string, payload: TxPayload): Tx {
    const x = this.chain.sign(signer, payload, { createdAt: this.time - BigInt(this.rng.int(60_000)) });
    this.out.push(x);
    this.past.push(x);
    return x;
  }
  private other(xs: readonly string[], not: string | undefined): string {
    const rest = xs.filter((x) => x !== not);
    return this.rng.pick(rest);
  }
  private race(name: string): void {
    this.races.set(name, (this.races.get(name) ?? 0) + 1);
  }
  private title(status: TitleStatus): Title | undefined {
    const id = this.m.byStatus.get(status)!.pick(this.rng);
    return id === undefined ? undefined : this.m.titles.get(id);
  }
  private anyTitle(): Title | undefined {
    const r = this.rng.int(100);
    return this.title(r < 55 ? "HELD" : r < 75 ? "PLEDGE_OFFERED" : r < 92 ? "PLEDGED" : "SURRENDERED") ?? this.title("HELD");
  }
  private custodian(): string {
    return this.rng.pick(CUSTODIANS);
  }
  private receivable(): Receivable | undefined {
    const id = this.m.openReceivables.pick(this.rng);
    return id === undefined ? undefined : this.m.receivables.get(id);
  }

  block(time: bigint, size: number): Tx[] {
    this.time = time;
    this.out = [];
    this.blocks++;
    while (this.out.length < size) this.op();
    return this.out;
  }

  private op(): unknown {
    const r = this.rng;
    const roll = r.int(1000);
    if (roll < 15 && this.past.length > 0) {
      // a replay: of this block's transactions (DUPLICATE_TX) or of an earlier one (mostly TX_EXPIRED by now)
      const from = this.out.length > 0 && r.chance(0.6) ? this.out : this.past;
      this.out.push(from[Math.max(0, from.length - 1 - r.int(40))]!);
      return;
    }
    if (roll < 25) return this.forged();
    // the late custodian signs from the start (UNKNOWN_SIGNER), and is onboarded after a while
    if (roll < 32) return this.blocks > 150 ? this.onboard() : this.attestStock();
    if (roll < 100) return this.attestStock();
    if (roll < 200) return this.issue();
    if (roll < 245) return this.anchorBillOfLading();
    if (roll < 310) return this.transfer(this.anyTitle());
    if (roll < 400) return this.offer(this.anyTitle());
    if (roll < 460) return this.accept(this.title("PLEDGE_OFFERED") ?? this.anyTitle());
    if (roll < 530) return this.release(r.chance(0.65) ? this.title("PLEDGED") : this.title("PLEDGE_OFFERED"));
    if (roll < 570) return this.surrender(this.anyTitle());
    if (roll < 660) return this.titleRace();
    if (roll < 700) return this.register();
    if (roll < 720) return this.attestShipment();
    if (roll < 770) return this.acknowledge(this.receivable());
    if (roll < 790) return this.dispute(this.receivable());
    if (roll < 810) return this.resolve(this.receivable());
    if (roll < 870) return this.finance(this.receivable());
    if (roll < 900) return this.repay();
    if (roll < 930) {
      const f = this.financings.length > 0 && r.chance(0.7) ? r.pick(this.financings) : undefined;
      return this.notify(f ? this.m.receivables.get(f.receivableId) : this.receivable());
    }
    if (roll < 940) return this.cancel(this.receivable());
    return this.buyerRace();
  }

  /** A transaction broken in the envelope: a forged signature, or expired. */
  private forged(): void {
    const bank = this.rng.pick(BANKS);
    const payload = tx.acceptPledge({ titleId: this.m.byStatus.get("PLEDGE_OFFERED")!.pick(this.rng) ?? toHex(h32(`no-title/${this.counter++}`)) });
    this.out.push(
      this.rng.chance(0.5)
        ? { ...this.chain.sign(bank, payload, { createdAt: this.time }), signature: h32(`sig/${this.counter++}`).slice(0, 32) }
        : this.chain.sign(bank, payload, { createdAt: this.time - 3_600_001n }),
    );
  }

  /** A bank onboards the late custodian (once OK, then DUPLICATE_PARTY), or an enterprise tries to. */
  private onboard(): void {
    const p = this.chain.party(LATE_CUSTODIAN);
    this.emit(this.rng.chance(0.85) ? this.rng.pick(BANKS) : this.rng.pick(ENTS), tx.registerParty({ id: LATE_CUSTODIAN, role: "CUSTODIAN", name: "Rotterdam Warehousing", country: "NL", publicKey: p.signer.publicKey }));
  }

  // ---- §8: lots and titles ------------------------------------------------------------------------

  /** A custodian states what a lot holds: up, down (below what is titled, too), to zero; now and then another's lot or other goods. */
  private attestStock(given?: { custodian: string; lotId: string; down: boolean }): Tx {
    const r = this.rng;
    const custodian = given?.custodian ?? this.custodian();
    const lotId = given?.lotId ?? (r.chance(0.95) ? r.pick(lotIds(custodian)) : r.pick(lotIds(this.other(CUSTODIANS, custodian))));
    const lot = this.m.lots.get(lotId);
    let quantity: bigint;
    const roll = r.int(100);
    if (!lot) quantity = r.between(0n, 5_000n);
    else if (given?.down || roll < 25) quantity = lot.titled > 0n ? r.between(0n, lot.titled - 1n) : 0n; // below the live titles: EXCEEDS_STOCK
    else if (roll < 40) quantity = lot.titled; // exactly what is titled
    else if (roll < 50) quantity = lot.titled + r.between(0n, 10n);
    else quantity = lot.titled + r.between(0n, 3_000n);
    const goods = r.chance(0.03) ? r.pick(GOODS) : goodsOf(lotId);
    return this.emit(given || r.chance(0.97) ? custodian : r.pick(EVERYONE), tx.attestStock({ lotId, goods, quantity }));
  }

  /** A custodian issues a title on one of its lots: within the stock or beyond it, on a fingerprint that may be taken. */
  private issue(given?: { lotId?: string; fingerprint?: Uint8Array; kind?: "WAREHOUSE_RECEIPT" | "BILL_OF_LADING"; holder?: string; within?: boolean }): Tx {
    const r = this.rng;
    const lotId = given?.lotId ?? r.pick(lotIds(this.custodian()));
    const owner = this.m.lots.get(lotId)?.custodianId ?? CUSTODIANS.find((c) => lotId.startsWith(`${c}-`))!;
    const lot = this.m.lots.get(lotId);
    const room = lot ? lot.quantity - lot.titled : 100n;
    const within = given?.within ?? r.chance(0.75);
    const quantity = within && room > 0n ? r.between(1n, r.chance(0.3) ? room : room > 400n ? 400n : room) : r.between(room > 0n ? room + 1n : 1n, room + 200n);
    const kind = given?.kind ?? (r.chance(0.5) ? "BILL_OF_LADING" : "WAREHOUSE_RECEIPT");
    const blNumber = r.int(BL_NUMBERS);
    const fingerprint = given?.fingerprint ?? (kind === "BILL_OF_LADING" || r.chance(0.03) ? blFp(blNumber) : wrFp(r.int(WR_NUMBERS)));
    // a custodian issuing a B/L usually names the exporter the B/L belongs to, when there is one
    const exporter = this.m.billOfLading.get(toHex(fingerprint));
    const holder = given?.holder ?? (exporter && r.chance(0.7) ? exporter : r.chance(0.97) ? r.pick(ENTS) : r.pick(["bank-a", "wh-qingdao", "ent-unknown"]));
    return this.emit(r.chance(0.97) ? owner : this.other(CUSTODIANS, owner), tx.issueTitle({ kind, fingerprint, lotId, quantity, holder }));
  }

  /** An exporter anchors a bill of lading in Part I (the b/ namespace the B/L titles share). */
  private anchorBillOfLading(fingerprint = blFp(this.rng.int(BL_NUMBERS)), exporter = this.rng.pick(ENTS)): Tx {
    const r = this.rng;
    const linked = this.m.openReceivables.pick(r);
    const link = linked !== undefined && r.chance(0.15) ? { receivableId: linked } : {}; // the linked receivable's exporter, or UNAUTHORIZED
    const signer = r.chance(0.96) ? exporter : r.pick(BANKS); // a bank anchoring a B/L with no receivable: MALFORMED
    return this.emit(signer, tx.anchorDocument({ documentHash: h32(`bl-doc/${this.counter++}`), documentType: "BILL_OF_LADING", billOfLadingFingerprint: fingerprint, ...link }));
  }

  private someTitleId(title: Title | undefined): string {
    return title && this.rng.chance(0.98) ? title.id : toHex(h32(`no-title/${this.counter++}`));
  }

  private transfer(title: Title | undefined, signer?: string): Tx {
    const r = this.rng;
    const holder = title?.holderId ?? r.pick(ENTS);
    const to = r.chance(0.95) ? this.other(ENTS, holder) : r.pick([holder, "bank-b", "wh-shanghai"]);
    return this.emit(signer ?? (r.chance(0.9) ? holder : r.pick(EVERYONE)), tx.transferTitle({ titleId: this.someTitleId(title), to }));
  }

  private offer(title: Title | undefined, bank?: string, signer?: string): Tx {
    const r = this.rng;
    const holder = title?.holderId ?? r.pick(ENTS);
    // some offers lapse before the bank answers (TENOR_INVALID at accept), a few are past already
    const roll = r.int(100);
    const expiry = roll < 5 ? this.today - 1n - BigInt(r.int(5)) : roll < 25 ? this.today : this.today + 1n + BigInt(r.int(60));
    return this.emit(
      signer ?? (r.chance(0.9) ? holder : r.pick(EVERYONE)),
      tx.offerPledge({ titleId: this.someTitleId(title), bank: bank ?? (r.chance(0.95) ? r.pick(BANKS) : r.pick(ENTS)), securedAmount: r.between(1n, 10_000_000n), currency: r.pick(["USD", "EUR", "CNY"]), expiryDate: iso(expiry) }),
    );
  }

  private accept(title: Title | undefined, signer?: string): Tx {
    const r = this.rng;
    const bank = title?.pledge?.bankId;
    return this.emit(signer ?? (bank && r.chance(0.7) ? bank : r.chance(0.9) ? this.other(BANKS, bank) : r.pick(EVERYONE)), tx.acceptPledge({ titleId: this.someTitleId(title) }));
  }

  private release(title: Title | undefined, signer?: string): Tx {
    const r = this.rng;
    const roll = r.int(100);
    const who = signer ?? (roll < 60 && title?.pledge ? title.pledge.bankId : roll < 88 && title ? title.holderId : r.pick(EVERYONE));
    return this.emit(who, tx.releasePledge({ titleId: this.someTitleId(title) }));
  }

  private surrender(title: Title | undefined, signer?: string): Tx {
    const r = this.rng;
    const custodian = title?.custodianId ?? this.custodian();
    return this.emit(signer ?? (r.chance(0.88) ? custodian : r.chance(0.7) ? this.other(CUSTODIANS, custodian) : r.pick(ENTS)), tx.surrenderTitle({ titleId: this.someTitleId(title) }));
  }

  /** Two or more transactions on one title, lot or document in one block, in random order. */
  private titleRace(): unknown {
    const r = this.rng;
    const both = (a: () => unknown, b: () => unknown) => (r.chance(0.5) ? (a(), b()) : (b(), a()));
    const kind = r.int(11);
    const held = this.title("HELD");
    switch (kind) {
      case 0: {
        // two banks' pledges of one title (the repeated pledge)
        if (!held) return void this.issue();
        this.race("two offers of one title");
        const first = r.pick(BANKS);
        this.offer(held, first, held.holderId);
        this.offer(held, this.other(BANKS, first), held.holderId);
        return;
      }
      case 1:
        if (!held) return void this.issue();
        this.race("transfer and offer of one title");
        return both(() => this.transfer(held, held.holderId), () => this.offer(held, undefined, held.holderId));
      case 2:
        if (!held) return void this.issue();
        this.race("surrender and offer of one title");
        return both(() => this.surrender(held, held.custodianId), () => this.offer(held, undefined, held.holderId));
      case 3: {
        // a stock decrease and an issue on one lot
        const lots = [...this.m.lots.values()].filter((l) => l.titled > 0n || l.quantity > 0n);
        if (lots.length === 0) return void this.attestStock();
        const lot = r.pick(lots);
        this.race("stock decrease and issue on one lot");
        return both(() => this.attestStock({ custodian: lot.custodianId, lotId: lot.id, down: r.chance(0.5) }), () => this.issue({ lotId: lot.id, within: true }));
      }
      case 4: {
        // two titles on one document number, on two custodians' lots
        const fp = r.chance(0.5) ? wrFp(r.int(WR_NUMBERS)) : blFp(r.int(BL_NUMBERS));
        const kind = r.chance(0.5) ? ("BILL_OF_LADING" as const) : ("WAREHOUSE_RECEIPT" as const);
        this.race("two titles on one document");
        this.issue({ fingerprint: fp, kind, lotId: r.pick(lotIds(this.custodian())) });
        this.issue({ fingerprint: fp, kind, lotId: r.pick(lotIds(this.custodian())) });
        return;
      }
      case 5: {
        // a B/L title for one exporter and another exporter's anchoring of the same B/L
        const n = r.int(BL_NUMBERS);
        const x = r.pick(ENTS);
        this.race("B/L title and another exporter's anchoring");
        return both(() => this.issue({ fingerprint: blFp(n), kind: "BILL_OF_LADING", holder: x, within: true }), () => this.anchorBillOfLading(blFp(n), r.chance(0.7) ? this.other(ENTS, x) : x));
      }
      case 6: {
        // the right bank accepts while the holder withdraws the offer
        const offered = this.title("PLEDGE_OFFERED");
        if (!offered) return void this.offer(held);
        this.race("accept and withdrawal of one offer");
        return both(() => this.accept(offered, offered.pledge!.bankId), () => this.release(offered, offered.holderId));
      }
      case 7: {
        // two banks accept one offer
        const offered = this.title("PLEDGE_OFFERED");
        if (!offered) return void this.offer(held);
        this.race("two banks accept one offer");
        return both(() => this.accept(offered, offered.pledge!.bankId), () => this.accept(offered, this.other(BANKS, offered.pledge!.bankId)));
      }
      case 8: {
        // a title issued, transferred, offered and surrendered in the block it was issued in
        const issued = this.issue({ within: true, kind: "WAREHOUSE_RECEIPT", holder: r.pick(ENTS) });
        const p = issued.body.payload;
        if (p?.type !== "issueTitle") return;
        const fresh = { id: issued.hashHex, holderId: p.holder, custodianId: issued.body.signer } as Title;
        this.race("title used in the block it is issued in");
        if (r.chance(0.5)) this.surrender(fresh, fresh.custodianId);
        else {
          this.transfer(fresh, fresh.holderId);
          if (r.chance(0.5)) this.offer(fresh, undefined, fresh.holderId);
          if (r.chance(0.5)) this.surrender(fresh, fresh.custodianId);
        }
        return;
      }
      case 9: {
        // a pledged title released by its bank and moved on at once
        const pledged = this.title("PLEDGED");
        if (!pledged) return void this.accept(this.title("PLEDGE_OFFERED"));
        this.race("release then transfer of a pledged title");
        if (r.chance(0.5)) this.release(pledged, pledged.pledge!.bankId);
        this.transfer(pledged, pledged.holderId);
        if (r.chance(0.5)) this.offer(pledged, undefined, pledged.holderId);
        return;
      }
      default: {
        // a surrender and a re-issue of its document number
        if (!held) return void this.issue();
        this.race("surrender and re-issue of one document");
        this.surrender(held, held.custodianId);
        this.issue({ fingerprint: held.fingerprint, kind: held.kind, holder: r.chance(0.7) ? held.firstHolderId : undefined, within: true });
        return;
      }
    }
  }

  // ---- §9: the buyer's word ----------------------------------------------------------------------

  private register(): Tx {
    const r = this.rng;
    const seller = r.pick(ENTS);
    const n = this.counter++;
    const buyer = r.chance(0.85) ? this.other(ENTS, seller) : "";
    const currency = r.chance(0.9) ? "USD" : "EUR";
    return this.emit(
      seller,
      tx.registerReceivable({
        documentHash: h32(`invoice/${n}`),
        fingerprint: invoiceFingerprint(seller, buyer || "off-network", `INV-${n}`, currency),
        buyerId: `${buyer || "off-network"}-erp`,
        ...(buyer ? { buyerPartyId: buyer } : {}),
        amount: r.between(1_000n, 500_000n),
        currency,
        issueDate: iso(this.today - BigInt(r.int(10))),
        dueDate: iso(this.today + 15n + BigInt(r.int(120))),
      }),
    );
  }

  /** Customs attests a registered receivable now and then: some are financed on customs' word, the rest on the buyer's. */
  private attestShipment(): unknown {
    const rec = this.receivable();
    if (!rec || rec.status !== "REGISTERED") return void this.register();
    const label = `decl/${this.counter++}`;
    this.emit(
      CUSTOMS,
      tx.attestShipment({
        declarationFingerprint: h32(`declfp/${label}`),
        declarationHash: h32(`declhash/${label}`),
        exporterId: rec.exporterId,
        declaredValue: rec.amount,
        currency: rec.currency,
        exportDate: iso(this.today - 1n),
        receivableIds: [rec.id],
      }),
    );
  }

  private buyerOf(rec: Receivable | undefined): string {
    return rec?.buyerPartyId && this.rng.chance(0.9) ? rec.buyerPartyId : this.rng.pick(EVERYONE);
  }

  private acknowledge(rec: Receivable | undefined, amount?: bigint): Tx | undefined {
    const r = this.rng;
    if (!rec) return this.register();
    const live = liveFinanced(rec);
    const roll = r.int(100);
    const a = amount ?? (roll < 70 ? r.between(1n, rec.amount) : roll < 80 ? rec.amount : roll < 90 && live > 1n ? r.between(1n, live - 1n) : roll < 95 ? live > 0n ? live : 1n : rec.amount + 1n);
    return this.emit(this.buyerOf(rec), tx.acknowledgeReceivable({ receivableId: rec.id, amount: a, dueDate: iso(this.today + BigInt(r.int(90))) }));
  }

  private dispute(rec: Receivable | undefined): Tx | undefined {
    if (!rec) return this.register();
    return this.emit(this.buyerOf(rec), tx.disputeReceivable({ receivableId: rec.id, reason: this.rng.pick(["short delivery", "quality claim", "no such order"]) }));
  }

  private resolve(rec: Receivable | undefined): Tx | undefined {
    if (!rec) return this.register();
    return this.emit(this.buyerOf(rec), tx.resolveDispute({ receivableId: rec.id }));
  }

  private finance(rec: Receivable | undefined, bank?: string): Tx | undefined {
    const r = this.rng;
    if (!rec) return this.register();
    const live = liveFinanced(rec);
    const ceiling = rec.attestedBy === "" ? rec.acknowledgedAmount : rec.amount;
    const room = ceiling - live;
    const roll = r.int(100);
    const amount = roll < 60 && room > 0n ? r.between(1n, room) : roll < 75 && room > 0n ? room : roll < 90 ? room + r.between(1n, 1_000n) : r.between(1n, rec.amount);
    return this.emit(
      bank ?? (r.chance(0.95) ? r.pick(BANKS) : r.pick(EVERYONE)),
      tx.financeReceivable({ receivableId: rec.id, amount: amount > 0n ? amount : 1n, currency: r.chance(0.98) ? rec.currency : "CNY", requireAcknowledgement: r.chance(0.4) }),
    );
  }

  private repay(full = false, f = this.financings.length > 0 ? this.rng.pick(this.financings) : undefined): Tx | undefined {
    const r = this.rng;
    if (!f) return this.finance(this.receivable());
    const fin = this.m.receivables.get(f.receivableId)?.financings.find((x) => x.id === f.financingId);
    const outstanding = fin ? fin.amount - fin.repaid : 0n;
    const amount = outstanding > 0n && (full || r.chance(0.5)) ? outstanding : outstanding > 0n && r.chance(0.8) ? r.between(1n, outstanding) : r.between(1n, 100n);
    return this.emit(r.chance(0.95) ? f.bankId : r.pick(BANKS), tx.recordRepayment({ receivableId: f.receivableId, financingId: f.financingId, amount }));
  }

  private notify(rec: Receivable | undefined, bank?: string): Tx | undefined {
    const r = this.rng;
    if (!rec) return this.register();
    const banks = rec.financings.map((f) => f.bankId);
    const who = bank ?? (banks.length > 0 && r.chance(0.75) ? r.pick(banks) : r.chance(0.9) ? r.pick(BANKS) : r.pick(EVERYONE));
    return this.emit(who, tx.notifyAssignment({ receivableId: rec.id, payeeAccountHash: h32(`account/${who}/${r.int(3)}`) }));
  }

  private cancel(rec: Receivable | undefined): Tx | undefined {
    if (!rec) return this.register();
    return this.emit(this.rng.chance(0.9) ? rec.exporterId : this.rng.pick(ENTS), tx.cancelReceivable({ receivableId: rec.id, reason: "re-issued" }));
  }

  /** Races on one receivable in one block. */
  private buyerRace(): unknown {
    const r = this.rng;
    const rec = this.receivable();
    if (!rec) return void this.register();
    const both = (a: () => unknown, b: () => unknown) => (r.chance(0.5) ? (a(), b()) : (b(), a()));
    switch (r.int(6)) {
      case 0:
        this.race("dispute and financing of one receivable");
        return both(() => this.dispute(rec), () => this.finance(rec));
      case 1:
        this.race("resolution and financing of one receivable");
        return both(() => this.resolve(rec), () => this.finance(rec));
      case 2: {
        this.race("acknowledgement lowered and financing");
        const live = liveFinanced(rec);
        return both(() => this.acknowledge(rec, live > 0n ? live : 1n), () => this.finance(rec));
      }
      case 3: {
        this.race("two banks notify one receivable");
        const first = r.pick(BANKS);
        this.notify(rec, first);
        this.notify(rec, this.other(BANKS, first));
        return;
      }
      case 4: {
        // the payee bank repaid in full, and another bank finances and notifies
        const f = this.financings.find((x) => x.receivableId === rec.id && x.bankId === rec.payeeBankId);
        if (!f) return void this.notify(rec);
        this.race("payee bank repaid, another bank notifies");
        this.repay(true, f);
        const other = this.other(BANKS, f.bankId);
        this.finance(rec, other);
        this.notify(rec, other);
        return;
      }
      default:
        this.race("acknowledgement and two financings");
        this.acknowledge(rec);
        this.finance(rec);
        this.finance(rec);
    }
  }

  learn(receipts: Receipt[]): void {
    for (const e of receipts.flatMap((rc) => rc.events)) {
      if (e.type === "receivableFinanced") this.financings.push({ receivableId: e.receivableId, financingId: e.financingId, bankId: e.bankId });
    }
  }
}

function newChain(): TestChain {
  const c = new TestChain([
    ...BANKS.map((id) => makeParty(id, "BANK")),
    ...GENESIS_CUSTODIANS.map((id) => makeParty(id, "CUSTODIAN")),
    ...ENTS.map((id) => makeParty(id, "ENTERPRISE")),
    makeParty(CUSTOMS, "CUSTOMS"),
    makeParty("auditor", "AUDITOR"),
  ]);
  c.offChainParty(LATE_CUSTODIAN, "CUSTODIAN");
  return c;
}

/** Decoded value of a key in a reader, or undefined. */
function read<T>(s: StateReader, key: string, decode: (b: Uint8Array) => T): T | undefined {
  const b = s.get(key);
  return b && decode(b);
}

/** The per-transaction checks: a transaction's writes against the state just before it. */
function stepProblems(pre: StateReader, writes: WriteSet, x: Tx, rc: Receipt, role: (id: string) => Role | undefined): string[] {
  const out: string[] = [];
  const payload = x.body.payload!;
  const type = payload.type;
  const signer = x.body.signer;
  if (rc.code !== "OK") {
    if (rc.code === "DUPLICATE_TITLE" && payload.type === "issueTitle") {
      // the collision with a live title is recorded under that title (the B/L of another exporter under the new id)
      const live = pre.get(KEY.titleFingerprint(toHex(payload.fingerprint)));
      const want = live ? fromUtf8(live) : x.hashHex;
      if (rc.target !== want) out.push(`DUPLICATE_TITLE targets ${rc.target}, not ${want}`);
    }
    if (writes.size > 0) out.push(`rejected ${type} (${rc.code}) wrote ${[...writes.keys()].join(", ")}`);
    if (rc.events.length > 0) out.push(`rejected ${type} (${rc.code}) has events`);
    return out;
  }
  if (rc.events.length === 0) out.push(`OK ${type} has no events`);
  for (const e of rc.events) {
    const contradiction = eventContradiction(e, x);
    if (contradiction) out.push(`OK ${type}: its ${e.type} event disagrees with the transaction: ${contradiction}`);
  }
  for (const [key, value] of writes) {
    const kind = key.slice(0, 2);
    let problem: string | undefined;
    if (kind === "t/") {
      problem = value ? titleStep(read(pre, key, decodeTitle), decodeTitle(value), type, signer) : `${type} deleted ${key}`;
    } else if (kind === "o/") {
      problem = value ? lotStep(read(pre, key, decodeLot), decodeLot(value), type, signer) : `${type} deleted ${key}`;
    } else if (kind === "r/") {
      problem = value ? receivableStep(read(pre, key, decodeReceivable), decodeReceivable(value), payload, signer) : `${type} deleted ${key}`;
    } else if (kind === "b/") {
      const before = pre.get(key);
      if (before) problem = `${type} rewrote ${key} (was ${fromUtf8(before)})`;
      else if (type !== "issueTitle" && type !== "anchorDocument") problem = `${type} wrote ${key}`;
    } else if (kind === "u/") {
      const before = pre.get(key);
      if (value ? type !== "issueTitle" || before !== undefined : type !== "surrenderTitle" || before === undefined) problem = `${type} ${value ? "set" : "cleared"} ${key}`;
    }
    if (problem) out.push(problem);
  }
  return out;
}

const seeds = process.env.TITLE_PROPERTY_SEED ? [Number(process.env.TITLE_PROPERTY_SEED)] : [1];
const OPS = Number(process.env.TITLE_PROPERTY_OPS ?? 12_000);

for (const seed of seeds) {
  t.test(`random title, pledge and buyer's-word operations keep the invariants (seed ${seed})`, async (t) => {
    const started = performance.now();
    const rng = new Rng(seed);
    const chain = newChain();
    Object.assign(chain.deps, { verifySignature: cachedVerifier() });
    const model = new Model();
    for (const id of ROLE.keys()) if (chain.state.get(KEY.party(id))) model.registered.add(id);
    const role = (id: string) => (model.registered.has(id) ? ROLE.get(id) : undefined);
    const gen = new Generator(rng, chain, model);
    const blocks: RecordedBlock[] = [];
    const liveReceipts: string[] = [];
    const codes = new Map<string, number>();
    const byType = new Map<string, number>();
    const acceptedCount = new Map<string, number>();
    const problems: string[] = [];
    const stats = { reissuedFingerprints: 0, pledgesAccepted: 0, surrendered: 0, maxTitled: 0n, buyerWordFinancings: 0, payeeChanges: 0 };
    /** fingerprints some title ever carried */
    const titledFps = new Set<string>();
    let total = 0;

    while (total < OPS && problems.length === 0) {
      // mostly hours between blocks; now and then days, so that offers lapse and invoices fall due
      const time = chain.time + (rng.chance(0.02) ? BigInt(2 + rng.int(10)) * DAY : BigInt(rng.int(4 * 3600)) * 1000n);
      const txs = gen.block(time, 2 + rng.int(12));
      total += txs.length;
      const ctx = chain.blockContext(time);

      // 1. per transaction, on forks: each transaction's writes against the state just before it
      const overlay = new Overlay(chain.state);
      const seenInBlock = new Set<string>();
      const perTx = txs.map((x) => {
        const fork = overlay.fork();
        const rc = applyTx(fork, x, ctx, chain.deps, seenInBlock);
        for (const p of stepProblems(overlay, fork.writes, x, rc, role)) problems.push(`block ${ctx.height} tx ${txs.indexOf(x)}: ${p}`);
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
      const released = new Set<string>();
      const resolved = new Set<string>();
      receipts.forEach((rc, i) => {
        const bytes = toHex(encodeReceipt(rc));
        if (bytes !== toHex(encodeReceipt(perTx[i]!))) problems.push(`block ${ctx.height}: receipt ${i} differs between applyTx and executeBlock`);
        if (!RESULT_CODES.includes(rc.code)) problems.push(`unknown code ${rc.code}`);
        liveReceipts.push(bytes);
        codes.set(rc.code, (codes.get(rc.code) ?? 0) + 1);
        const type = txs[i]!.body.payload?.type ?? "none";
        byType.set(`${type}:${rc.code}`, (byType.get(`${type}:${rc.code}`) ?? 0) + 1);
        for (const e of rc.events) {
          if (e.type === "pledgeAccepted") acceptedCount.set(e.titleId, (acceptedCount.get(e.titleId) ?? 0) + 1);
          if (e.type === "pledgeReleased") released.add(e.titleId);
          if (e.type === "disputeResolved") resolved.add(e.receivableId);
        }
      });
      for (const [k, v] of writes) {
        const perTxValue = overlay.writes.get(k);
        if (v ? !perTxValue || toHex(v) !== toHex(perTxValue) : perTxValue !== null) problems.push(`block ${ctx.height}: block write ${k} differs from the per-transaction writes`);
      }

      // 3. commit, then the block against the state before it, and the invariants over the whole model
      chain.state.apply(writes);
      receipts.forEach((rc, i) => {
        if (takesTxHash(rc.code)) chain.committed.add(txs[i]!.hashHex);
      });
      chain.height = ctx.height;
      chain.time = time + 1000n;
      const changed = model.apply(writes);
      problems.push(...changed.problems.map((p) => `block ${ctx.height}: ${p}`));
      for (const { id, prev, next } of changed.titles) {
        if (prev?.status === "SURRENDERED") problems.push(`block ${ctx.height}: surrendered title ${id} changed again`);
        if (prev && PLEDGED_ISH.includes(prev.status) && prev.holderId !== next.holderId && !released.has(id)) problems.push(`block ${ctx.height}: ${prev.status} title ${id} changed holder with no release`);
        if (!prev) {
          const fp = toHex(next.fingerprint);
          if (titledFps.has(fp)) stats.reissuedFingerprints++;
          titledFps.add(fp);
        }
        if (next.status === "SURRENDERED" && prev?.status !== "SURRENDERED") stats.surrendered++;
      }
      for (const { id, prev, next } of changed.lots) {
        if (prev && (prev.custodianId !== next.custodianId || !equalBytes(prev.goods.descriptionHash, next.goods.descriptionHash))) problems.push(`block ${ctx.height}: lot ${id} changed hands or goods`);
        if (next.titled > stats.maxTitled) stats.maxTitled = next.titled;
      }
      for (const { id, prev, next } of changed.receivables) {
        if (!prev) continue;
        if (next.financings.length > prev.financings.length) {
          if (prev.disputed && !resolved.has(id)) problems.push(`block ${ctx.height}: receivable ${id} financed while disputed`);
          if (next.attestedBy === "") stats.buyerWordFinancings++;
        }
        if (next.payeeBankId !== prev.payeeBankId && prev.payeeBankId !== "") stats.payeeChanges++;
      }
      for (const v of violations(model, acceptedCount, role)) problems.push(`block ${ctx.height}: ${v}`);
      gen.learn(receipts);
      blocks.push({ time, txs });
    }
    stats.pledgesAccepted = [...acceptedCount.values()].reduce((s, n) => s + n, 0);
    t.same(problems.slice(0, 10), [], `invariants hold over ${total} operations in ${blocks.length} blocks`);
    t.ok(total >= OPS, `ran ${total} operations (at least ${OPS})`);

    const histogram = Object.fromEntries([...codes.entries()].sort((a, b) => b[1] - a[1]));
    t.comment(`seed ${seed}: ${total} operations in ${blocks.length} blocks, codes ${JSON.stringify(histogram)}`);
    t.comment(`seed ${seed}: by type ${JSON.stringify(Object.fromEntries([...byType.entries()].sort()))}`);
    t.comment(`seed ${seed}: races ${JSON.stringify(Object.fromEntries([...gen.races.entries()].sort()))}`);
    // the generator really exercised the rules (one that only produced OK would prove nothing)
    for (const code of [
      "OK",
      "EXCEEDS_STOCK",
      "DUPLICATE_TITLE",
      "TITLE_PLEDGED",
      "BILL_OF_LADING_REUSED",
      "NOT_HOLDER",
      "NOT_FOUND",
      "UNAUTHORIZED",
      "INVALID_STATE",
      "UNKNOWN_PARTY",
      "UNKNOWN_SIGNER",
      "TENOR_INVALID",
      "DUPLICATE_PARTY",
      "MALFORMED",
      "NOT_ACKNOWLEDGED",
      "NOT_ATTESTED",
      "DISPUTED",
      "PAYEE_LOCKED",
      "EXCEEDS_FACE_VALUE",
      "DOUBLE_FINANCING",
      "DUPLICATE_TX",
      "BAD_SIGNATURE",
      "TX_EXPIRED",
    ] as const satisfies readonly ResultCode[]) {
      t.ok((codes.get(code) ?? 0) > 0, `produced ${code}`);
    }
    for (const step of [
      "attestStock:EXCEEDS_STOCK",
      "issueTitle:EXCEEDS_STOCK",
      "issueTitle:DUPLICATE_TITLE",
      "anchorDocument:BILL_OF_LADING_REUSED",
      "offerPledge:TITLE_PLEDGED",
      "transferTitle:TITLE_PLEDGED",
      "surrenderTitle:TITLE_PLEDGED",
      "acceptPledge:UNAUTHORIZED",
      "acceptPledge:TENOR_INVALID",
      "releasePledge:UNAUTHORIZED",
      "releasePledge:OK",
      "surrenderTitle:OK",
      "surrenderTitle:INVALID_STATE",
      "financeReceivable:DISPUTED",
      "financeReceivable:NOT_ACKNOWLEDGED",
      "acknowledgeReceivable:INVALID_STATE",
      "notifyAssignment:PAYEE_LOCKED",
      "notifyAssignment:OK",
      "resolveDispute:OK",
    ]) {
      t.ok((byType.get(step) ?? 0) > 0, `produced ${step}`);
    }
    const byStatus = Object.fromEntries([...model.byStatus.entries()].map(([s, p]) => [s, p.size]));
    t.comment(`seed ${seed}: titles ${JSON.stringify(byStatus)}, lots ${model.lots.size}, receivables ${model.receivables.size}, ${JSON.stringify(stats, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
    t.ok(stats.reissuedFingerprints > 0 && stats.pledgesAccepted > 0 && stats.surrendered > 0 && stats.buyerWordFinancings > 0 && stats.payeeChanges > 0, "reached re-issued documents, accepted pledges, surrenders, financing on the buyer's word and a payee handed over");

    // replaying the same blocks from genesis gives identical state and receipts
    const again = replayBlocks(newChain(), blocks, (c) => ({ ...c.deps, verifySignature: cachedVerifier() }));
    t.equal(again.hash, chain.stateHash(), "replay from genesis reproduces the live state byte for byte");
    t.ok(again.receipts.length === liveReceipts.length && again.receipts.every((r, i) => r === liveReceipts[i]), `and all ${liveReceipts.length} receipts`);
    t.comment(`seed ${seed}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
}

t.test("the checkers themselves catch broken titles and lots", async (t) => {
  const c = newChain();
  const model = new Model();
  for (const id of ROLE.keys()) if (c.state.get(KEY.party(id))) model.registered.add(id);
  const role = (id: string) => (model.registered.has(id) ? ROLE.get(id) : undefined);
  const run = (signer: string, payload: TxPayload) => {
    const res = c.block([c.sign(signer, payload)]);
    model.apply(res.writes);
    t.equal(res.receipts[0]!.code, "OK", res.receipts[0]!.message);
    return res.receipts[0]!;
  };
  const lotId = lotIds("wh-qingdao")[0]!;
  run("wh-qingdao", tx.attestStock({ lotId, goods: goodsOf(lotId), quantity: 100n }));
  const id = run("wh-qingdao", tx.issueTitle({ kind: "BILL_OF_LADING", fingerprint: blFp(1), lotId, quantity: 60n, holder: "ent-1" })).target;
  t.same(violations(model, new Map(), role), []);

  // receipts beyond the stock: the lot's titled total no longer bounded
  const lot = model.lots.get(lotId)!;
  const tampered = new MemoryState();
  tampered.put(KEY.lot(lotId), encodeLot({ ...lot, quantity: 50n }));
  model.apply(tampered.map);
  t.match(violations(model, new Map(), role).join("\n"), /60 titled beyond the 50 attested/);

  // a title moved while pledged, and a surrendered title changed again: the per-transaction check
  const title = model.titles.get(id)!;
  const pledged: Title = { ...title, status: "PLEDGED", pledge: { bankId: "bank-a", securedAmount: 1n, currency: "USD", expiryDate: "2027-01-01", offeredAt: 1n, acceptedAt: 2n }, pledges: 1 };
  const pre = new MemoryState();
  pre.put(KEY.title(id), encodeTitle(pledged));
  const moved = new Map([[KEY.title(id), encodeTitle({ ...pledged, holderId: "ent-2" })]]) as WriteSet;
  const x = c.sign("ent-1", tx.transferTitle({ titleId: id, to: "ent-2" }));
  const okReceipt: Receipt = { txHash: x.hash, code: "OK", message: "", target: id, events: [{ type: "titleTransferred", titleId: id, fromId: "ent-1", toId: "ent-2" }] };
  t.match(stepProblems(pre, moved, x, okReceipt, role).join("\n"), /moved PLEDGED title/);
  pre.put(KEY.title(id), encodeTitle({ ...title, status: "SURRENDERED" }));
  t.match(stepProblems(pre, new Map([[KEY.title(id), encodeTitle({ ...title, holderId: "ent-2" })]]) as WriteSet, x, okReceipt, role).join("\n"), /changed surrendered title/);
  // a rejection that wrote something
  t.match(stepProblems(pre, moved, x, { ...okReceipt, code: "TITLE_PLEDGED", events: [] }, role).join("\n"), /rejected transferTitle \(TITLE_PLEDGED\) wrote/);

  // the buyer's word: financed while disputed, beyond the acknowledgement, a payee set by a bank that does not finance it
  const inv = run(
    "ent-1",
    tx.registerReceivable({ documentHash: h32("chk/doc"), fingerprint: h32("chk/fp"), buyerId: "ent-2-erp", buyerPartyId: "ent-2", amount: 100n, currency: "USD", issueDate: "2026-10-01", dueDate: "2026-12-01" }),
  ).target;
  const rec = model.receivables.get(inv)!;
  const acknowledged = { ...rec, acknowledgedAmount: 50n, acknowledgedDueDate: "2026-12-01", acknowledgedAt: 1n };
  const financed = { ...acknowledged, status: "PARTIALLY_FINANCED" as const, financings: [{ id: "f", bankId: "bank-a", amount: 60n, repaid: 0n, financedAt: 2n, writtenOff: 0n, writtenOffAt: 0n }] };
  const finance = tx.financeReceivable({ receivableId: inv, amount: 60n, currency: "USD" });
  t.match(receivableStep({ ...acknowledged, disputed: true, disputeReason: "short", disputedSince: 1n }, financed, finance, "bank-a"), /financed by bank-a while disputed/);
  t.match(receivableStep(acknowledged, financed, finance, "bank-a"), /beyond it \(60 > 50\)/);
  const notice = tx.notifyAssignment({ receivableId: inv, payeeAccountHash: h32("chk/account") });
  t.match(receivableStep(financed, { ...financed, payeeBankId: "bank-b", payeeAccountHash: h32("chk/account"), payeeNotifiedAt: 3n }, notice, "bank-b"), /no live financing/);
  const tamperedR = new MemoryState();
  tamperedR.put(KEY.receivable(inv), encodeReceivable(financed));
  model.apply(tamperedR.map);
  t.match(violations(model, new Map(), role).join("\n"), /financed on its buyer's word alone: live 60 above acknowledged 50/);
});

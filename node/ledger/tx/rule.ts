// What the ledger knows about a transaction type beyond its format: who may sign it, the state keys
// it touches, and its rule. One value of TxRule per type, in that type's own file beside this one
// (docs/architecture.md, "Adding a transaction type"), collected by index.ts in a mapped type over
// every transaction type. Also the vocabulary every rule uses: typed state access, `reject` for a
// domain rejection (a receipt), `invariant` for a broken invariant (the node halts).
import { fromUtf8, toHex } from "../../../sdk/bytes.js";
import type { Tx } from "../../../sdk/tx.js";
import type { Crypto } from "../../../sdk/crypto.js";
import type { TxFormat } from "../../../sdk/transactions/index.js";
import type { CreditLine, Declaration, DocumentRecord, Event, Financing, Party, Piece, Receivable, ResultCode, Role, Warrant } from "../../../sdk/types.js";
import { decodeCreditLine, decodeDeclaration, decodeDocumentRecord, decodeParty, decodePiece, decodeReceivable, decodeWarrant, encodeCreditLine, encodePiece, encodeReceivable, encodeWarrant } from "../records.js";
import { KEY, type StateReader, type StateWriter } from "../state.js";
import { pieceChanged, receivableChanged } from "../aggregates.js";

export interface BlockTime {
  /** block time, ms since the Unix epoch */
  time: bigint;
  /** block height */
  height: bigint;
}

/** Rule parameters fixed at genesis (config ledger.*): every validator must run with the same. */
export interface RuleParams {
  /** a warrant's maturity is at most this many days after its issue (DESIGN.md §7) */
  maxWarrantTenorDays: bigint;
  /** smallest warrant piece a transfer may create, in major units of the warrant's currency */
  minWarrantPieceMajorUnits: bigint;
  /** deepest a piece may be below its warrant's first piece */
  maxWarrantDepth: number;
  /** consensus K and L (genesis consensus.*): where an epoch ends after a validator-set decision (docs/governance.md §5) */
  checkpointInterval: number;
  watermarkWindow: number;
}

export const DEFAULT_RULE_PARAMS: Readonly<RuleParams> = { maxWarrantTenorDays: 365n, minWarrantPieceMajorUnits: 100n, maxWarrantDepth: 12, checkpointInterval: 10, watermarkWindow: 40 };

export interface TransitionContext<P = unknown> {
  state: StateWriter;
  tx: Tx;
  payload: P;
  signer: Party;
  block: BlockTime;
  params: Readonly<RuleParams>;
  /** signature checks a rule makes itself (a new key's possession proof, docs/governance.md) */
  crypto: Pick<Crypto, "verify">;
}

/** What the aggregates' keys of a receivable depend on (node/ledger/aggregates.ts aggregateKeysOf, bookKeysOf). */
export type ReceivableKeyFields = Pick<Receivable, "exporterId" | "financings" | "currency" | "dueDate" | "buyerPartyId" | "buyerId">;
/** What the aggregates' keys of a warrant piece depend on (node/ledger/aggregates.ts pieceAggregateKeysOf). */
export type PieceKeyFields = Pick<Piece, "status" | "holderId" | "currency" | "soldBy" | "obligorId" | "dueDate" | "maturityDate">;

export interface TxRule<P extends { type: string }> {
  /** the type's format, target and named objects (sdk/transactions/), shared with the SDK */
  readonly format: TxFormat<P, never>;
  /** roles that may sign this type at all, before per-record ownership checks (else UNAUTHORIZED) */
  readonly signers: readonly Role[];
  /**
   * Every state key the rule may read besides the signer's party. With `loaded` (a getter over keys
   * fetched so far) also keys referenced by loaded records; called again with more loaded keys it
   * must reach a fixpoint (node/ledger/execute.ts accessKeys).
   */
  keys(payload: P, tx: Tx, loaded?: (key: string) => Uint8Array | undefined): readonly string[];
  /**
   * The receivable this transaction creates, as far as the block prefetch needs it (its id and the
   * fields aggregate keys derive from): a later transaction of the same block (a financing) names
   * book keys of a record the prefetch cannot load yet. Only for types that create receivables.
   */
  createsReceivable?(payload: P, tx: Tx): [id: string, fields: ReceivableKeyFields];
  /**
   * Likewise the warrant pieces it creates (a piece passed on and financed, or sold on, within one
   * block), from the payload and the fields of the piece it spends (`piece`: loaded, or created earlier
   * in the block; undefined if unknown). Only for types that create pieces.
   */
  createsPieces?(payload: P, tx: Tx, piece: (id: string) => PieceKeyFields | undefined): [id: string, fields: PieceKeyFields][];
  /** The rule: reads and writes `state`, returns the events, or throws via `reject` / `invariant`. */
  apply(ctx: TransitionContext<P>): Event[];
}

/**
 * A domain rejection: becomes the receipt's code and message; the transaction writes nothing.
 * Thrown as control flow from inside a rule, and deliberately not an Error: rejections are
 * routine (every fraud attempt is one) and capturing a stack trace for each would cost more than
 * the rule check itself.
 */
export class Rejection {
  constructor(
    readonly code: Exclude<ResultCode, "OK">,
    readonly message: string,
    /** overrides the receipt target (e.g. the existing receivable a duplicate collides with) */
    readonly target?: string,
  ) {}
}

/** State the ledger found inconsistent with its own invariants: halt, do not sign on it. */
export class LedgerInvariantError extends Error {
  override readonly name = "LedgerInvariantError";
  readonly code = "INVARIANT_BROKEN" as const;
}

export function reject(code: Exclude<ResultCode, "OK">, message: string, target?: string): never {
  throw new Rejection(code, message, target);
}

export function invariant(ok: unknown, message: string): asserts ok {
  if (!ok) throw new LedgerInvariantError(message);
}

// ---- typed state access ---------------------------------------------------------------------

export function getParty(s: StateReader, id: string): Party | undefined {
  const b = s.get(KEY.party(id));
  return b && decodeParty(b);
}
export function getReceivable(s: StateReader, id: string): Receivable | undefined {
  const b = s.get(KEY.receivable(id));
  return b && decodeReceivable(b);
}
export function getDeclaration(s: StateReader, fpHex: string): Declaration | undefined {
  const b = s.get(KEY.declaration(fpHex));
  return b && decodeDeclaration(b);
}
export function getDocument(s: StateReader, hashHex: string): DocumentRecord | undefined {
  const b = s.get(KEY.document(hashHex));
  return b && decodeDocumentRecord(b);
}
export function getText(s: StateReader, key: string): string | undefined {
  const b = s.get(key);
  return b && fromUtf8(b);
}
/**
 * The one writer of receivable records: it also keeps the running aggregates of the lending book in
 * line with the change (bank books, the exporter's credit facts: node/ledger/aggregates.ts).
 */
export function putReceivable(s: StateWriter, r: Receivable): void {
  receivableChanged(s, getReceivable(s, r.id), r);
  s.put(KEY.receivable(r.id), encodeReceivable(r));
}

/** A receivable named by a transaction, or NOT_FOUND. */
export function receivableOrReject(s: StateReader, id: string, target?: string): Receivable {
  return getReceivable(s, id) ?? reject("NOT_FOUND", `no receivable ${id}`, target);
}

/**
 * The financing `financingId` of receivable `r` and its index, when `bankId` made it: NOT_FOUND if
 * there is none, UNAUTHORIZED for another bank's (`act` says what only the financing bank may do).
 */
export function ownFinancing(r: Receivable, financingId: string, bankId: string, act: string): { index: number; f: Financing } {
  const index = r.financings.findIndex((f) => f.id === financingId);
  if (index < 0) reject("NOT_FOUND", `receivable ${r.id} has no financing ${financingId}`);
  const f = r.financings[index]!;
  if (f.bankId !== bankId) reject("UNAUTHORIZED", `financing ${f.id} was made by ${f.bankId}; only that bank ${act}`);
  return { index, f };
}

/** A registered party of the given role, or `code` (UNKNOWN_PARTY unless said otherwise). */
export function partyOfRole(s: StateReader, id: string, role: Role, what: string): Party {
  const p = getParty(s, id);
  if (!p || p.role !== role) reject("UNKNOWN_PARTY", `${what} ${id} is not a registered ${role} party`);
  return p;
}

export function getCreditLine(s: StateReader, id: string): CreditLine | undefined {
  const b = s.get(KEY.creditLine(id));
  return b && decodeCreditLine(b);
}
export function putCreditLine(s: StateWriter, line: CreditLine): void {
  s.put(KEY.creditLine(line.id), encodeCreditLine(line));
}
export function getWarrant(s: StateReader, id: string): Warrant | undefined {
  const b = s.get(KEY.warrant(id));
  return b && decodeWarrant(b);
}
export function putWarrant(s: StateWriter, w: Warrant): void {
  s.put(KEY.warrant(w.id), encodeWarrant(w));
}
export function getPiece(s: StateReader, id: string): Piece | undefined {
  const b = s.get(KEY.piece(id));
  return b && decodePiece(b);
}
/**
 * The one writer of warrant piece records: it also keeps the lending aggregates in line (a FINANCED
 * piece is in its holder bank's book; the obligor's facts count paid, written-off and extended pieces).
 */
export function putPiece(s: StateWriter, piece: Piece): void {
  pieceChanged(s, getPiece(s, piece.id), piece);
  s.put(KEY.piece(piece.id), encodePiece(piece));
}
/** A warrant piece named by a transaction, or NOT_FOUND. */
export function pieceOrReject(s: StateReader, id: string): Piece {
  return getPiece(s, id) ?? reject("NOT_FOUND", `no warrant piece ${id}`);
}

export const money = (amount: bigint, currency: string) => `${amount} ${currency}`;

/** Hex of bytes from a payload (empty for anything else: keys of a malformed payload are never read). */
export function hexOf(value: unknown): string {
  return value instanceof Uint8Array ? toHex(value) : "";
}

// What the ledger knows about a transaction type beyond its format: who may sign it, the state keys
// it touches, and its rule. One value of TxRule per type, in that type's own file beside this one
// (docs/architecture.md, "Adding a transaction type"), collected by index.ts in a mapped type over
// every transaction type. Also the vocabulary every rule uses: typed state access, `reject` for a
// domain rejection (a receipt), `invariant` for a broken invariant (the node halts).
import { fromUtf8, toHex } from "../../../sdk/bytes.js";
import type { Tx } from "../../../sdk/tx.js";
import type { TxFormat } from "../../../sdk/transactions/index.js";
import type { Declaration, DocumentRecord, Event, Party, Receivable, ResultCode, Role } from "../../../sdk/types.js";
import { decodeDeclaration, decodeDocumentRecord, decodeParty, decodeReceivable, encodeReceivable } from "../records.js";
import { KEY, type StateReader, type StateWriter } from "../state.js";

export interface BlockTime {
  /** block time, ms since the Unix epoch */
  time: bigint;
}

export interface TransitionContext<P = unknown> {
  state: StateWriter;
  tx: Tx;
  payload: P;
  signer: Party;
  block: BlockTime;
}

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
export function putReceivable(s: StateWriter, r: Receivable): void {
  s.put(KEY.receivable(r.id), encodeReceivable(r));
}

/** A receivable named by a transaction, or NOT_FOUND. */
export function receivableOrReject(s: StateReader, id: string, target?: string): Receivable {
  return getReceivable(s, id) ?? reject("NOT_FOUND", `no receivable ${id}`, target);
}

export const money = (amount: bigint, currency: string) => `${amount} ${currency}`;

/** Hex of bytes from a payload (empty for anything else: keys of a malformed payload are never read). */
export function hexOf(value: unknown): string {
  return value instanceof Uint8Array ? toHex(value) : "";
}

// The ledger state machine: applyTx runs one signed transaction against state as of its position in
// a block and returns its receipt; executeBlock runs a block's transactions in order. Deterministic:
// the result depends only on the state, the transactions and the block context (never the local
// clock, randomness or iteration order of anything unordered). Each transaction type's rule is in
// its own file under tx/ and is documented, code by code, in docs/ledger.md.
import { encodeValidatorSet, GOVERNANCE_KEY, type ValidatorMember } from "./governance.js";
import { toHex, utf8 } from "../../sdk/bytes.js";
import type { Crypto } from "../../sdk/crypto.js";
import { verifyTxSignature, type Tx } from "../../sdk/tx.js";
import { partyKeyAt } from "../../sdk/signers.js";
import type { Party, Receipt, ResultCode } from "../../sdk/types.js";
import type { TxPayload } from "../../sdk/transactions/index.js";
import { formatOf } from "../../sdk/transactions/index.js";
import { registerPartyTx } from "../../sdk/transactions/register-party.js";
import { txBodyFormatError } from "../../sdk/validate.js";
import { decodeParty, decodePiece, decodeReceivable, encodeParty } from "./records.js";
import { aggregateKeysOf, bookKeysOf, pieceAggregateKeysOf } from "./aggregates.js";
import { DEFAULT_RULE_PARAMS, Rejection, TX_RULES, type PieceKeyFields, type ReceivableKeyFields, type RuleParams, type TransitionContext, type TxRule } from "./tx/index.js";
import { KEY, Overlay, type StateReader, type StateWriter, type TxLookup, type WriteSet } from "./state.js";
import { superviseRejection, superviseSuccess, supervisionKeys } from "./supervision.js";
import type { Alert } from "../../sdk/types.js";

export { LedgerInvariantError, MAX_FINANCINGS_PER_RECEIVABLE, MAX_RECEIVABLES_PER_DECLARATION, WRITERS } from "./tx/index.js";

/** The rule of a payload's type (the mapped type guarantees one per type). */
const ruleOf = (p: TxPayload): TxRule<TxPayload> => TX_RULES[p.type] as unknown as TxRule<TxPayload>;

export interface BlockContext {
  chainId: string;
  height: bigint;
  /** the block's timestamp, ms since the Unix epoch: the ledger's only notion of "now" */
  time: bigint;
  proposer: string;
}

export interface LedgerParams extends RuleParams {
  /** a transaction's createdAt may be at most this far before the block time */
  txMaxAgeMs: bigint;
  /** ... and at most this far after it */
  txMaxFutureMs: bigint;
}

export const DEFAULT_LEDGER_PARAMS: Readonly<LedgerParams> = { txMaxAgeMs: 3_600_000n, txMaxFutureMs: 300_000n, ...DEFAULT_RULE_PARAMS };

export interface LedgerDeps {
  crypto: Crypto;
  /** signature check; the node passes one that consults a cache of already-verified tx hashes */
  verifySignature?: (tx: Tx, publicKey: Uint8Array) => boolean;
  /** committed tx hashes of earlier blocks (DUPLICATE_TX); see takesTxHash */
  txLookup: TxLookup;
  params?: Partial<LedgerParams>;
}

export interface BlockExecution {
  receipts: Receipt[];
  /** net changes of the block: a key's final value, or null if it was deleted */
  writes: WriteSet;
}

/**
 * Whether a transaction that got this receipt code took its hash for replay protection. A hash is
 * taken by the one transaction that passes the envelope up to and including the replay check:
 * every OK, MALFORMED, UNAUTHORIZED or domain rejection. Copies rejected before that point (wrong
 * chain, unknown signer, forged signature or one by a retired key, outside its time window) do not take it: the hash covers
 * only the body, so a copy of a pending transaction with a garbage signature would otherwise block
 * the genuine one; an expired transaction can never pass later, and one from too far in the future
 * may pass once its time comes. A replay (DUPLICATE_TX) finds the hash already taken. So each hash
 * has at most one taker, ever. The store's TxLookup answers true exactly for the hashes taken in
 * earlier blocks.
 */
export function takesTxHash(code: ResultCode): boolean {
  return code !== "WRONG_CHAIN" && code !== "UNKNOWN_SIGNER" && code !== "BAD_SIGNATURE" && code !== "KEY_RETIRED" && code !== "TX_EXPIRED" && code !== "DUPLICATE_TX";
}

/**
 * Applies one transaction. A rejected transaction yields a receipt with its code, message and
 * target, no events, and writes nothing to `state`. `seenInBlock` holds the hashes taken earlier in
 * the same block (executeBlock passes one); applyTx adds this transaction's hash if it takes it.
 */
export function applyTx(state: StateWriter, tx: Tx, block: BlockContext, deps: LedgerDeps, seenInBlock?: Set<string>): Receipt {
  const body = tx.body;
  const payload: TxPayload | undefined = body.payload;
  const target = safeTarget(payload, tx.hashHex);
  const rejected = (code: Exclude<ResultCode, "OK">, message: string, at: string = target): Receipt => ({
    txHash: tx.hash,
    code,
    message,
    target: at,
    events: [],
  });

  // ---- envelope, in this order (docs/ledger.md "Envelope") ----
  if (body.chainId !== block.chainId) return rejected("WRONG_CHAIN", `transaction is for chain ${JSON.stringify(body.chainId)}, this chain is ${block.chainId}`);
  const signerBytes = state.get(KEY.party(body.signer));
  if (!signerBytes) return rejected("UNKNOWN_SIGNER", `no party ${JSON.stringify(body.signer)} is registered`);
  const signer = decodeParty(signerBytes);
  // The key in force for this block (sdk/signers.ts partyKeyAt, the function verifiers use): a key
  // rotated in block h still signs the rest of block h, its successor from h + 1 on.
  const verify = (key: Uint8Array) => (deps.verifySignature ? deps.verifySignature(tx, key) : verifyTxSignature(deps.crypto, key, tx));
  if (!verify(partyKeyAt(signer, block.height))) {
    const retired = signer.retiredKeys?.find((k) => k.untilHeight <= block.height && verify(k.publicKey));
    if (retired) return rejected("KEY_RETIRED", `signed with a key of ${signer.id} retired at height ${retired.untilHeight - 1n}: sign with its current key`);
    return rejected("BAD_SIGNATURE", `signature does not verify under the key of ${signer.id}`);
  }

  const maxAge = deps.params?.txMaxAgeMs ?? DEFAULT_LEDGER_PARAMS.txMaxAgeMs;
  const maxFuture = deps.params?.txMaxFutureMs ?? DEFAULT_LEDGER_PARAMS.txMaxFutureMs;
  if (body.createdAt < block.time - maxAge) return rejected("TX_EXPIRED", `created at ${body.createdAt}, more than ${maxAge} ms before block time ${block.time}`);
  if (body.createdAt > block.time + maxFuture) return rejected("TX_EXPIRED", `created at ${body.createdAt}, more than ${maxFuture} ms after block time ${block.time}`);
  if (seenInBlock?.has(tx.hashHex) || deps.txLookup.hasCommittedTx(tx.hashHex)) {
    return rejected("DUPLICATE_TX", `transaction ${tx.hashHex} was already ordered`);
  }
  // From here on this transaction takes its hash (takesTxHash), whatever its fate. A rejection from
  // here on is counted by the REJECTION_BURST rules (node/ledger/supervision.ts).
  seenInBlock?.add(tx.hashHex);
  const counted = (r: Receipt, alerts: Alert[] = []): Receipt => {
    const all = [...alerts, ...superviseRejection(deps.crypto, state, tx, signer.id, block.time)];
    return all.length > 0 ? { ...r, alerts: all } : r;
  };

  const malformed = txBodyFormatError(body);
  if (malformed !== null) return counted(rejected("MALFORMED", malformed));
  const p = payload!;
  const rule = ruleOf(p);
  if (!rule.signers.includes(signer.role)) return counted(rejected("UNAUTHORIZED", `a ${signer.role} may not ${p.type}`));

  // ---- domain rules, on a scratch overlay committed only on success ----
  const scratch = new Overlay(state);
  const params = deps.params ? { ...DEFAULT_RULE_PARAMS, ...definedOnly(deps.params) } : DEFAULT_RULE_PARAMS;
  const ctx: TransitionContext<TxPayload> = { state: scratch, tx, payload: p, signer, block, params, crypto: deps.crypto };
  let events;
  try {
    events = rule.apply(ctx);
  } catch (err) {
    if (err instanceof Rejection) return counted(rejected(err.code, err.message, err.target ?? target));
    throw err; // a broken invariant: halt loudly rather than sign on corrupt state
  }
  // Supervision (DESIGN.md §11): tallies, then the active rules; a BLOCK rule rejects the transaction.
  const supervised = superviseSuccess(deps.crypto, state, scratch, tx, p, signer, block.time);
  if (supervised.blockedBy) {
    const b = supervised.blockedBy;
    return counted(rejected("BLOCKED_BY_RULE", `blocked by supervision rule ${b.ruleId} (${b.kind}): ${b.detail}`), supervised.alerts);
  }
  scratch.commitTo(state);
  const ok: Receipt = { txHash: tx.hash, code: "OK", message: "", target, events };
  if (supervised.alerts.length > 0) ok.alerts = supervised.alerts;
  return ok;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Runs a block's transactions in order over `state` (which it does not modify). */
export function executeBlock(state: StateReader, txs: Tx[], block: BlockContext, deps: LedgerDeps): BlockExecution {
  const overlay = new Overlay(state);
  const seen = new Set<string>();
  const receipts = txs.map((tx) => applyTx(overlay, tx, block, deps, seen));
  return { receipts, writes: netWrites(state, overlay.writes) };
}

/** Drops writes that leave a key as it was before the block (re-put equal bytes, delete of absent). */
function netWrites(base: StateReader, writes: WriteSet): WriteSet {
  const out: WriteSet = new Map();
  for (const [key, value] of writes) {
    const before = base.get(key);
    if (value === null ? before === undefined : before !== undefined && sameBytes(before, value)) continue;
    out.set(key, value);
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function safeTarget(payload: TxPayload | undefined, txHashHex: string): string {
  try {
    const format = formatOf(payload?.type);
    const t = format && payload ? format.target(payload, txHashHex) : "";
    return typeof t === "string" ? t : "";
  } catch {
    return ""; // a payload too broken to name its target (possible only for hand-built Tx objects)
  }
}

/**
 * Every state key applyTx may read for `tx`: the signer's party and the keys its type's rule names
 * (TxRule.keys). With `loaded` (a getter over keys fetched so far) it also returns keys referenced
 * by loaded records (a cancelled receivable's fingerprint, invoice document and declaration).
 * Calling it again with more loaded keys reaches a fixpoint in two rounds. Keys a transaction reads
 * that an earlier transaction of the same block wrote are served from the block's overlay, and
 * whatever a record references was read or written by the transaction that made it reference it,
 * so prefetching these keys against the state before the block is sufficient.
 */
/** Receivables and warrant pieces a block creates, by state key (r/<id>, q/<id>): recordsCreatedIn. */
export type CreatedInBlock = ReadonlyMap<string, ReceivableKeyFields | PieceKeyFields>;

/**
 * The receivables and warrant pieces a block's transactions create, by state key, as far as the
 * prefetch needs them (TxRule.createsReceivable, createsPieces): a receivable registered and financed,
 * or a piece passed on and financed, within one block is not in the state the prefetch reads, so the
 * financing's book keys come from the creating payload (and, for a piece, the piece it spends:
 * `loaded` or created earlier in the block). Called again as the prefetch loads more.
 */
export function recordsCreatedIn(txs: readonly Tx[], loaded?: (key: string) => Uint8Array | undefined): Map<string, ReceivableKeyFields | PieceKeyFields> {
  const out = new Map<string, ReceivableKeyFields | PieceKeyFields>();
  const pieceOf = (id: string): PieceKeyFields | undefined => {
    const bytes = loaded?.(KEY.piece(id));
    return bytes ? decodePiece(bytes) : (out.get(KEY.piece(id)) as PieceKeyFields | undefined);
  };
  for (const tx of txs) {
    const p = tx.body.payload;
    if (!p || !formatOf(p.type)) continue;
    try {
      const rule = ruleOf(p);
      const created = rule.createsReceivable?.(p as never, tx);
      if (created) out.set(KEY.receivable(created[0]), created[1]);
      for (const [id, fields] of rule.createsPieces?.(p as never, tx, pieceOf) ?? []) out.set(KEY.piece(id), fields);
    } catch {
      // a payload too malformed to say what it creates is rejected as MALFORMED
    }
  }
  return out;
}

export function accessKeys(tx: Tx, loaded?: (key: string) => Uint8Array | undefined, inBlock?: CreatedInBlock): string[] {
  const body = tx.body;
  const keys = new Set<string>([KEY.party(body.signer)]);
  const p = body.payload;
  let ruleKeys: readonly string[] = [];
  if (p && formatOf(p.type)) {
    try {
      ruleKeys = ruleOf(p).keys(p, tx, loaded);
      for (const k of ruleKeys) keys.add(k);
    } catch {
      // a payload too malformed to name its keys is rejected as MALFORMED before any rule reads state
    }
  }
  // A rule that writes a receivable also moves the aggregates of its exporter and banks
  // (aggregates.ts): the signer's (a new receivable's exporter, a new financing's bank) and those
  // the loaded record names.
  for (const k of [...keys]) {
    if (!k.startsWith("r/")) continue;
    const signers = ruleOf(p!).signers;
    if (signers.includes("ENTERPRISE")) keys.add(KEY.creditFacts(body.signer));
    const bytes = loaded?.(k);
    const loadedRecord: ReceivableKeyFields | undefined = bytes ? decodeReceivable(bytes) : loaded ? (inBlock?.get(k) as ReceivableKeyFields | undefined) : undefined;
    if (!loadedRecord) continue;
    // a payload that moves the due date (an extension) moves the book's records of the new date too
    const newDueDate = (p as { newDueDate?: unknown }).newDueDate;
    for (const r of typeof newDueDate === "string" ? [loadedRecord, { ...loadedRecord, dueDate: newDueDate }] : [loadedRecord]) {
      for (const a of aggregateKeysOf(r)) keys.add(a);
      // a bank's new financing moves its own book (and supervision reads it)
      if (signers.includes("BANK")) for (const a of bookKeysOf(body.signer, r)) keys.add(a);
    }
  }
  // Likewise a rule that writes a warrant piece moves the book of the bank holding (or buying) it and
  // the obligor's facts (aggregates.ts pieceAggregateKeysOf). A bank sale's new pieces land in the
  // buyers' books (the payload's outputs). A piece created earlier in the block comes from inBlock.
  for (const k of [...keys]) {
    if (!k.startsWith("q/")) continue;
    const bytes = loaded?.(k);
    const piece: PieceKeyFields | undefined = bytes ? decodePiece(bytes) : loaded ? (inBlock?.get(k) as PieceKeyFields | undefined) : undefined;
    if (!piece) continue;
    keys.add(KEY.creditFacts(piece.obligorId));
    // only a bank's piece (FINANCED), or one a bank acts on (buys, sells on), moves a book
    const banks = new Set<string>();
    if (piece.status === "FINANCED") {
      banks.add(piece.holderId);
      const outputs = (p as { outputs?: unknown }).outputs;
      if (Array.isArray(outputs)) for (const o of outputs) if (typeof (o as { to?: unknown })?.to === "string") banks.add((o as { to: string }).to);
    }
    if (ruleOf(p!).signers.includes("BANK")) banks.add(body.signer);
    const newDueDate = (p as { newDueDate?: unknown }).newDueDate;
    for (const bank of banks) for (const a of pieceAggregateKeysOf(piece, bank, typeof newDueDate === "string" ? newDueDate : undefined)) keys.add(a);
  }
  try {
    for (const k of supervisionKeys(tx, ruleKeys, loaded)) keys.add(k);
  } catch {
    // a record that does not decode is reported when the ledger reads it
  }
  return [...keys];
}

/**
 * The state of a new chain: its genesis parties and their public-key index. Throws TypeError if a
 * party is malformed or two parties share an id or a public key (config/ validates the genesis file
 * too; this guards the ledger's own invariants).
 */
export function genesisWrites(parties: Party[], validators?: readonly ValidatorMember[]): WriteSet {
  const writes: WriteSet = new Map();
  for (const [i, party] of parties.entries()) {
    const issue = registerPartyTx.check({ ...party, type: registerPartyTx.type });
    if (issue) throw new TypeError(`genesis party ${i} (${String(party.id)}): ${issue.field}: ${issue.message}`);
    const partyKey = KEY.party(party.id);
    const pkKey = KEY.publicKey(toHex(party.publicKey));
    if (writes.has(partyKey)) throw new TypeError(`genesis party ${i}: duplicate party id ${party.id}`);
    if (writes.has(pkKey)) throw new TypeError(`genesis party ${i} (${party.id}): public key already used by another party`);
    writes.set(partyKey, encodeParty(party));
    writes.set(pkKey, utf8(party.id));
  }
  // the genesis validator set, version 0: what governance changes by transaction (DESIGN.md §12)
  if (validators) {
    const keys = new Set<string>();
    for (const [i, v] of validators.entries()) {
      if (!(v.nodePublicKey instanceof Uint8Array) || v.nodePublicKey.length !== 32) throw new TypeError(`genesis validator ${i}: node key must be 32 bytes`);
      if (keys.has(toHex(v.nodePublicKey))) throw new TypeError(`genesis validator ${i}: node key used twice`);
      keys.add(toHex(v.nodePublicKey));
    }
    writes.set(GOVERNANCE_KEY.validatorSet, encodeValidatorSet({ members: validators.map((v) => ({ partyId: v.partyId, nodePublicKey: v.nodePublicKey })), version: 0n, switchAt: 0n, runningMembers: [], runningVersion: 0n, runningSince: 0n }));
  }
  return writes;
}

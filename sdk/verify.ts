// Verification of what a node serves, against the validator set, so an auditor need not trust the
// node it asks (DESIGN §4): the history of a receivable, piece, warrant, credit line, title or lot
// (one verifier for every kind), or one transaction, with the inclusion proofs and
// commit certificates the RPC returns (`?proofs=true`, GET /v1/txs/:hash). Browser-safe and pure;
// never throws on malformed input: every failure is a listed problem.
//
// What a passing check proves, per entry (docs/api.md §6):
//   1. the signed transaction is leaf `index` of the block's txs root (RFC 6962 audit path);
//   2. a quorum (2f+1) of the validator set signed COMMIT for that block (PBFT §4.2): the
//      certificate's digest is batchDigest(chainId, height, time, txsRoot) of the served header;
//   3. the header is certified with its results: a checkpoint certificate (2f+1 CHECKPOINTs over
//      its hash, or over a header above it linked by prev_hash; sdk/certified.ts), so its receipts
//      root and state root are the validators';
//   4. the receipt is leaf `index` of that receipts root, is for this transaction, and the entry's
//      code, message, target and event are the receipt's;
//   5. every event field the signed transaction determines agrees with it (ids, amounts, parties);
//   6. the signature verifies under the signer's key at that height, from its Party record proven
//      under a certified state root (sdk/signers.ts), unless the certified receipt says the
//      ledger did not accept it (WRONG_CHAIN, UNKNOWN_SIGNER, BAD_SIGNATURE);
//   7. each entry concerns the object, by the node's own rule (sdk/history-chain.ts
//      historyEntriesOfTx), and entries are in chain order without repeats;
//   8. (histories) the entries are all of them up to a certified height: the object's history
//      chain record, proven under a certified state root, counts and chains exactly those entries
//      (sdk/history-chain.ts); a missing one is named.
// What it does not prove: freshness (answers are "as of" a certified height) and anything about a
// validator set other than the ones given (docs/security.md §7).
//
// The validators given are the genesis set (validatorSetFromGenesis: enough while the chain never
// changed its set) or the chain of sets verifyValidatorSets proved from it (sdk/epochs.ts): each
// commit and checkpoint certificate is then checked with the set of the epoch it names, and only
// for that epoch's seqs; an epoch the sets given do not prove is EPOCH_UNPROVEN, a seq outside the
// epoch named WRONG_EPOCH.
import { equalBytes, fromHex, isHex, toHex } from "./bytes.js";
import { CodecError, decode } from "./codec.js";
import { batchDigest, verifyCommitCertificate, type Validator, type VerifySignature } from "./commit.js";
import { nobleCrypto, sha256 } from "./crypto.js";
import { certificateFromJson, sameJson, toJsonView } from "./json.js";
import {
  certifiedHeaderFromJson,
  validatorsForEpoch,
  validatorsOf,
  verifyCertifiedHeader,
  verifyCertifiedState,
  type CertifiedHeaderProofJson,
  type TrustedValidators,
  type ValidatorSet,
  type ValidatorSetChain,
} from "./certified.js";
import { checkHistoryComplete, decodeHistoryChain, HISTORY_KINDS, historyChainKey, historyEntriesOfTx, REJECTED_ATTEMPT, type HistoryKind, type ObjectKind } from "./history-chain.js";
import { stateProofFromJson } from "./proofs.js";
import { verifyReceiptInclusion, verifyTxInclusion } from "./proofs.js";
import { decodeTx, verifyTxSignature, type Tx } from "./tx.js";
import { partyKeyAt, SIGNATURE_NOT_ACCEPTED, verifySignerKeys, type SignerKeysCheck, type SignerKeysJson } from "./signers.js";
import type { Alert, BlockHeader, Event, EventWire, Party, Receipt, ResultCode } from "./types.js";
import type { TxPayload } from "./transactions/index.js";
import { formatOf, type EventCheck } from "./transactions/index.js";
import type { HistoryPageJson, ObjectHistoryPageJson } from "./api/routes.js";
import type { TxJson } from "./api/schemas.js";

export type { TrustedValidators, ValidatorSet };

export type VerificationProblemCode =
  | "MALFORMED"
  | "WRONG_CHAIN"
  | "MISSING_PROOF"
  | "TX_MISMATCH"
  | "TX_NOT_IN_BLOCK"
  | "HEADER_MISMATCH"
  | "CERTIFICATE_MISSING"
  | "CERTIFICATE_INVALID"
  | "NOT_CERTIFIED"
  | "SIGNER_UNPROVEN"
  | "BAD_SIGNATURE"
  | "NOT_PROVEN_COMPLETE"
  | "ENTRY_MISSING"
  | "RECEIPT_NOT_IN_BLOCK"
  | "RECEIPT_MISMATCH"
  | "EVENT_MISMATCH"
  | "EVENT_CONTRADICTS_TX"
  | "NOT_THIS_RECEIVABLE"
  /** an entry (or the page) concerns another piece, warrant, credit line, title or lot */
  | "NOT_THIS_OBJECT"
  /** verifyTitlePledges: the pledges shown are not those the title's proven history makes */
  | "PLEDGES_MISMATCH"
  | "OUT_OF_ORDER"
  /** a certificate names a validator-set epoch the sets given do not prove (pass verifyValidatorSets' chain) */
  | "EPOCH_UNPROVEN"
  /** a certificate names an epoch whose seqs do not include its block (e.g. a removed set signing a later block) */
  | "WRONG_EPOCH";

export interface VerificationProblem {
  code: VerificationProblemCode;
  message: string;
  /** index of the history entry, when the problem is an entry's */
  entry?: number;
  height?: string;
}

export interface VerificationReport {
  ok: boolean;
  /** entries (or transactions) checked */
  checked: number;
  /** blocks whose commit certificate verified */
  certifiedBlocks: number;
  /** verifyHistory: the certified height up to which the history is proven complete (every entry served) */
  completeThrough?: string;
  problems: VerificationProblem[];
}

interface Block {
  header: BlockHeader;
  hash: Uint8Array;
}

/** A block as a history or transaction view serves it: header, commit certificate, certified header. */
interface BlockProof {
  hash: string;
  header: string;
  certificate: unknown;
  certified?: CertifiedHeaderProofJson | undefined;
}


/** The validator set of a genesis file (config/schema.ts): its chain id and validators' node keys. */
export function validatorSetFromGenesis(genesis: unknown): ValidatorSet {
  const g = genesis as { chainId?: unknown; validators?: unknown };
  if (!g || typeof g.chainId !== "string" || !Array.isArray(g.validators)) throw new TypeError("a genesis has chainId and validators");
  return {
    chainId: g.chainId,
    validators: g.validators.map((v: { id?: unknown; nodePublicKey?: unknown }, i: number) => {
      if (typeof v?.id !== "string" || !isHex(v.nodePublicKey, 32)) throw new TypeError(`validators[${i}] needs id and nodePublicKey (32 bytes hex)`);
      return { id: v.id, publicKey: fromHex(v.nodePublicKey) };
    }),
  };
}

/** The validator set as validators with key bytes, or why it is unusable. */
export const normalizeSet: (set: ValidatorSet) => Validator[] | string = validatorsOf;

function decodeReceipt(bytes: Uint8Array): Receipt {
  const wire = decode<{ txHash: Uint8Array; code: ResultCode; message: string; target: string; events: EventWire[]; alerts?: Alert[] }>("Receipt", bytes);
  const receipt: Receipt = {
    txHash: wire.txHash,
    code: wire.code,
    message: wire.message,
    target: wire.target,
    events: wire.events.map((e, i) => {
      if (!e.kind) throw new CodecError("invalid", `event ${i} has no kind`, "Receipt");
      return e.kind;
    }),
  };
  // Supervision alerts are part of the certified receipt (docs/supervision.md); absent when none,
  // as the ledger builds receipts (node/ledger/records.ts).
  if (wire.alerts && wire.alerts.length > 0) receipt.alerts = wire.alerts;
  return receipt;
}

/**
 * The fields of an event that its signed transaction fixes, checked against it. Returns what
 * disagrees, or null. (Amounts such as liveFinanced depend on state and are not checked here.)
 */
export function eventContradiction(event: Event, tx: Tx): string | null {
  const p = tx.body.payload;
  const check = formatOf(p.type)?.events[event.type] as EventCheck<TxPayload, Event> | undefined;
  if (!check) return `a ${event.type} event from another transaction type`;
  return check(event, p, { hashHex: tx.hashHex, signer: tx.body.signer });
}

class Checker {
  readonly problems: VerificationProblem[] = [];
  /**
   * Signature checks of checkpoint certificates, remembered: blocks certified by the same checkpoint
   * (every block up to it, and the signer keys' and history chain's headers) carry the same
   * signatures, so each is verified once per answer. A pure function's results, cached.
   */
  readonly verifyCheckpoint: VerifySignature = (() => {
    const seen = new Map<string, boolean>();
    return (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean => {
      const k = `${toHex(publicKey)}.${toHex(message)}.${toHex(signature)}`;
      let ok = seen.get(k);
      if (ok === undefined) seen.set(k, (ok = nobleCrypto.verify(publicKey, message, signature)));
      return ok;
    };
  })();
  private readonly blocks = new Map<string, Block | null>();
  certified = 0;

  get validatorSet(): TrustedValidators {
    return this.set;
  }

  constructor(
    private readonly set: TrustedValidators,
    private readonly chainId: string,
  ) {}

  /** each signer's record from the highest certified height served */
  private keys: Map<string, { party: Party | null; height: bigint }> | undefined;
  private keysProblem: string | undefined;
  private keysProblemCode: VerificationProblemCode | undefined;
  private keysReported = false;

  /** The signers' keys served with the answer (each set verified once); none served leaves them unproven. */
  useSignerKeys(json: SignerKeysJson | readonly SignerKeysJson[] | undefined | null): void {
    if (json === undefined || json === null) return;
    const sets = Array.isArray(json) ? json : [json as SignerKeysJson];
    const keys = new Map<string, { party: Party | null; height: bigint }>();
    for (const set of sets) {
      const check: SignerKeysCheck = verifySignerKeys(set, this.set, sha256, this.verifyCheckpoint);
      if (!check.ok) {
        this.keysProblem = check.reason;
        this.keysProblemCode = check.code;
        return;
      }
      for (const [id, party] of check.parties) {
        const have = keys.get(id);
        if (!have || have.height < check.height) keys.set(id, { party, height: check.height });
      }
    }
    this.keys = keys;
  }

  /**
   * The signature of `tx` checked against its party's key in force at `height`, proven from
   * certified state (sdk/signers.ts): a node cannot serve forged signature bytes, which the txs
   * root does not cover (it hashes bodies). Skipped for receipts whose code says the ledger did
   * not accept the signature (WRONG_CHAIN, UNKNOWN_SIGNER, BAD_SIGNATURE).
   */
  private signature(tx: Tx, receipt: Receipt, height: bigint, where: { entry?: number; height?: string }): void {
    if (SIGNATURE_NOT_ACCEPTED.has(receipt.code)) return;
    const keys = this.keys;
    if (!keys) {
      if (!this.keysReported) {
        this.keysReported = true;
        this.problem(this.keysProblemCode ?? "SIGNER_UNPROVEN", this.keysProblem ? `the signers' keys do not verify: ${this.keysProblem}` : "no signer keys were served (ask with waitCertifiedMs once the head is certified)", where);
      }
      return;
    }
    const proven = keys.get(tx.body.signer);
    const party = proven?.party;
    if (!proven || !party) {
      this.problem("SIGNER_UNPROVEN", `no proven party record of signer ${tx.body.signer}`, where);
      return;
    }
    if (proven.height < height) {
      this.problem("SIGNER_UNPROVEN", `signer ${tx.body.signer}'s record is proven at height ${proven.height}, below the transaction's ${height}`, where);
      return;
    }
    if (!verifyTxSignature(nobleCrypto, partyKeyAt(party, height), tx)) {
      this.problem("BAD_SIGNATURE", `the signature served does not verify under ${tx.body.signer}'s key at height ${height}`, where);
    }
  }

  problem(code: VerificationProblemCode, message: string, where: { entry?: number; height?: string } = {}): void {
    this.problems.push({ code, message, ...where });
  }

  /** Checks a block proof once; returns the decoded header if it is certified. */
  block(height: string, proof: BlockProof | undefined): Block | null {
    const known = this.blocks.get(height);
    if (known !== undefined) return known;
    const result = this.checkBlock(height, proof);
    this.blocks.set(height, result);
    if (result) this.certified++;
    return result;
  }

  private checkBlock(height: string, proof: BlockProof | undefined): Block | null {
    if (!proof) {
      this.problem("MISSING_PROOF", `no header and certificate for block ${height}`, { height });
      return null;
    }
    let header: BlockHeader;
    let headerBytes: Uint8Array;
    try {
      headerBytes = fromHex(proof.header);
      header = decode<BlockHeader>("BlockHeader", headerBytes);
    } catch (err) {
      this.problem("MALFORMED", `block ${height}: the header does not decode (${(err as Error).message})`, { height });
      return null;
    }
    const hash = sha256(headerBytes);
    if (proof.hash !== toHex(hash)) this.problem("HEADER_MISMATCH", `block ${height}: the header does not hash to the block hash served`, { height });
    if (header.height.toString() !== height) {
      this.problem("HEADER_MISMATCH", `block ${height}: the header is for height ${header.height}`, { height });
      return null;
    }
    if (header.chainId !== this.chainId) {
      this.problem("WRONG_CHAIN", `block ${height} is of chain ${header.chainId}, not ${this.chainId}`, { height });
      return null;
    }
    if (proof.certificate === null || proof.certificate === undefined) {
      this.problem("CERTIFICATE_MISSING", `block ${height} has no commit certificate`, { height });
      return null;
    }
    let digest: Uint8Array;
    try {
      digest = batchDigest(sha256, { chainId: header.chainId, height: header.height, time: header.time, txsRoot: header.txsRoot });
    } catch (err) {
      this.problem("MALFORMED", `block ${height}: ${(err as Error).message}`, { height });
      return null;
    }
    let check;
    try {
      const cert = certificateFromJson(proof.certificate);
      // the set of the epoch the certificate names, and only for that epoch's blocks
      const pick = validatorsForEpoch(this.set, cert.epoch, header.height);
      if (!pick.ok) {
        this.problem(pick.code ?? "CERTIFICATE_INVALID", `block ${height}: commit certificate: ${pick.reason}`, { height });
        return null;
      }
      check = verifyCommitCertificate(cert, pick.validators, nobleCrypto.verify, { chainId: this.chainId, seq: header.height, digest });
    } catch (err) {
      check = { ok: false as const, reason: `malformed: ${(err as Error).message}` };
    }
    if (!check.ok) {
      this.problem("CERTIFICATE_INVALID", `block ${height}: ${check.reason}`, { height });
      return null;
    }
    // The commit certificate signs the batch only; the header's receipts and state roots are
    // certified by a checkpoint certificate over this header or one above it (sdk/certified.ts).
    if (!proof.certified) {
      this.problem("NOT_CERTIFIED", `block ${height}: no checkpoint certificate covers its receipts and state roots (ask with waitCertifiedMs)`, { height });
      return null;
    }
    let certified;
    try {
      certified = verifyCertifiedHeader(certifiedHeaderFromJson(proof.certified), this.set, sha256, this.verifyCheckpoint);
    } catch (err) {
      certified = { ok: false as const, reason: `malformed: ${(err as Error).message}` };
    }
    if (!certified.ok) {
      this.problem(("code" in certified && certified.code) || "CERTIFICATE_INVALID", `block ${height}: checkpoint certificate: ${certified.reason}`, { height });
      return null;
    }
    if (!equalBytes(certified.hash, hash)) {
      this.problem("HEADER_MISMATCH", `block ${height}: the header served is not the certified header`, { height });
      return null;
    }
    return { header, hash };
  }

  /** Checks one transaction and its receipt against a certified block; returns them if consistent. */
  txAndReceipt(
    block: Block,
    where: { entry?: number; height?: string },
    p: { txHash: string; index: number; tx: string; receipt: string; txProof: string[]; receiptProof: string[] },
  ): { tx: Tx; receipt: Receipt; receiptBytes: Uint8Array } | null {
    let tx: Tx;
    let receiptBytes: Uint8Array;
    let receipt: Receipt;
    let txProof: Uint8Array[];
    let receiptProof: Uint8Array[];
    try {
      tx = decodeTx(nobleCrypto, fromHex(p.tx));
      receiptBytes = fromHex(p.receipt);
      receipt = decodeReceipt(receiptBytes);
      txProof = p.txProof.map(fromHex);
      receiptProof = p.receiptProof.map(fromHex);
    } catch (err) {
      this.problem("MALFORMED", `the transaction, receipt or proofs do not decode (${(err as Error).message})`, where);
      return null;
    }
    if (tx.hashHex !== p.txHash) {
      this.problem("TX_MISMATCH", `the transaction served hashes to ${tx.hashHex}, not ${p.txHash}`, where);
      return null;
    }
    if (tx.body.chainId !== this.chainId) {
      this.problem("WRONG_CHAIN", `the transaction is for chain ${tx.body.chainId}`, where);
      return null;
    }
    const { header } = block;
    if (!verifyTxInclusion(header.txsRoot, tx.hash, p.index, header.txCount, txProof)) {
      this.problem("TX_NOT_IN_BLOCK", `transaction ${p.txHash} is not leaf ${p.index} of block ${header.height}'s certified txs root`, where);
      return null;
    }
    if (!verifyReceiptInclusion(header.receiptsRoot, receiptBytes, p.index, header.txCount, receiptProof)) {
      this.problem("RECEIPT_NOT_IN_BLOCK", `the receipt is not leaf ${p.index} of block ${header.height}'s receipts root`, where);
      return null;
    }
    if (!equalBytes(receipt.txHash, tx.hash)) {
      this.problem("RECEIPT_MISMATCH", "the receipt is for another transaction", where);
      return null;
    }
    for (const [i, e] of receipt.events.entries()) {
      const c = eventContradiction(e, tx);
      if (c) this.problem("EVENT_CONTRADICTS_TX", `receipt event ${i} (${e.type}): ${c}`, where);
    }
    this.signature(tx, receipt, header.height, where);
    return { tx, receipt, receiptBytes };
  }
}

/**
 * Verifies a receivable's history as served with proofs (client.getFullHistory(id), or
 * getHistory(id, { proofs: true }) pages) against the validator set, e.g. from the genesis file
 * (validatorSetFromGenesis). See the head of this file for what it proves and what it does not.
 */
export function verifyHistory(history: HistoryPageJson, validatorSet: TrustedValidators): VerificationReport {
  return verifyHistoryOf("receivable", history?.receivableId, history, validatorSet);
}

/**
 * Verifies the history of a piece, warrant, credit line, title or lot as served with proofs
 * (client.getFullHistoryOf(kind, id), or the kind's history route with `proofs=true`), exactly as
 * verifyHistory does a receivable's: every entry proven in a certified block, concerning this object
 * (sdk/history-chain.ts historyEntriesOfTx), and all of them up to a certified height
 * (`completeThrough`; ENTRY_MISSING names the gap). `expected`: the object asked for — a page for
 * another object is NOT_THIS_OBJECT.
 */
export function verifyObjectHistory(history: ObjectHistoryPageJson, validatorSet: TrustedValidators, expected?: { kind: ObjectKind; id: string }): VerificationReport {
  const report = verifyHistoryOf(history?.kind, history?.id, history, validatorSet);
  if (expected && (history?.kind !== expected.kind || history?.id !== expected.id)) {
    report.problems.unshift({ code: "NOT_THIS_OBJECT", message: `the history served is of ${String(history?.kind)} ${String(history?.id)}, not of ${expected.kind} ${expected.id}` });
    report.ok = false;
  }
  return report;
}

/** The history page of any kind (the receivable route names its object receivableId, the others kind and id). */
type AnyHistoryPage = Omit<HistoryPageJson, "receivableId">;

function verifyHistoryOf(kind: HistoryKind, id: string, history: AnyHistoryPage, validatorSet: TrustedValidators): VerificationReport {
  const report: VerificationReport = { ok: false, checked: 0, certifiedBlocks: 0, problems: [] };
  const c = checkerFor(validatorSet, report);
  if (!c) return report;
  try {
    if (!history || typeof history !== "object" || !Array.isArray(history.items) || typeof id !== "string" || !HISTORY_KINDS.includes(kind)) {
      c.problem("MALFORMED", kind === "receivable" ? "a history has receivableId and items" : "a history has kind, id and items");
      return finish(report, c);
    }
    // an entry about another object: the receivable code kept for receivables (docs/api.md §6)
    const foreign: VerificationProblemCode = kind === "receivable" ? "NOT_THIS_RECEIVABLE" : "NOT_THIS_OBJECT";
    const named = kind === "receivable" ? "receivable" : kind;
    c.useSignerKeys(history.signerKeys);
    const blocks = new Map((history.blocks ?? []).map((b) => [b.height, b]));
    let previous: { height: bigint; index: number; event: number } | undefined;
    for (const [n, entry] of history.items.entries()) {
      const where = { entry: n, height: entry.height };
      report.checked++;
      const position = { height: BigInt(entry.height), index: entry.index, event: entry.eventIndex ?? 0x10000 };
      if (previous && !(position.height > previous.height || (position.height === previous.height && (position.index > previous.index || (position.index === previous.index && position.event > previous.event))))) {
        c.problem("OUT_OF_ORDER", `entry ${n} does not follow entry ${n - 1} in chain order`, where);
      }
      previous = position;
      if (!entry.proof) {
        c.problem("MISSING_PROOF", `entry ${n} has no inclusion proof (request the history with proofs)`, where);
        continue;
      }
      const block = c.block(entry.height, blocks.get(entry.height));
      if (!block) continue;
      if (block.header.time.toString() !== entry.time) c.problem("HEADER_MISMATCH", `entry ${n}: time ${entry.time} is not the certified block time ${block.header.time}`, where);
      const checked = c.txAndReceipt(block, where, { txHash: entry.txHash, index: entry.index, ...entry.proof });
      if (!checked) continue;
      const { tx, receipt } = checked;
      if (tx.body.signer !== entry.signer || (entry.type ?? undefined) !== tx.body.payload.type) c.problem("TX_MISMATCH", `entry ${n}: signer or type differs from the signed transaction`, where);
      if (receipt.code !== entry.code || receipt.message !== entry.message || receipt.target !== entry.target) c.problem("RECEIPT_MISMATCH", `entry ${n}: code, message or target differs from the receipt`, where);
      let event = REJECTED_ATTEMPT;
      if (entry.event !== undefined || entry.eventIndex !== undefined) {
        const proven = entry.eventIndex === undefined ? undefined : receipt.events[entry.eventIndex];
        if (!proven || receipt.code !== "OK") {
          c.problem("EVENT_MISMATCH", `entry ${n}: the receipt has no event ${entry.eventIndex}`, where);
          continue;
        }
        if (!sameJson(toJsonView(proven), entry.event)) c.problem("EVENT_MISMATCH", `entry ${n}: the event differs from the receipt's event ${entry.eventIndex}`, where);
        event = entry.eventIndex!;
      } else if (receipt.code === "OK") {
        c.problem("RECEIPT_MISMATCH", `entry ${n} is listed as a rejected attempt but the receipt is OK`, where);
        continue;
      }
      // the node's own rule for which histories an entry belongs to (the chain counts by it)
      if (!historyEntriesOfTx(tx.body.payload, receipt).some((m) => m.kind === kind && m.id === id && m.event === event)) {
        c.problem(foreign, event === REJECTED_ATTEMPT ? `entry ${n}: the rejected transaction did not aim at ${named} ${id}` : `entry ${n}: the event concerns another ${named}`, where);
      }
    }
    completeness(c, kind, id, history, report);
  } catch (err) {
    c.problem("MALFORMED", `the history is malformed: ${(err as Error).message}`);
  }
  return finish(report, c);
}

/**
 * The history is all of it up to a certified height: the object's history chain record
 * (count and hash chain over entry positions, sdk/history-chain.ts) is proven under a certified
 * state root, and the entries served at or below that height chain to it exactly.
 */
function completeness(c: Checker, kind: HistoryKind, id: string, history: AnyHistoryPage, report: VerificationReport): void {
  const proof = history.complete;
  if (!proof) {
    c.problem("NOT_PROVEN_COMPLETE", "no certified history chain was served: entries may have been left out (ask with proofs and waitCertifiedMs)");
    return;
  }
  const record = proof.record === null ? null : fromHex(proof.record);
  const key = historyChainKey(kind, id);
  let check;
  try {
    check = verifyCertifiedState(certifiedHeaderFromJson(proof.certified), c.validatorSet, { key, value: record, proof: stateProofFromJson(proof.proof) }, sha256, c.verifyCheckpoint);
  } catch (err) {
    check = { ok: false as const, reason: `malformed: ${(err as Error).message}` };
  }
  if (!check.ok) {
    c.problem(("code" in check && check.code) || "NOT_PROVEN_COMPLETE", `the history chain record is not proven: ${check.reason}`);
    return;
  }
  const height = check.header.height;
  const covered = history.items
    .filter((e) => BigInt(e.height) <= height)
    .map((e) => ({ height: BigInt(e.height), index: e.index, event: e.eventIndex ?? REJECTED_ATTEMPT, ordinal: e.ordinal, chainHead: e.chainHead }));
  const result = checkHistoryComplete(sha256, covered, decodeHistoryChain(record));
  if (!result.complete) {
    c.problem("ENTRY_MISSING", `up to height ${height}: ${result.message}`, { height: height.toString() });
    return;
  }
  report.completeThrough = height.toString();
}

/** Verifies one transaction as served by GET /v1/txs/:hash (client.getTx) against the validator set. */
export function verifyTx(view: TxJson, validatorSet: TrustedValidators): VerificationReport {
  const report: VerificationReport = { ok: false, checked: 1, certifiedBlocks: 0, problems: [] };
  const c = checkerFor(validatorSet, report);
  if (!c) return report;
  try {
    c.useSignerKeys(view.signerKeys);
    const block = c.block(view.height, { hash: view.blockHash, header: view.proof.header, certificate: view.certificate, certified: view.certified });
    if (block) {
      const checked = c.txAndReceipt(block, { height: view.height }, { txHash: view.txHash, index: view.index, tx: view.proof.tx, receipt: view.proof.receipt, txProof: view.proof.txProof, receiptProof: view.proof.receiptProof });
      if (checked) {
        if (!sameJson(toJsonView(checked.receipt), view.receipt)) c.problem("RECEIPT_MISMATCH", "the receipt shown differs from the proven receipt", { height: view.height });
        if (!sameJson(toJsonView(checked.tx.body), view.body)) c.problem("TX_MISMATCH", "the body shown differs from the signed transaction", { height: view.height });
        if (view.signature !== toHex(checked.tx.signature)) c.problem("TX_MISMATCH", "the signature shown differs from the signed transaction's", { height: view.height });
        if (!sameJson(toJsonView(block.header), view.header)) c.problem("HEADER_MISMATCH", "the header shown differs from the proven header", { height: view.height });
      }
    }
  } catch (err) {
    c.problem("MALFORMED", `the transaction view is malformed: ${(err as Error).message}`);
  }
  return finish(report, c);
}

/** A checker over usable trusted validators, or undefined with the report's MALFORMED problem. */
function checkerFor(trusted: TrustedValidators, report: VerificationReport): Checker | undefined {
  // a chain of sets comes from verifyValidatorSets; a single set is checked here
  const usable = Array.isArray((trusted as ValidatorSetChain)?.epochs) || validatorsOf(trusted as ValidatorSet);
  if (typeof usable === "string") {
    report.problems.push({ code: "MALFORMED", message: usable });
    return undefined;
  }
  return new Checker(trusted, trusted.chainId);
}

function finish(report: VerificationReport, c: Checker): VerificationReport {
  report.problems = c.problems;
  report.certifiedBlocks = c.certified;
  report.ok = c.problems.length === 0;
  return report;
}

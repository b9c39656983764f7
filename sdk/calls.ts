// One function per call of the RPC, each taking the client core first: `getReceivable(core, id)`,
// `registerInvoice(core, invoice)`, `waitForTx(core, hash)`. Each names only the routes it sends
// (sdk/api/routes.ts), so a bundler keeps only the routes, and the response schemas, of the calls
// an app makes; the full client (sdk/client.ts) has a method for each of them. Browser-safe.
import * as R from "./api/routes.js";
import type { HistoryPageJson, ObjectHistoryPageJson } from "./api/routes.js";
import type { ALERT_EVENT, EVENT_TYPES, REJECTED_EVENT } from "./api/primitives.js";
import {
  LedgerEventView,
  type AlertRecordJson,
  type BlockJson,
  type CertifiedHeaderJson,
  type CreditLineJson,
  type EventJson,
  type ExposureJson,
  type LedgerEventJson,
  type LotRecordJson,
  type PartyJson,
  type PieceItemJson,
  type PieceJson,
  type ReceiptJson,
  type ReceivableJson,
  type StatusJson,
  type SubmitResultJson,
  type TitleJson,
  type TitleRecordJson,
  type TxEntryJson,
  type TxJson,
  type WarrantTreeJson,
} from "./api/schemas.js";
import { buildTxBody } from "./builders.js";
import { toHex } from "./bytes.js";
import type { TrustedValidators } from "./certified.js";
import type { AnswerOf, ClientCore, RequestArgs } from "./client-core.js";
import { LedgerError, type LedgerErrorCode } from "./errors.js";
import { encode } from "./codec.js";
import { PROTOBUF_CONTENT_TYPE } from "./api/route-parts.js";
import type { HistoryKind, ObjectKind } from "./history-chain.js";
import { verifyReport } from "./lending.js";
import { signCheckedTransaction, signTransaction, type Signer } from "./signer.js";
import type { TxPayload } from "./transactions/index.js";
import { invoiceRegistration, registerReceivableTx, type InvoiceRegistrationOptions } from "./transactions/register-receivable.js";
import type { TxFormat } from "./transactions/format.js";
import { unsignedTxBody, type TxBodyOptions } from "./tx.js";
import { checkTxBodyWith } from "./validate.js";
import type { Tx } from "./tx.js";
import type { PieceStatus, ReceivableStatus, ResultCode, TitleStatus } from "./types.js";
import { verifyHistory, verifyObjectHistory, type VerificationReport } from "./verify.js";
import { verifyTitlePledges, type TitlePledgesReport } from "./verify-title.js";

/** Options every read takes. */
export interface ReadOptions {
  /**
   * answer only from a node that has applied this block (e.g. a receipt's height from another
   * client); the client sends the larger of this and the highest height it has seen
   */
  minHeight?: bigint | number | string;
}

export interface PageOptions extends ReadOptions {
  cursor?: string;
  /** 1..1000, default 50 */
  limit?: number;
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

export interface ReceivableQuery extends PageOptions {
  exporter?: string;
  /** receivables owed by this buyer (DESIGN.md §9): a buyer passes its own id */
  buyer?: string;
  bank?: string;
  status?: ReceivableStatus;
  /** inclusive, YYYY-MM-DD */
  dueFrom?: string;
  /** inclusive, YYYY-MM-DD */
  dueTo?: string;
  overdue?: boolean;
}

export interface RejectionQuery extends PageOptions {
  code?: Exclude<ResultCode, "OK">;
  signer?: string;
  /** a receivable id, document hash or party id */
  target?: string;
}

/** GET /v1/alerts (docs/supervision.md): of one rule or naming one party, within heights. */
export interface AlertQuery extends PageOptions {
  rule?: string;
  party?: string;
  fromHeight?: bigint | string;
  toHeight?: bigint | string;
}

/** How getFullHistory / getFullHistoryOf read a history. */
export interface FullHistoryOptions {
  /** default true */
  proofs?: boolean;
  /** default 1000 (of 1000 entries each) */
  maxPages?: number;
  /** with proofs, how long the node waits for the newest blocks to be certified (default 10 s) */
  waitCertifiedMs?: number;
}

export interface PieceQuery extends PageOptions {
  /** only pieces in this status (a party's pieces are live leaves: never SPENT) */
  status?: Exclude<PieceStatus, "SPENT">;
  /** only pieces of this warrant */
  warrant?: string;
}

export interface TitleQuery extends PageOptions {
  /** only titles in this status (a party's titles are live: never SURRENDERED) */
  status?: Exclude<TitleStatus, "SURRENDERED">;
  /** only titles on this lot */
  lot?: string;
}

/** A page of a lot's titles with the lot (GET /v1/lots/:id). */
export type LotPage = Page<TitleRecordJson> & { lot: LotRecordJson; available: string; complete: boolean; asOf: { height: string; time: string } };

/** A page of a party's titles (GET /v1/parties/:id/titles). */
export type TitlePage = Page<TitleRecordJson> & { partyId: string; as: "holder" | "pledgee"; asOf: { height: string; time: string } };

/** The name of a ledger event, "txRejected" for a committed transaction the ledger refused, or "alertRaised" for a supervision alert. */
export type LedgerEventType = (typeof EVENT_TYPES)[number] | typeof REJECTED_EVENT | typeof ALERT_EVENT;

/** A streamed event of one of the types `T`: `event` is that type's payload (absent for "txRejected"). */
export type LedgerEventOf<T extends LedgerEventType> = T extends LedgerEventType
  ? Omit<LedgerEventJson, "type" | "event"> & { type: T; event?: Extract<EventJson, { type: T }> }
  : never;

export interface EventFilter<T extends LedgerEventType = LedgerEventType> {
  receivable?: string;
  party?: string;
  /** event types to deliver (e.g. ["receivableFinanced", "txRejected"]); all by default */
  types?: readonly T[];
}

export interface EventStreamOptions {
  signal?: AbortSignal;
  /** resume after this event id (a previous event's `id`) */
  lastEventId?: string;
  /** replay committed blocks from this height first */
  fromHeight?: bigint | number;
  /** reconnect (resuming after the last event) when the stream drops; default true */
  reconnect?: boolean;
}

/** submitMany's options: a commit wait covers each request of the batch. */
export interface SubmitManyOptions extends Omit<SubmitOptions, "nonce"> {
  /**
   * the request body of POST /v1/txs/batch: "protobuf" (default: a TxSubmission message, half the
   * bytes of hex and no JSON for the node to parse) or "json"
   */
  encoding?: "protobuf" | "json";
}

export interface SubmitOptions {
  /** "commit" (default): wait for the block and return the receipt; "none": return once admitted */
  wait?: "commit" | "none";
  /** how long the node waits for the commit (ms, default 30000, at most 120000) */
  timeoutMs?: number;
  /** the transaction's createdAt (ms); default now */
  createdAt?: bigint | number;
  /** 16 bytes; random by default */
  nonce?: Uint8Array | string;
}

/**
 * A committed transaction and its receipt: the one shape submit, submitSigned, submitMany and
 * waitForTx return. `ok` is `receipt.code === "OK"`; submit and submitSigned throw a LedgerError
 * for a rejection instead, submitMany and waitForTx return it with `ok: false`.
 */
export interface CommittedTx {
  txHash: string;
  ok: boolean;
  /** the receipt's code: OK or why the ledger refused it (docs/ledger.md) */
  code: ResultCode;
  height: string;
  index: number;
  time: string;
  blockHash: string;
  receipt: ReceiptJson;
}

export interface WaitOptions {
  /** give up after this long (ms, default 60000): TxPendingError */
  timeoutMs?: number;
  /** between polls while the transaction is not committed (ms, default 250, doubling to 2000) */
  pollMs?: number;
  signal?: AbortSignal;
}

/** An invoice registered with registerInvoice: the receipt plus what was anchored and how. */
export interface RegisteredInvoice extends CommittedTx {
  receivableId: string;
  /** the document hash (hex) */
  documentHash: string;
  /** the duplicate-detection fingerprint (hex) */
  fingerprint: string;
  /** keep with the invoice: a lender needs them to check it (verifyDocument) */
  salts: Record<string, string>;
}

export interface PendingTx {
  txHash: string;
  status: "pending";
}

/** The transaction was admitted but not committed within the wait: poll getTx(txHash) later. */
export class TxPendingError extends LedgerError {
  constructor(readonly txHash: string) {
    super("TIMEOUT", `transaction ${txHash} was admitted but not committed within the wait; check it later with getTx`, undefined, 202);
  }
}

const SUBMIT_RETRIES = 2;

function committedOf(r: { txHash: string; height: string; index: number; time: string; blockHash: string; receipt: ReceiptJson }): CommittedTx {
  return { txHash: r.txHash, ok: r.receipt.code === "OK", code: r.receipt.code, height: r.height, index: r.index, time: r.time, blockHash: r.blockHash, receipt: r.receipt };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new LedgerError("NETWORK", "aborted"));
    const timer = setTimeout(() => (signal?.removeEventListener("abort", onAbort), resolve()), ms);
    const onAbort = () => (clearTimeout(timer), reject(new LedgerError("NETWORK", "aborted")));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function minHeightOf(opts: ReadOptions): { minHeight?: string } {
  return opts.minHeight === undefined ? {} : { minHeight: String(opts.minHeight) };
}

function hexOf(value: string | Uint8Array): string {
  return typeof value === "string" ? value : toHex(value);
}

// ---- writes -------------------------------------------------------------------------------------

/**
 * Builds, signs and submits a transaction (fetching the chain id once). By default waits for the
 * commit and returns the receipt; a rejection throws LedgerError with `.code` (e.g.
 * "DOUBLE_FINANCING") and `.receipt`. A network failure is retried with the same signed bytes:
 * the node answers a resubmission with the original receipt, so nothing is submitted twice.
 */
export async function submit(core: ClientCore, payload: TxPayload, signer: Signer | undefined, opts: SubmitOptions & { wait: "none" }): Promise<PendingTx>;
export async function submit(core: ClientCore, payload: TxPayload, signer?: Signer, opts?: SubmitOptions & { wait?: "commit" }): Promise<CommittedTx>;
export async function submit(core: ClientCore, payload: TxPayload, signer?: Signer, opts: SubmitOptions = {}): Promise<CommittedTx | PendingTx> {
  const s = signerOf(core, signer);
  const body = buildTxBody(payload, await bodyOptions(core, s, opts));
  return submitSigned(core, await signTransaction(s, body), opts as SubmitOptions & { wait?: "commit" });
}

function signerOf(core: ClientCore, signer: Signer | undefined): Signer {
  const s = signer ?? core.signer;
  if (!s) throw new LedgerError("UNAUTHENTICATED", "submit needs a signer (argument or createClient({ signer }))");
  return s;
}

async function bodyOptions(core: ClientCore, signer: Signer, opts: SubmitOptions): Promise<TxBodyOptions> {
  return {
    chainId: await core.chainId(),
    signer,
    ...(opts.createdAt !== undefined ? { createdAt: opts.createdAt } : {}),
    ...(opts.nonce !== undefined ? { nonce: opts.nonce } : {}),
  };
}

/**
 * submit for a call that knows its payload's type: checks it with that type's format alone (the
 * same check the ledger runs), so that the call's bundle does not carry every type's.
 */
async function submitOfType<P extends TxPayload>(core: ClientCore, format: TxFormat<P, unknown>, payload: P, signer: Signer | undefined, opts: SubmitOptions & { wait?: "commit" }): Promise<CommittedTx> {
  const s = signerOf(core, signer);
  const body = unsignedTxBody(payload, await bodyOptions(core, s, opts));
  const tx = await signCheckedTransaction(s, body, (b) => checkTxBodyWith(b, (p) => (p.type === format.type ? format.check(p as P) : { field: "type", message: `expected ${format.type}` })));
  return submitSigned(core, tx, opts);
}

/** Submits an already signed transaction (a Tx from signTransaction, or SignedTx bytes). */
export async function submitSigned(core: ClientCore, tx: Tx | Uint8Array, opts: SubmitOptions & { wait: "none" }): Promise<PendingTx>;
export async function submitSigned(core: ClientCore, tx: Tx | Uint8Array, opts?: SubmitOptions & { wait?: "commit" }): Promise<CommittedTx>;
export async function submitSigned(core: ClientCore, tx: Tx | Uint8Array, opts: SubmitOptions = {}): Promise<CommittedTx | PendingTx> {
  const bytes = tx instanceof Uint8Array ? tx : tx.bytes;
  const wait = opts.wait ?? "commit";
  const waitMs = opts.timeoutMs ?? 30_000;
  const args: RequestArgs = {
    body: { tx: toHex(bytes) },
    query: { wait, ...(wait === "commit" ? { timeoutMs: waitMs } : {}) },
    timeoutMs: core.timeoutMs + (wait === "commit" ? waitMs : 0),
  };
  let result: SubmitResultJson | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      result = await core.request(R.submitTx, args);
      break;
    } catch (err) {
      // only a failure to reach a node is retried: a node's refusal (or a bad answer) is final
      if (!(err instanceof LedgerError) || err.code !== "NETWORK" || err.status !== undefined || attempt >= SUBMIT_RETRIES) throw err;
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  }
  if (result.status === "pending") {
    if (wait === "commit") throw new TxPendingError(result.txHash);
    return { txHash: result.txHash, status: "pending" };
  }
  core.observeHeight(result.height!);
  return committedOf({ txHash: result.txHash, height: result.height!, index: result.index!, time: result.time!, blockHash: result.blockHash!, receipt: result.receipt! });
}

/**
 * Signs and submits several transactions in order, then waits for all of them. Returns one entry
 * per payload, in order: the committed receipt (`ok: false` for one the ledger refused, e.g. a
 * DOUBLE_FINANCING) or the LedgerError that kept it from being admitted or committed
 * (TxPendingError: admitted, not committed within the wait). Never throws for one transaction's
 * failure. With `wait: "none"`, returns once all are admitted. The transactions travel in as few
 * POST /v1/txs/batch requests as the node's limits allow (its status `submission`), one after the
 * other so that they are admitted in the order given; a commit wait is per request.
 */
export async function submitMany(core: ClientCore, payloads: readonly TxPayload[], signer: Signer | undefined, opts: SubmitManyOptions & { wait: "none" }): Promise<(PendingTx | LedgerError)[]>;
export async function submitMany(core: ClientCore, payloads: readonly TxPayload[], signer?: Signer, opts?: SubmitManyOptions & { wait?: "commit" }): Promise<(CommittedTx | LedgerError)[]>;
export async function submitMany(core: ClientCore, payloads: readonly TxPayload[], signer?: Signer, opts: SubmitManyOptions = {}): Promise<(CommittedTx | PendingTx | LedgerError)[]> {
  const s = signer ?? core.signer;
  if (!s) throw new LedgerError("UNAUTHENTICATED", "submitMany needs a signer (argument or createClient({ signer }))");
  const chainId = await core.chainId();
  // every entry is set below: a refusal before signing here, the node's answer after
  const out: (CommittedTx | PendingTx | LedgerError)[] = new Array(payloads.length);
  const signed: { at: number; tx: Tx }[] = [];
  for (const [at, payload] of payloads.entries()) {
    try {
      const body = buildTxBody(payload, { chainId, signer: s, ...(opts.createdAt !== undefined ? { createdAt: opts.createdAt } : {}) });
      signed.push({ at, tx: await signTransaction(s, body) });
    } catch (err) {
      if (!(err instanceof LedgerError)) throw err;
      out[at] = err;
    }
  }
  // Cut to the node's limits: a count, and the bytes of the body in the chosen encoding.
  const encoding = opts.encoding ?? "protobuf";
  const { maxBatchTxs, maxBatchBytes } = core.submissionLimits() ?? { maxBatchTxs: 1000, maxBatchBytes: 1 << 20 };
  let chunk: { at: number; tx: Tx }[] = [];
  let bytes = 16;
  for (let i = 0; i <= signed.length; i++) {
    const one = signed[i];
    const cost = one ? (encoding === "json" ? 2 : 1) * one.tx.bytes.length + 4 : 0;
    if (chunk.length > 0 && (!one || chunk.length >= maxBatchTxs || bytes + cost > maxBatchBytes)) {
      const results = await submitBatch(core, chunk.map((c) => c.tx), opts.wait ?? "commit", opts.timeoutMs ?? 30_000, encoding);
      chunk.forEach((c, k) => (out[c.at] = results[k]!));
      chunk = [];
      bytes = 16;
    }
    if (one) chunk.push(one);
    bytes += cost;
  }
  return out;
}

/** One POST /v1/txs/batch: an outcome per transaction; a refusal of the whole request is each one's. */
async function submitBatch(core: ClientCore, txs: Tx[], wait: "commit" | "none", waitMs: number, encoding: "protobuf" | "json"): Promise<(CommittedTx | PendingTx | LedgerError)[]> {
  const args: RequestArgs = {
    query: { wait, ...(wait === "commit" ? { timeoutMs: waitMs } : {}) },
    timeoutMs: core.timeoutMs + (wait === "commit" ? waitMs : 0),
    ...(encoding === "json" ? { body: { txs: txs.map((t) => toHex(t.bytes)) } } : { rawBody: { contentType: PROTOBUF_CONTENT_TYPE, bytes: encode("TxSubmission", { txs: txs.map((t) => t.bytes) }) } }),
  };
  let results: AnswerOf<typeof R.submitTxBatch>["results"];
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        results = (await core.request(R.submitTxBatch, args)).results;
        break;
      } catch (err) {
        // only a failure to reach a node is retried (the node answers a resubmission like the original)
        if (!(err instanceof LedgerError) || err.code !== "NETWORK" || err.status !== undefined || attempt >= SUBMIT_RETRIES) throw err;
        await sleep(250 * 2 ** attempt);
      }
    }
    if (results.length !== txs.length) throw new LedgerError("INTERNAL", "POST /v1/txs/batch: a result per transaction expected");
  } catch (err) {
    if (!(err instanceof LedgerError)) throw err;
    // Smaller limits than the node announced (a proxy in front of it): halve and try again.
    if (err.code !== "TOO_LARGE" || txs.length < 2) return txs.map(() => err);
    const half = Math.ceil(txs.length / 2);
    return [...(await submitBatch(core, txs.slice(0, half), wait, waitMs, encoding)), ...(await submitBatch(core, txs.slice(half), wait, waitMs, encoding))];
  }
  return results.map((r) => {
    if (r.status === "committed") {
      core.observeHeight(r.height!);
      return committedOf(r as Parameters<typeof committedOf>[0]);
    }
    if (r.status === "pending") return wait === "commit" ? new TxPendingError(r.txHash!) : { txHash: r.txHash!, status: "pending" as const };
    return new LedgerError(r.error!.code as LedgerErrorCode, r.error!.message, undefined, r.error!.status);
  });
}

/**
 * Waits until a transaction is committed and returns its receipt, whatever its code (`ok` says
 * whether the ledger accepted it). Polls getTx (a signed read: the client needs a signer who
 * may see the transaction), honouring the node's retryAfterMs when it is busy. Throws
 * TxPendingError after `timeoutMs`.
 */
export async function waitForTx(core: ClientCore, hash: string | Uint8Array, opts: WaitOptions = {}): Promise<CommittedTx> {
  const txHash = hexOf(hash);
  const deadline = core.clock() + (opts.timeoutMs ?? 60_000);
  let pause = opts.pollMs ?? 250;
  for (;;) {
    let wait = pause;
    try {
      return committedOf(await core.request(R.getTxReceipt, { params: { hash: txHash }, ...(opts.signal ? { signal: opts.signal } : {}) }));
    } catch (err) {
      if (!(err instanceof LedgerError)) throw err;
      if (opts.signal?.aborted) throw err;
      if (err.code === "RATE_LIMITED" || err.code === "NOT_READY") wait = Math.max(pause, err.retryAfterMs ?? 0);
      else if (err.code !== "NOT_FOUND" && err.code !== "NETWORK" && err.code !== "TIMEOUT") throw err;
    }
    const left = deadline - core.clock();
    if (left <= 0) throw new TxPendingError(txHash);
    await sleep(Math.min(wait, left), opts.signal);
    pause = Math.min(pause * 2, Math.max(opts.pollMs ?? 250, 2000));
  }
}

/**
 * Registers an invoice as a receivable from the invoice itself: computes its document hash
 * (fresh salts, returned: keep them with the invoice) and its fingerprint, builds, signs and
 * submits the transaction and waits for the commit. A rejection (DUPLICATE_DOCUMENT,
 * DUPLICATE_RECEIVABLE, ...) throws LedgerError like submit.
 */
export async function registerInvoice(core: ClientCore, document: unknown, signer?: Signer, opts: SubmitOptions & InvoiceRegistrationOptions & { wait?: "commit" } = {}): Promise<RegisteredInvoice> {
  const { payload, commitment, fingerprint } = invoiceRegistration(document, opts);
  const { salts: _salts, random: _random, buyerPartyId: _buyer, ...submitOpts } = opts;
  const done = await submitOfType(core, registerReceivableTx, payload, signer, submitOpts);
  return { ...done, receivableId: done.receipt.target, documentHash: commitment.rootHex, fingerprint: toHex(fingerprint), salts: commitment.salts };
}

// ---- reads ------------------------------------------------------------------------------------

export function getStatus(core: ClientCore): Promise<StatusJson> {
  return core.request(R.getStatus);
}

/** A committed transaction with its proofs; `waitCertifiedMs`: wait that long for its block to be certified (what verifyTx needs). */
export function getTx(core: ClientCore, hash: string | Uint8Array, opts: ReadOptions & { waitCertifiedMs?: number } = {}): Promise<TxJson> {
  return core.request(R.getTx, { params: { hash: hexOf(hash) }, query: { ...minHeightOf(opts), waitCertifiedMs: opts.waitCertifiedMs } });
}

/** Block `height`'s header certified with its results (sdk/certified.ts verifyCertifiedHeader); waits up to `waitMs` for the certificate. */
export function getCertifiedHeader(core: ClientCore, height: bigint | number | "latest", opts: { waitMs?: number } = {}): Promise<CertifiedHeaderJson> {
  return core.request(R.getCertifiedHeader, { params: { height: String(height) }, query: { waitMs: opts.waitMs } });
}

export function getBlock(core: ClientCore, height: bigint | number | "latest" = "latest", opts: ReadOptions = {}): Promise<BlockJson> {
  return core.request(R.getBlock, { params: { height: String(height) }, query: minHeightOf(opts) });
}

export function getBlockTxs(core: ClientCore, height: bigint | number | "latest", page: PageOptions = {}): Promise<AnswerOf<typeof R.getBlockTxs>> {
  return core.request(R.getBlockTxs, { params: { height: String(height) }, query: { ...page } });
}

export function getReceivable(core: ClientCore, id: string, opts: ReadOptions = {}): Promise<ReceivableJson> {
  return core.request(R.getReceivable, { params: { id }, query: minHeightOf(opts) });
}

/** One page of a receivable's history; with `proofs`, what verifyHistory checks. */
export function getHistory(core: ClientCore, id: string, opts: PageOptions & { proofs?: boolean; waitCertifiedMs?: number | undefined } = {}): Promise<HistoryPageJson> {
  return core.request(R.getHistory, { params: { id }, query: { ...opts } });
}

/**
 * Every page of a receivable's history merged into one (proofs included by default, each block
 * with its certified header: the node waits up to `waitCertifiedMs`, default 10 s, for the newest
 * blocks to be certified).
 */
export async function getFullHistory(core: ClientCore, id: string, opts: FullHistoryOptions = {}): Promise<HistoryPageJson> {
  return { receivableId: id, ...(await mergedHistory(`history of ${id}`, opts, (q) => getHistory(core, id, q))) };
}

/** The history route of each kind of object. */
const HISTORY_ROUTE: { readonly [K in ObjectKind]: typeof R.getPieceHistory } = {
  piece: R.getPieceHistory,
  warrant: R.getWarrantHistory,
  line: R.getCreditLineHistory,
  title: R.getTitleHistory,
  lot: R.getLotHistory,
};

/** One page of the history of a piece, warrant, credit line, title or lot; with `proofs`, what verifyObjectHistory checks. */
export function getHistoryOf(core: ClientCore, kind: ObjectKind, id: string, opts: PageOptions & { proofs?: boolean; waitCertifiedMs?: number | undefined } = {}): Promise<ObjectHistoryPageJson> {
  return core.request(HISTORY_ROUTE[kind], { params: { id }, query: { ...opts } });
}

/** Every page of a piece's, warrant's, credit line's, title's or lot's history merged into one, as getFullHistory. */
export async function getFullHistoryOf(core: ClientCore, kind: ObjectKind, id: string, opts: FullHistoryOptions = {}): Promise<ObjectHistoryPageJson> {
  return { kind, id, ...(await mergedHistory(`history of ${kind} ${id}`, opts, (q) => getHistoryOf(core, kind, id, q))) };
}

/**
 * The whole history of any object with a history (a receivable, piece, warrant, credit line,
 * title or lot) with proofs, checked against the validator set (verifyHistory /
 * verifyObjectHistory): `verdict.completeThrough` is the certified height up to which it is proven
 * complete; `verdict.problems` say what failed (ENTRY_MISSING names the missing entries).
 */
export async function verifiedHistory(core: ClientCore, kind: HistoryKind, id: string, validators: TrustedValidators, opts: Omit<FullHistoryOptions, "proofs"> = {}): Promise<{ history: HistoryPageJson | ObjectHistoryPageJson; verdict: VerificationReport }> {
  if (kind === "receivable") {
    const history = await getFullHistory(core, id, opts);
    return { history, verdict: verifyHistory(history, validators) };
  }
  const history = await getFullHistoryOf(core, kind, id, opts);
  return { history, verdict: verifyObjectHistory(history, validators, { kind, id }) };
}

/**
 * A title's pledge history checked against the validator set (sdk/verify-title.ts
 * verifyTitlePledges): the title's history is read with proofs first, then the title, so the
 * pledges shown are compared as they stood at the height the history is proven complete at.
 */
export async function verifiedTitle(core: ClientCore, id: string, validators: TrustedValidators, opts: Omit<FullHistoryOptions, "proofs"> = {}): Promise<{ title: TitleJson; history: ObjectHistoryPageJson; verdict: TitlePledgesReport }> {
  const history = await getFullHistoryOf(core, "title", id, opts);
  const title = await getTitle(core, id);
  return { title, history, verdict: verifyTitlePledges(title, history, validators) };
}

/** Reads every page of a history and merges them: items, blocks once each, every page's signer keys, the last page's chain record. */
async function mergedHistory(what: string, opts: FullHistoryOptions, page: (q: PageOptions & { proofs: boolean; waitCertifiedMs?: number | undefined }) => Promise<Omit<HistoryPageJson, "receivableId">>): Promise<Omit<HistoryPageJson, "receivableId" | "cursor">> {
  const proofs = opts.proofs ?? true;
  const waitCertifiedMs = proofs ? (opts.waitCertifiedMs ?? 10_000) : undefined;
  const out: Omit<HistoryPageJson, "receivableId"> = { items: [], ...(proofs ? { blocks: [] } : {}) };
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let pages = 0; pages < (opts.maxPages ?? 1000); pages++) {
    const p = await page({ proofs, limit: 1000, waitCertifiedMs, ...(cursor ? { cursor } : {}) });
    out.items.push(...p.items);
    for (const b of p.blocks ?? []) if (!seen.has(b.height)) (seen.add(b.height), out.blocks!.push(b));
    // each page proves its own signers' keys
    if (p.signerKeys) out.signerKeys = [...(out.signerKeys ?? []), ...p.signerKeys];
    // the last page's chain record was read after every earlier page: it covers them all
    if (p.complete) out.complete = p.complete;
    cursor = p.cursor;
    if (!cursor) return out;
  }
  throw new LedgerError("INTERNAL", `${what} has more than ${opts.maxPages ?? 1000} pages`);
}

export function listReceivables(core: ClientCore, q: ReceivableQuery = {}): Promise<Page<ReceivableJson> & { asOf: { height: string; time: string } }> {
  return core.request(R.listReceivables, { query: { ...q } });
}

export function getDocument(core: ClientCore, hash: string | Uint8Array, page: PageOptions = {}): Promise<AnswerOf<typeof R.getDocument>> {
  return core.request(R.getDocument, { params: { hash: hexOf(hash) }, query: { ...page } });
}

export function getFingerprint(core: ClientCore, fingerprint: string | Uint8Array, page: PageOptions = {}): Promise<AnswerOf<typeof R.getFingerprint>> {
  return core.request(R.getFingerprint, { params: { fingerprint: hexOf(fingerprint) }, query: { ...page } });
}

export function getParty(core: ClientCore, id: string, opts: ReadOptions = {}): Promise<PartyJson> {
  return core.request(R.getParty, { params: { id }, query: minHeightOf(opts) });
}

export function getExposure(core: ClientCore, partyId: string, opts: ReadOptions = {}): Promise<ExposureJson> {
  return core.request(R.getExposure, { params: { id: partyId }, query: minHeightOf(opts) });
}

export function getRejections(core: ClientCore, q: RejectionQuery = {}): Promise<Page<TxEntryJson>> {
  return core.request(R.listRejections, { query: { ...q } });
}

// ---- supervision and governance (DESIGN.md §11-§12) ----

/** Supervision alerts: regulators and auditors all, any other party those naming it. */
export function getAlerts(core: ClientCore, q: AlertQuery = {}): Promise<Page<AlertRecordJson>> {
  const query: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(q)) if (v !== undefined) query[k] = typeof v === "bigint" ? v.toString() : (v as string | number);
  return core.request(R.listAlerts, { query });
}

/** The validator set in ledger state and, if named, one validator-set proposal (docs/governance.md). */
export function getGovernance(core: ClientCore, opts: ReadOptions & { proposal?: string } = {}): Promise<AnswerOf<typeof R.getGovernance>> {
  return core.request(R.getGovernance, { query: { ...minHeightOf(opts), ...(opts.proposal ? { proposal: opts.proposal } : {}) } });
}

/**
 * The chain of validator sets since genesis (docs/governance.md §5): one link per epoch after 0.
 * Verify it with verifyValidatorSets(genesisSet, links) (@tradeledger/sdk/audit) and pass the chain
 * it returns to the verifiers (verifyHistory, verifyTx, verifyPiece, ...) in place of the genesis set.
 */
export function getValidatorSets(core: ClientCore, opts: ReadOptions = {}): Promise<AnswerOf<typeof R.getValidatorSets>> {
  return core.request(R.getValidatorSets, { query: minHeightOf(opts) });
}

/** Observer nodes admitted on the ledger, current and removed (docs/governance.md). */
export function getObservers(core: ClientCore, opts: ReadOptions = {}): Promise<AnswerOf<typeof R.listObservers>> {
  return core.request(R.listObservers, { query: minHeightOf(opts) });
}

/** The active supervision rules, sorted by id. */
export function getRules(core: ClientCore, opts: ReadOptions = {}): Promise<AnswerOf<typeof R.listRules>> {
  return core.request(R.listRules, { query: minHeightOf(opts) });
}

// ---- before, during and after lending (DESIGN.md §10-§11, docs/lending.md) ----

/** A party's credit indicators at the head (the party, banks it consented to, auditors, regulators). */
export function getIndicators(core: ClientCore, partyId: string, q: { asOf?: string } = {}): Promise<AnswerOf<typeof R.getIndicators>> {
  return core.request(R.getIndicators, { params: { id: partyId }, query: { ...q } });
}

/** Attestations of a party's financials, oldest first (access as the indicators). */
export function getFinancials(core: ClientCore, partyId: string, page: PageOptions = {}): Promise<AnswerOf<typeof R.getFinancials>> {
  return core.request(R.getFinancials, { params: { id: partyId }, query: { ...page } });
}

/** The aging report of a bank's book (or, for auditors and regulators, of every bank's); check it with verifyReport. */
export function getAgingReport(core: ClientCore, q: { bank?: string; asOf?: string; waitCertifiedMs?: number } = {}): Promise<AnswerOf<typeof R.getAgingReport>> {
  return core.request(R.getAgingReport, { query: { ...q } });
}

/** The concentration report of a bank's book (or every bank's); check it with verifyReport. */
export function getConcentrationReport(core: ClientCore, q: { bank?: string; asOf?: string; waitCertifiedMs?: number } = {}): Promise<AnswerOf<typeof R.getConcentrationReport>> {
  return core.request(R.getConcentrationReport, { query: { ...q } });
}

/**
 * A report checked against the validator set (sdk/lending.ts verifyReport): asked with
 * `waitMs` for its block's certificate; if the node had none yet, the certified header is fetched
 * separately (GET /v1/blocks/:height/certified, waiting up to `waitMs` again) and attached.
 * Returns the report and the verdict; `verdict.ok` false says why in `problems`.
 */
export async function verifiedReport(core: ClientCore, kind: "aging" | "concentration", validators: TrustedValidators, q: { bank?: string; waitMs?: number } = {}) {
  const waitCertifiedMs = q.waitMs ?? 5_000;
  const query = { ...(q.bank !== undefined ? { bank: q.bank } : {}), waitCertifiedMs };
  const report = kind === "aging" ? await getAgingReport(core, query) : await getConcentrationReport(core, query);
  if (!report.certified) {
    try {
      report.certified = await getCertifiedHeader(core, BigInt(report.asOf.height), { waitMs: waitCertifiedMs });
    } catch (err) {
      if (!(err instanceof LedgerError) || err.status !== 404) throw err;
      // still not certified: verifyReport says so
    }
  }
  return { report, verdict: verifyReport({ ...report, kind }, { validators }) };
}

// ---- digital warrants (DESIGN.md §7) ----

/** A credit line: limit, outstanding, room left, expiry (its bank, its obligor, auditors). */
export function getCreditLine(core: ClientCore, id: string, opts: ReadOptions = {}): Promise<CreditLineJson> {
  return core.request(R.getCreditLine, { params: { id }, query: minHeightOf(opts) });
}

/** A warrant with its tree of pieces (all of it for the obligor and the bank; a holder's part otherwise: `complete: false`). */
export function getWarrant(core: ClientCore, id: string, opts: ReadOptions = {}): Promise<WarrantTreeJson> {
  return core.request(R.getWarrant, { params: { id }, query: minHeightOf(opts) });
}

/** A piece with its ancestry; with `proofs`, what verifyPiece checks: the node waits up to `waitCertifiedMs` (default 10 s with proofs) for the head to be certified. */
export function getPiece(core: ClientCore, id: string, opts: ReadOptions & { proofs?: boolean; waitCertifiedMs?: number } = {}): Promise<PieceJson> {
  return core.request(R.getPiece, { params: { id }, query: { ...(opts.proofs ? { proofs: true, waitCertifiedMs: opts.waitCertifiedMs ?? 10_000 } : {}), ...minHeightOf(opts) } });
}

/** One page of the pieces a party holds now; iterate with paginate((cursor) => listPieces(core, id, { ...q, cursor })). */
export function listPieces(core: ClientCore, partyId: string, q: PieceQuery = {}): Promise<Page<PieceItemJson> & { partyId: string; asOf: { height: string; time: string } }> {
  return core.request(R.listPieces, { params: { id: partyId }, query: { ...q } });
}

// ---- title documents and pledges (DESIGN.md §8) ----

/** A title document with its pledge history (its custodian, holder and pledgee bank, auditors). */
export function getTitle(core: ClientCore, id: string, opts: ReadOptions = {}): Promise<TitleJson> {
  return core.request(R.getTitle, { params: { id }, query: minHeightOf(opts) });
}

/**
 * One page of a lot's titles, with the lot: every title for its custodian and auditors, the caller's
 * own for a holder (`complete: false`); iterate with paginate((cursor) => getLot(core, id, { cursor })).
 */
export function getLot(core: ClientCore, id: string, q: PageOptions = {}): Promise<LotPage> {
  return core.request(R.getLot, { params: { id }, query: { ...q } });
}

/** One page of the titles a party holds now (for a bank: offered or pledged to it); iterate with paginate. */
export function listTitles(core: ClientCore, partyId: string, q: TitleQuery = {}): Promise<TitlePage> {
  return core.request(R.listTitles, { params: { id: partyId }, query: { ...q } });
}

export function getOpenApi(core: ClientCore): Promise<Record<string, unknown>> {
  return core.request(R.getOpenApi);
}

/**
 * Committed ledger events as an async iterator over the node's server-sent event stream. Breaking
 * out of the loop (or aborting `signal`) closes it. When the connection drops it reconnects and
 * resumes after the last event, so no event is missed or repeated.
 */
export function events<T extends LedgerEventType = LedgerEventType>(core: ClientCore, filter: EventFilter<T> = {}, opts: EventStreamOptions = {}): AsyncIterableIterator<LedgerEventOf<T>> {
  const controller = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal;
  const query: RequestArgs["query"] = {
    ...(filter.receivable ? { receivable: filter.receivable } : {}),
    ...(filter.party ? { party: filter.party } : {}),
    ...(filter.types?.length ? { type: filter.types.join(",") } : {}),
  };
  let lastId = opts.lastEventId;
  async function* run(): AsyncGenerator<LedgerEventOf<T>> {
    let failures = 0;
    let fromHeight = opts.fromHeight;
    while (!signal.aborted) {
      let res: Response;
      try {
        res = await core.send(
          R.streamEvents,
          {
            query: { ...query, ...(lastId === undefined && fromHeight !== undefined ? { fromHeight: String(fromHeight) } : {}) },
            signal,
            headers: lastId ? { "last-event-id": lastId } : {},
            timeoutMs: 2 ** 31 - 1,
          },
          undefined,
        );
        if (!res.ok) await core.fail(res);
      } catch (err) {
        if (signal.aborted) return;
        const retriable = err instanceof LedgerError && (err.code === "NETWORK" || err.code === "NOT_READY" || err.code === "RATE_LIMITED" || err.code === "INTERNAL");
        if (!retriable || opts.reconnect === false || failures >= 8) throw err;
        await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** failures++)));
        continue;
      }
      failures = 0;
      fromHeight = undefined;
      const reader = res!.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      let fields: { id?: string; event?: string; data: string[] } = { data: [] };
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let nl: number;
          while ((nl = buffer.search(/\r?\n/)) >= 0) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + (buffer[nl] === "\r" ? 2 : 1));
            if (line === "") {
              // End of a message (WHATWG HTML §9.2.6): the id updates even without data.
              if (fields.id !== undefined) lastId = fields.id;
              if (fields.event === "error") throw new LedgerError("INTERNAL", `event stream: ${fields.data.join("\n")}`);
              if (fields.data.length > 0) {
                let json: unknown;
                try {
                  json = JSON.parse(fields.data.join("\n"));
                } catch {
                  throw new LedgerError("INTERNAL", "event stream: an event's data is not JSON");
                }
                const parsed = LedgerEventView.safeParse(json);
                if (!parsed.success) throw new LedgerError("INTERNAL", `event stream: unexpected event shape (${parsed.error.issues[0]?.message})`);
                yield parsed.data as LedgerEventOf<T>;
              }
              fields = { data: [] };
              continue;
            }
            if (line.startsWith(":")) continue;
            const colon = line.indexOf(":");
            const name = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
            if (name === "data") fields.data.push(value);
            else if (name === "id") fields.id = value;
            else if (name === "event") fields.event = value;
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        if (!(err instanceof LedgerError) && opts.reconnect !== false) continue; // dropped connection
        throw err;
      } finally {
        reader.cancel().catch(() => undefined);
      }
      if (opts.reconnect === false) return;
    }
  }
  const gen = run();
  return {
    next: () => gen.next(),
    return: async (value?: unknown) => {
      controller.abort();
      return gen.return(value as LedgerEventOf<T>);
    },
    throw: (e?: unknown) => gen.throw(e),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** Iterates every item of a paged query: `for await (const r of paginate((c) => listReceivables(core, { ...q, cursor: c })))`. */
export async function* paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, maxPages = Infinity): AsyncGenerator<T> {
  let cursor: string | undefined;
  for (let n = 0; n < maxPages; n++) {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.cursor;
    if (!cursor) return;
  }
}

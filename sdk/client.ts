// The full RPC client (DESIGN §5): createClient({ url, signer }) gives a client with a method for
// every call of the RPC. It is the client core (sdk/client-core.ts: transport, signed reads,
// failover, read-your-writes, answers checked against the route schemas) with the functions of
// sdk/calls.ts as methods, so it carries every route; an app that wants a small bundle imports the
// core and the functions it calls instead (docs/api.md, "The SDK package"). Browser-safe.
import { routes, type HistoryPageJson, type ObjectHistoryPageJson, type RouteId } from "./api/routes.js";
import type {
  AlertRecordJson,
  BlockJson,
  CertifiedHeaderJson,
  CreditLineJson,
  ExposureJson,
  PartyJson,
  PieceItemJson,
  PieceJson,
  ReceivableJson,
  StatusJson,
  TitleJson,
  TxEntryJson,
  TxJson,
  WarrantTreeJson,
} from "./api/schemas.js";
import { buildTxBody } from "./builders.js";
import { toHex } from "./bytes.js";
import type { TrustedValidators } from "./certified.js";
import * as call from "./calls.js";
import type {
  AlertQuery,
  CommittedTx,
  EventFilter,
  EventStreamOptions,
  FullHistoryOptions,
  LedgerEventOf,
  LedgerEventType,
  LotPage,
  Page,
  PageOptions,
  PendingTx,
  PieceQuery,
  ReadOptions,
  ReceivableQuery,
  RegisteredInvoice,
  RejectionQuery,
  SubmitManyOptions,
  SubmitOptions,
  TitlePage,
  TitleQuery,
  WaitOptions,
} from "./calls.js";
import { ClientCore, type AnswerOf, type ClientOptions, type RequestArgs } from "./client-core.js";
import { LedgerError } from "./errors.js";
import type { HistoryKind, ObjectKind } from "./history-chain.js";
import { signerFromSeed, signTransaction, type LocalSigner, type Signer } from "./signer.js";
import { MalformedError } from "./validate.js";
import type { Tx } from "./tx.js";
import type { TxPayload } from "./transactions/index.js";
import type { InvoiceRegistrationOptions } from "./transactions/register-receivable.js";
import type { VerificationReport } from "./verify.js";
import type { TitlePledgesReport } from "./verify-title.js";

export { ClientCore, createClientCore } from "./client-core.js";
export type { AnswerOf, ClientOptions, RequestArgs } from "./client-core.js";
export { paginate, TxPendingError } from "./calls.js";
export type {
  AlertQuery,
  CommittedTx,
  EventFilter,
  EventStreamOptions,
  FullHistoryOptions,
  LedgerEventOf,
  LedgerEventType,
  LotPage,
  Page,
  PageOptions,
  PendingTx,
  PieceQuery,
  ReadOptions,
  ReceivableQuery,
  RegisteredInvoice,
  RejectionQuery,
  SubmitManyOptions,
  SubmitOptions,
  TitlePage,
  TitleQuery,
  WaitOptions,
} from "./calls.js";

export class TradeLedgerClient extends ClientCore {
  /**
   * The same client reading (and signing by default) as another party. It shares this client's
   * nodes and the heights it has seen, so a read through it sees this client's writes.
   */
  override as(signer: Signer): TradeLedgerClient {
    return new TradeLedgerClient({ ...this.options, signer }, this.session);
  }

  /** One route of the table by its id, e.g. `client.call("getReceivable", { params: { id } })`. */
  call<K extends RouteId>(id: K, args: RequestArgs = {}, signer?: Signer): Promise<AnswerOf<(typeof routes)[K]>> {
    return this.request(routes[id], args, signer);
  }

  // ---- writes -------------------------------------------------------------------------------------

  /**
   * Builds, signs and submits a transaction (fetching the chain id once). By default waits for the
   * commit and returns the receipt; a rejection throws LedgerError with `.code` (e.g.
   * "DOUBLE_FINANCING") and `.receipt`. A network failure is retried with the same signed bytes:
   * the node answers a resubmission with the original receipt, so nothing is submitted twice.
   */
  submit(payload: TxPayload, signer: Signer | undefined, opts: SubmitOptions & { wait: "none" }): Promise<PendingTx>;
  submit(payload: TxPayload, signer?: Signer, opts?: SubmitOptions & { wait?: "commit" }): Promise<CommittedTx>;
  submit(payload: TxPayload, signer?: Signer, opts: SubmitOptions = {}): Promise<CommittedTx | PendingTx> {
    return call.submit(this, payload, signer, opts as SubmitOptions & { wait?: "commit" });
  }

  /** Submits an already signed transaction (a Tx from signTransaction, or SignedTx bytes). */
  submitSigned(tx: Tx | Uint8Array, opts: SubmitOptions & { wait: "none" }): Promise<PendingTx>;
  submitSigned(tx: Tx | Uint8Array, opts?: SubmitOptions & { wait?: "commit" }): Promise<CommittedTx>;
  submitSigned(tx: Tx | Uint8Array, opts: SubmitOptions = {}): Promise<CommittedTx | PendingTx> {
    return call.submitSigned(this, tx, opts as SubmitOptions & { wait?: "commit" });
  }

  /**
   * Waits until a transaction is committed and returns its receipt, whatever its code (`ok` says
   * whether the ledger accepted it); TxPendingError after `timeoutMs` (sdk/calls.ts waitForTx).
   */
  waitForTx(hash: string | Uint8Array, opts: WaitOptions = {}): Promise<CommittedTx> {
    return call.waitForTx(this, hash, opts);
  }

  /**
   * Signs and submits several transactions in order through POST /v1/txs/batch, cut to the node's
   * limits, then waits for all of them (sdk/calls.ts submitMany). One entry per payload, in order:
   * the committed receipt (`ok: false` for a ledger refusal), TxPendingError, or the LedgerError
   * that kept it out. Never throws for one transaction's failure.
   */
  submitMany(payloads: readonly TxPayload[], signer: Signer | undefined, opts: SubmitManyOptions & { wait: "none" }): Promise<(PendingTx | LedgerError)[]>;
  submitMany(payloads: readonly TxPayload[], signer?: Signer, opts?: SubmitManyOptions & { wait?: "commit" }): Promise<(CommittedTx | LedgerError)[]>;
  submitMany(payloads: readonly TxPayload[], signer?: Signer, opts: SubmitManyOptions = {}): Promise<(CommittedTx | PendingTx | LedgerError)[]> {
    return call.submitMany(this, payloads, signer, opts as SubmitManyOptions & { wait?: "commit" });
  }



  /**
   * Registers an invoice as a receivable from the invoice itself: document hash (fresh salts,
   * returned: keep them with the invoice), fingerprint, submitted and waited for (sdk/calls.ts
   * registerInvoice).
   */
  registerInvoice(document: unknown, signer?: Signer, opts: SubmitOptions & InvoiceRegistrationOptions & { wait?: "commit" } = {}): Promise<RegisteredInvoice> {
    return call.registerInvoice(this, document, signer, opts);
  }

  // ---- reads (sdk/calls.ts says what each returns) ---------------------------------------------

  status(): Promise<StatusJson> {
    return call.getStatus(this);
  }

  getTx(hash: string | Uint8Array, opts: ReadOptions & { waitCertifiedMs?: number } = {}): Promise<TxJson> {
    return call.getTx(this, hash, opts);
  }

  getCertifiedHeader(height: bigint | number | "latest", opts: { waitMs?: number } = {}): Promise<CertifiedHeaderJson> {
    return call.getCertifiedHeader(this, height, opts);
  }

  getBlock(height: bigint | number | "latest" = "latest", opts: ReadOptions = {}): Promise<BlockJson> {
    return call.getBlock(this, height, opts);
  }

  getBlockTxs(height: bigint | number | "latest", page: PageOptions = {}): Promise<AnswerOf<typeof routes.getBlockTxs>> {
    return call.getBlockTxs(this, height, page);
  }

  getReceivable(id: string, opts: ReadOptions = {}): Promise<ReceivableJson> {
    return call.getReceivable(this, id, opts);
  }

  getHistory(id: string, opts: PageOptions & { proofs?: boolean; waitCertifiedMs?: number | undefined } = {}): Promise<HistoryPageJson> {
    return call.getHistory(this, id, opts);
  }

  getFullHistory(id: string, opts: FullHistoryOptions = {}): Promise<HistoryPageJson> {
    return call.getFullHistory(this, id, opts);
  }

  getHistoryOf(kind: ObjectKind, id: string, opts: PageOptions & { proofs?: boolean; waitCertifiedMs?: number | undefined } = {}): Promise<ObjectHistoryPageJson> {
    return call.getHistoryOf(this, kind, id, opts);
  }

  getFullHistoryOf(kind: ObjectKind, id: string, opts: FullHistoryOptions = {}): Promise<ObjectHistoryPageJson> {
    return call.getFullHistoryOf(this, kind, id, opts);
  }

  verifiedHistory(kind: HistoryKind, id: string, validators: TrustedValidators, opts: Omit<FullHistoryOptions, "proofs"> = {}): Promise<{ history: HistoryPageJson | ObjectHistoryPageJson; verdict: VerificationReport }> {
    return call.verifiedHistory(this, kind, id, validators, opts);
  }

  verifiedTitle(id: string, validators: TrustedValidators, opts: Omit<FullHistoryOptions, "proofs"> = {}): Promise<{ title: TitleJson; history: ObjectHistoryPageJson; verdict: TitlePledgesReport }> {
    return call.verifiedTitle(this, id, validators, opts);
  }

  listReceivables(q: ReceivableQuery = {}): Promise<Page<ReceivableJson> & { asOf: { height: string; time: string } }> {
    return call.listReceivables(this, q);
  }

  getDocument(hash: string | Uint8Array, page: PageOptions = {}): Promise<AnswerOf<typeof routes.getDocument>> {
    return call.getDocument(this, hash, page);
  }

  getFingerprint(fingerprint: string | Uint8Array, page: PageOptions = {}): Promise<AnswerOf<typeof routes.getFingerprint>> {
    return call.getFingerprint(this, fingerprint, page);
  }

  getParty(id: string, opts: ReadOptions = {}): Promise<PartyJson> {
    return call.getParty(this, id, opts);
  }

  getExposure(partyId: string, opts: ReadOptions = {}): Promise<ExposureJson> {
    return call.getExposure(this, partyId, opts);
  }

  getRejections(q: RejectionQuery = {}): Promise<Page<TxEntryJson>> {
    return call.getRejections(this, q);
  }

  getAlerts(q: AlertQuery = {}): Promise<Page<AlertRecordJson>> {
    return call.getAlerts(this, q);
  }

  getGovernance(opts: ReadOptions & { proposal?: string } = {}): Promise<AnswerOf<typeof routes.getGovernance>> {
    return call.getGovernance(this, opts);
  }

  getObservers(opts: ReadOptions = {}): Promise<AnswerOf<typeof routes.listObservers>> {
    return call.getObservers(this, opts);
  }

  /** The chain of validator sets since genesis: verify it with verifyValidatorSets (@tradeledger/sdk/audit), docs/governance.md §5. */
  getValidatorSets(opts: ReadOptions = {}): Promise<AnswerOf<typeof routes.getValidatorSets>> {
    return call.getValidatorSets(this, opts);
  }

  getRules(opts: ReadOptions = {}): Promise<AnswerOf<typeof routes.listRules>> {
    return call.getRules(this, opts);
  }

  getIndicators(partyId: string, q: { asOf?: string } = {}): Promise<AnswerOf<typeof routes.getIndicators>> {
    return call.getIndicators(this, partyId, q);
  }

  getFinancials(partyId: string, page: PageOptions = {}): Promise<AnswerOf<typeof routes.getFinancials>> {
    return call.getFinancials(this, partyId, page);
  }

  getAgingReport(q: { bank?: string; asOf?: string; waitCertifiedMs?: number } = {}): Promise<AnswerOf<typeof routes.getAgingReport>> {
    return call.getAgingReport(this, q);
  }

  getConcentrationReport(q: { bank?: string; asOf?: string; waitCertifiedMs?: number } = {}): Promise<AnswerOf<typeof routes.getConcentrationReport>> {
    return call.getConcentrationReport(this, q);
  }

  verifiedReport(kind: "aging" | "concentration", validators: TrustedValidators, q: { bank?: string; waitMs?: number } = {}) {
    return call.verifiedReport(this, kind, validators, q);
  }

  getCreditLine(id: string, opts: ReadOptions = {}): Promise<CreditLineJson> {
    return call.getCreditLine(this, id, opts);
  }

  getWarrant(id: string, opts: ReadOptions = {}): Promise<WarrantTreeJson> {
    return call.getWarrant(this, id, opts);
  }

  getPiece(id: string, opts: ReadOptions & { proofs?: boolean; waitCertifiedMs?: number } = {}): Promise<PieceJson> {
    return call.getPiece(this, id, opts);
  }

  listPieces(partyId: string, q: PieceQuery = {}): Promise<Page<PieceItemJson> & { partyId: string; asOf: { height: string; time: string } }> {
    return call.listPieces(this, partyId, q);
  }

  getTitle(id: string, opts: ReadOptions = {}): Promise<TitleJson> {
    return call.getTitle(this, id, opts);
  }

  getLot(id: string, q: PageOptions = {}): Promise<LotPage> {
    return call.getLot(this, id, q);
  }

  listTitles(partyId: string, q: TitleQuery = {}): Promise<TitlePage> {
    return call.listTitles(this, partyId, q);
  }

  openApi(): Promise<Record<string, unknown>> {
    return call.getOpenApi(this);
  }

  /** Committed ledger events as an async iterator over the node's server-sent event stream (sdk/calls.ts events). */
  events<T extends LedgerEventType = LedgerEventType>(filter: EventFilter<T> = {}, opts: EventStreamOptions = {}): AsyncIterableIterator<LedgerEventOf<T>> {
    return call.events(this, filter, opts);
  }
}

/** A client for one node's RPC (or several nodes' of one network), with a method for every call. */
export function createClient(opts: ClientOptions): TradeLedgerClient {
  return new TradeLedgerClient(opts);
}

/**
 * A signer from a key file's contents (`.devnet/keys/<party>.json`: `{ partyId, seed, publicKey }`,
 * as text or parsed). Browser-safe, so it takes the contents, not a path; in Node:
 * `loadSigner(readFileSync(".devnet/keys/bank-a.json", "utf8"))`. Throws MalformedError (MALFORMED)
 * if the seed is not 32 bytes of hex or does not give the file's public key.
 */
export function loadSigner(keyFile: string | { partyId?: unknown; seed?: unknown; publicKey?: unknown }, partyId?: string): LocalSigner {
  let k: { partyId?: unknown; seed?: unknown; publicKey?: unknown };
  if (typeof keyFile === "string") {
    try {
      k = JSON.parse(keyFile);
    } catch {
      throw new MalformedError("keyFile", "is not JSON");
    }
  } else k = keyFile;
  if (!k || typeof k !== "object") throw new MalformedError("keyFile", "must be an object with partyId and seed");
  // An encrypted key file (tradeledger init, keys generate) is opened by sdk/keystore.ts, a subpath of
  // its own so that scrypt and the cipher stay out of bundles that do not open key files.
  if ((k as { format?: unknown }).format === "tradeledger-keystore/v1") throw new MalformedError("keyFile", "is an encrypted key file: open it with loadEncryptedSigner(text, passphrase) from @tradeledger/sdk/keystore");
  const id = partyId ?? k.partyId;
  if (typeof id !== "string") throw new MalformedError("partyId", "the key file names no party; pass one");
  if (typeof k.seed !== "string") throw new MalformedError("seed", "must be 32 bytes as 64 hex digits");
  const signer = signerFromSeed(id, k.seed);
  if (k.publicKey !== undefined && k.publicKey !== toHex(signer.publicKey)) throw new MalformedError("publicKey", "does not match the seed");
  return signer;
}

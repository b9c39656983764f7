// The RPC client (DESIGN §5): fetch-based, browser-safe. Requests are built from the route
// definitions of sdk/api/routes.ts and responses checked against their schemas; reads of commercial data
// are signed by the client's signer (docs/security.md); every failure is a LedgerError with a
// code, the HTTP status and, for a rejected transaction, its receipt.
import { ErrorEnvelope } from "./api/errors.js";
import { fillPath, HISTORY_ROUTES, routes, type HistoryPageJson, type ObjectHistoryPageJson, type ResponseOf, type RouteId } from "./api/routes.js";
import type { HistoryKind, ObjectKind } from "./history-chain.js";
import { verifyHistory, verifyObjectHistory, type VerificationReport } from "./verify.js";
import { verifyTitlePledges, type TitlePledgesReport } from "./verify-title.js";
import {
  type BlockJson,
  type CreditLineJson,
  type EventJson,
  type ExposureJson,
  type LedgerEventJson,
  type PartyJson,
  type PieceItemJson,
  type PieceJson,
  type ReceiptJson,
  type ReceivableJson,
  type StatusJson,
  type SubmitResultJson,
  type TitleJson,
  type TitleRecordJson,
  type LotRecordJson,
  type TxEntryJson,
  type AlertRecordJson,
  type TxJson,
  type CertifiedHeaderJson,
  type WarrantTreeJson,
  LedgerEventView,
} from "./api/schemas.js";
import { signedReadHeaders, REQUEST_NONCE_BYTES } from "./api/signed-reads.js";
import type { ALERT_EVENT, EVENT_TYPES, REJECTED_EVENT } from "./api/primitives.js";
import { buildTxBody } from "./builders.js";
import { toHex } from "./bytes.js";
import type { TrustedValidators } from "./certified.js";
import { verifyReport } from "./lending.js";
import { randomBytes } from "./crypto.js";
import { LedgerError, type LedgerErrorCode } from "./errors.js";
import { receiptFromJson } from "./json.js";
import { signerFromSeed, signTransaction, type LocalSigner, type Signer } from "./signer.js";
import { MalformedError } from "./validate.js";
import type { Tx } from "./tx.js";
import type { PieceStatus, ReceivableStatus, ResultCode, TitleStatus } from "./types.js";
import type { TxPayload } from "./transactions/index.js";
import { invoiceRegistration, type InvoiceRegistrationOptions } from "./transactions/register-receivable.js";

export interface ClientOptions {
  /**
   * a node's RPC base URL, e.g. http://127.0.0.1:7001, or several nodes' URLs of one network: the
   * client uses the first that answers and fails over to the next on a connection error or a 503
   */
  url: string | readonly string[];
  /**
   * read-your-writes (default true): every read carries `minHeight`, the highest block height this
   * client has seen (in receipts and in answers' X-TL-Height), so a node that has not applied it yet
   * waits for it (or answers 503 and the client asks another node) instead of answering older state
   */
  readYourWrites?: boolean;
  /** the party that signs reads (and, by default, transactions) */
  signer?: Signer;
  /** defaults to globalThis.fetch */
  fetch?: typeof fetch;
  /** per request, ms (default 60 s; a commit wait adds its own timeout) */
  timeoutMs?: number;
  /** check responses against the route schemas (default true) */
  validateResponses?: boolean;
  /** the client's clock for request signatures (ms); injectable for tests */
  clock?: () => number;
}

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

interface RequestArgs {
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | bigint | undefined>;
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP date; in ms, or undefined. */
function retryAfterHeader(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  if (/^[0-9]+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

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
const SUBMIT_RETRIES = 2;
/** The response header with the node's applied height (rpc/server.ts). */
const HEIGHT_HEADER = "x-tl-height";

/** What clients made from one another with as() share: where they read, and what they have seen. */
class Session {
  /** the index in `urls` of the node that answered last */
  current = 0;
  /** the highest block height seen in a receipt or an answer */
  seen = 0n;
  chainId: Promise<string> | undefined;
  constructor(readonly urls: readonly string[]) {}
  observe(height: bigint): void {
    if (height > this.seen) this.seen = height;
  }
}

function heightOf(value: bigint | number | string, what: string): bigint {
  const text = String(value);
  if (!/^(?:0|[1-9][0-9]{0,19})$/.test(text)) throw new LedgerError("MALFORMED", `${what}: a block height, an unsigned integer (got ${text.slice(0, 40)})`);
  return BigInt(text);
}

/** Does the route take `minHeight` (sdk/api/routes.ts: the reads)? */
function takesMinHeight(id: RouteId): boolean {
  const shape = (routes[id].query as unknown as { shape?: Record<string, unknown> }).shape;
  return shape !== undefined && Object.hasOwn(shape, "minHeight");
}

function minHeightOf(opts: ReadOptions): { minHeight?: string } {
  return opts.minHeight === undefined ? {} : { minHeight: String(opts.minHeight) };
}

function hexOf(value: string | Uint8Array): string {
  return typeof value === "string" ? value : toHex(value);
}

function statusCode(status: number): LedgerErrorCode {
  switch (status) {
    case 400:
      return "MALFORMED";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "FORBIDDEN";
    case 404:
      return "NOT_FOUND";
    case 413:
      return "TOO_LARGE";
    case 429:
      return "RATE_LIMITED";
    case 503:
      return "NOT_READY";
    default:
      return "INTERNAL";
  }
}

export class TradeLedgerClient {
  /** every node URL this client may use, in order of preference */
  readonly urls: readonly string[];
  readonly signer: Signer | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly validate: boolean;
  private readonly clock: () => number;
  private readonly options: ClientOptions;
  private readonly readYourWrites: boolean;
  private readonly session: Session;

  constructor(opts: ClientOptions, shared?: Session) {
    const given = typeof opts?.url === "string" ? [opts.url] : Array.isArray(opts?.url) ? (opts.url as readonly unknown[]) : [];
    if (given.length === 0 || given.some((u) => typeof u !== "string" || !/^https?:\/\//.test(u))) throw new LedgerError("MALFORMED", "createClient: url must be an http(s) URL or a non-empty list of them");
    this.urls = given.map((u) => (u as string).replace(/\/+$/, ""));
    this.session = shared ?? new Session(this.urls);
    this.signer = opts.signer;
    this.readYourWrites = opts.readYourWrites ?? true;
    const f = opts.fetch ?? globalThis.fetch;
    if (typeof f !== "function") throw new LedgerError("MALFORMED", "createClient: no fetch available; pass one");
    this.fetchFn = (input, init) => f(input, init); // unbound window.fetch throws "Illegal invocation"
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.validate = opts.validateResponses ?? true;
    this.clock = opts.clock ?? Date.now;
    this.options = opts;
  }

  /** The node URL in use: the one that answered last. */
  get url(): string {
    return this.session.urls[this.session.current]!;
  }

  /**
   * The same client reading (and signing by default) as another party. It shares this client's
   * nodes and the heights it has seen, so a read through it sees this client's writes.
   */
  as(signer: Signer): TradeLedgerClient {
    return new TradeLedgerClient({ ...this.options, signer }, this.session);
  }

  /** The highest block height this client has seen (receipts, answers); reads send it as minHeight. */
  seenHeight(): bigint {
    return this.session.seen;
  }

  /** Raises the height reads wait for, e.g. to a receipt's height another process got. */
  observeHeight(height: bigint | number | string): void {
    this.session.observe(heightOf(height, "observeHeight"));
  }

  /** The chain id, from the node's status (fetched once). */
  chainId(): Promise<string> {
    if (!this.session.chainId) {
      const p = this.status().then((s) => s.chainId);
      this.session.chainId = p;
      p.catch(() => {
        if (this.session.chainId === p) this.session.chainId = undefined;
      });
    }
    return this.session.chainId;
  }

  // ---- transport ----------------------------------------------------------------------------------

  /**
   * Sends a request to the node in use; on a connection error or a 503 (not ready, behind the
   * read's minHeight, mempool full) the next node is tried, each once. The last node's answer (or
   * error) is the result. The node that answered is used first from then on.
   */
  private async send(id: RouteId, args: RequestArgs, signer: Signer | undefined): Promise<Response> {
    const s = this.session;
    const n = s.urls.length;
    const query = { ...(args.query ?? {}) };
    if (takesMinHeight(id)) {
      const explicit = query.minHeight === undefined ? 0n : heightOf(query.minHeight as string, "minHeight");
      const floor = this.readYourWrites && s.seen > explicit ? s.seen : explicit;
      query.minHeight = floor > 0n ? floor : undefined;
    }
    const start = s.current;
    for (let attempt = 0; ; attempt++) {
      const index = (start + attempt) % n;
      const last = attempt >= n - 1;
      let res: Response;
      try {
        res = await this.sendTo(s.urls[index]!, id, { ...args, query }, signer);
      } catch (err) {
        if (!last && err instanceof LedgerError && err.code === "NETWORK" && !args.signal?.aborted) continue;
        throw err;
      }
      const height = res.headers?.get?.(HEIGHT_HEADER);
      if (height && /^[0-9]{1,20}$/.test(height)) s.observe(BigInt(height));
      if (res.status === 503 && !last) {
        await res.body?.cancel().catch(() => undefined);
        continue;
      }
      s.current = index;
      return res;
    }
  }

  private async sendTo(base: string, id: RouteId, args: RequestArgs, signer: Signer | undefined): Promise<Response> {
    const def = routes[id];
    const url = new URL(base + fillPath(def.path, args.params ?? {}));
    for (const [k, v] of Object.entries(args.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: def.produces === "sse" ? "text/event-stream" : "application/json", ...(args.headers ?? {}) };
    if (def.access === "signed") {
      const s = signer ?? this.signer;
      if (!s) throw new LedgerError("UNAUTHENTICATED", `${def.method} ${def.path} is a signed read: create the client with a signer (createClient({ url, signer }))`);
      const chainId = await this.chainId();
      // The target is signed exactly as fetch sends it: the URL's serialised path and query.
      Object.assign(headers, await signedReadHeaders(s, { chainId, time: BigInt(this.clock()), nonce: randomBytes(REQUEST_NONCE_BYTES), method: def.method, target: url.pathname + url.search }));
    }
    let body: string | undefined;
    if (args.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(args.body);
    }
    const timeout = args.timeoutMs ?? this.timeoutMs;
    const signals = [AbortSignal.timeout(timeout), ...(args.signal ? [args.signal] : [])];
    try {
      return await this.fetchFn(url.toString(), { method: def.method, headers, ...(body !== undefined ? { body } : {}), signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0]! });
    } catch (err) {
      if (args.signal?.aborted) throw new LedgerError("NETWORK", `${def.method} ${url.pathname}: aborted`);
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      throw new LedgerError(timedOut ? "TIMEOUT" : "NETWORK", `${def.method} ${url.origin}${url.pathname}: ${timedOut ? `no answer within ${timeout} ms` : (err as Error).message}`);
    }
  }

  private async fail(res: Response): Promise<never> {
    let parsed: unknown;
    const text = await res.text().catch(() => "");
    const headerRetry = retryAfterHeader(res.headers.get("retry-after"), this.clock());
    const extra = headerRetry !== undefined ? { retryAfterMs: headerRetry } : {};
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new LedgerError(statusCode(res.status), `HTTP ${res.status}: ${text.slice(0, 200) || res.statusText}`, undefined, res.status, extra);
    }
    const env = ErrorEnvelope.safeParse(parsed);
    if (!env.success) throw new LedgerError(statusCode(res.status), `HTTP ${res.status}: unexpected error body`, undefined, res.status, extra);
    const e = env.data.error;
    let receipt;
    try {
      receipt = e.receipt ? receiptFromJson(e.receipt) : undefined;
    } catch {
      receipt = undefined;
    }
    // The body's figure is exact (ms); the header's is rounded up to whole seconds.
    const retryAfterMs = e.retryAfterMs ?? headerRetry;
    throw new LedgerError(e.code as LedgerErrorCode, e.message, receipt, res.status, {
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(e.details ? { details: e.details } : {}),
    });
  }

  private async parse<K extends RouteId>(id: K, res: Response): Promise<ResponseOf<K>> {
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new LedgerError("INTERNAL", `${routes[id].path}: the node answered with something other than JSON`, undefined, res.status);
    }
    if (!this.validate) return json as ResponseOf<K>;
    const r = routes[id].response.safeParse(json);
    if (!r.success) throw new LedgerError("INTERNAL", `${routes[id].path}: unexpected response shape (${r.error.issues[0]?.message ?? "invalid"}); is the node's API version the SDK's?`, undefined, res.status);
    return r.data as ResponseOf<K>;
  }

  private async call<K extends RouteId>(id: K, args: RequestArgs = {}, signer?: Signer): Promise<ResponseOf<K>> {
    const res = await this.send(id, args, signer);
    if (!res.ok) return this.fail(res);
    return this.parse(id, res);
  }

  // ---- writes -------------------------------------------------------------------------------------

  /**
   * Builds, signs and submits a transaction (fetching the chain id once). By default waits for the
   * commit and returns the receipt; a rejection throws LedgerError with `.code` (e.g.
   * "DOUBLE_FINANCING") and `.receipt`. A network failure is retried with the same signed bytes:
   * the node answers a resubmission with the original receipt, so nothing is submitted twice.
   */
  async submit(payload: TxPayload, signer: Signer | undefined, opts: SubmitOptions & { wait: "none" }): Promise<PendingTx>;
  async submit(payload: TxPayload, signer?: Signer, opts?: SubmitOptions & { wait?: "commit" }): Promise<CommittedTx>;
  async submit(payload: TxPayload, signer?: Signer, opts: SubmitOptions = {}): Promise<CommittedTx | PendingTx> {
    const s = signer ?? this.signer;
    if (!s) throw new LedgerError("UNAUTHENTICATED", "submit needs a signer (argument or createClient({ signer }))");
    const body = buildTxBody(payload, {
      chainId: await this.chainId(),
      signer: s,
      ...(opts.createdAt !== undefined ? { createdAt: opts.createdAt } : {}),
      ...(opts.nonce !== undefined ? { nonce: opts.nonce } : {}),
    });
    return this.submitSigned(await signTransaction(s, body), opts as SubmitOptions & { wait?: "commit" });
  }

  /** Submits an already signed transaction (a Tx from signTransaction, or SignedTx bytes). */
  async submitSigned(tx: Tx | Uint8Array, opts: SubmitOptions & { wait: "none" }): Promise<PendingTx>;
  async submitSigned(tx: Tx | Uint8Array, opts?: SubmitOptions & { wait?: "commit" }): Promise<CommittedTx>;
  async submitSigned(tx: Tx | Uint8Array, opts: SubmitOptions = {}): Promise<CommittedTx | PendingTx> {
    const bytes = tx instanceof Uint8Array ? tx : tx.bytes;
    const wait = opts.wait ?? "commit";
    const waitMs = opts.timeoutMs ?? 30_000;
    const args: RequestArgs = {
      body: { tx: toHex(bytes) },
      query: { wait, ...(wait === "commit" ? { timeoutMs: waitMs } : {}) },
      timeoutMs: this.timeoutMs + (wait === "commit" ? waitMs : 0),
    };
    let res: Response | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        res = await this.send("submitTx", args, undefined);
        break;
      } catch (err) {
        if (!(err instanceof LedgerError) || err.code !== "NETWORK" || attempt >= SUBMIT_RETRIES) throw err;
        await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
      }
    }
    if (!res.ok) return this.fail(res);
    const result: SubmitResultJson = await this.parse("submitTx", res);
    if (result.status === "pending") {
      if (wait === "commit") throw new TxPendingError(result.txHash);
      return { txHash: result.txHash, status: "pending" };
    }
    this.session.observe(BigInt(result.height!));
    return committedOf({ txHash: result.txHash, height: result.height!, index: result.index!, time: result.time!, blockHash: result.blockHash!, receipt: result.receipt! });
  }

  /**
   * Waits until a transaction is committed and returns its receipt, whatever its code (`ok` says
   * whether the ledger accepted it). Polls getTx (a signed read: the client needs a signer who
   * may see the transaction), honouring the node's retryAfterMs when it is busy. Throws
   * TxPendingError after `timeoutMs`.
   */
  async waitForTx(hash: string | Uint8Array, opts: WaitOptions = {}): Promise<CommittedTx> {
    const txHash = hexOf(hash);
    const deadline = this.clock() + (opts.timeoutMs ?? 60_000);
    let pause = opts.pollMs ?? 250;
    for (;;) {
      let wait = pause;
      try {
        const t = await this.call("getTx", { params: { hash: txHash }, ...(opts.signal ? { signal: opts.signal } : {}) });
        return committedOf(t);
      } catch (err) {
        if (!(err instanceof LedgerError)) throw err;
        if (opts.signal?.aborted) throw err;
        if (err.code === "RATE_LIMITED" || err.code === "NOT_READY") wait = Math.max(pause, err.retryAfterMs ?? 0);
        else if (err.code !== "NOT_FOUND" && err.code !== "NETWORK" && err.code !== "TIMEOUT") throw err;
      }
      const left = deadline - this.clock();
      if (left <= 0) throw new TxPendingError(txHash);
      await sleep(Math.min(wait, left), opts.signal);
      pause = Math.min(pause * 2, Math.max(opts.pollMs ?? 250, 2000));
    }
  }

  /**
   * Signs and submits several transactions in order, then waits for all of them. Returns one
   * entry per payload, in order: the committed receipt (`ok: false` for one the ledger refused,
   * e.g. a DOUBLE_FINANCING) or the LedgerError that kept it from being admitted or committed.
   * Never throws for one transaction's failure. With `wait: "none"`, returns once all are
   * admitted.
   */
  async submitMany(payloads: readonly TxPayload[], signer: Signer | undefined, opts: SubmitOptions & { wait: "none" }): Promise<(PendingTx | LedgerError)[]>;
  async submitMany(payloads: readonly TxPayload[], signer?: Signer, opts?: SubmitOptions & { wait?: "commit" }): Promise<(CommittedTx | LedgerError)[]>;
  async submitMany(payloads: readonly TxPayload[], signer?: Signer, opts: SubmitOptions = {}): Promise<(CommittedTx | PendingTx | LedgerError)[]> {
    const s = signer ?? this.signer;
    if (!s) throw new LedgerError("UNAUTHENTICATED", "submitMany needs a signer (argument or createClient({ signer }))");
    const chainId = await this.chainId();
    const signed: (Tx | LedgerError)[] = [];
    for (const payload of payloads) {
      try {
        const body = buildTxBody(payload, { chainId, signer: s, ...(opts.createdAt !== undefined ? { createdAt: opts.createdAt } : {}) });
        signed.push(await signTransaction(s, body));
      } catch (err) {
        if (!(err instanceof LedgerError)) throw err;
        signed.push(err);
      }
    }
    // Admitted one after the other so that they enter the mempool in the order given.
    const admitted: (PendingTx | LedgerError)[] = [];
    for (const t of signed) {
      if (t instanceof LedgerError) admitted.push(t);
      else admitted.push(await this.submitSigned(t, { wait: "none" }).catch((err: unknown) => (err instanceof LedgerError ? err : Promise.reject(err))));
    }
    if (opts.wait === "none") return admitted;
    const waitMs = opts.timeoutMs ?? 30_000;
    return Promise.all(
      admitted.map((a) => (a instanceof LedgerError ? a : this.waitForTx(a.txHash, { timeoutMs: waitMs }).catch((err: unknown) => (err instanceof LedgerError ? err : Promise.reject(err))))),
    );
  }

  /**
   * Registers an invoice as a receivable from the invoice itself: computes its document hash
   * (fresh salts, returned: keep them with the invoice) and its fingerprint, builds, signs and
   * submits the transaction and waits for the commit. A rejection (DUPLICATE_DOCUMENT,
   * DUPLICATE_RECEIVABLE, ...) throws LedgerError like submit.
   */
  async registerInvoice(document: unknown, signer?: Signer, opts: SubmitOptions & InvoiceRegistrationOptions & { wait?: "commit" } = {}): Promise<RegisteredInvoice> {
    const { payload, commitment, fingerprint } = invoiceRegistration(document, opts);
    const { salts: _salts, random: _random, buyerPartyId: _buyer, ...submitOpts } = opts;
    const done = await this.submit(payload, signer, submitOpts);
    return { ...done, receivableId: done.receipt.target, documentHash: commitment.rootHex, fingerprint: toHex(fingerprint), salts: commitment.salts };
  }

  // ---- reads ------------------------------------------------------------------------------------

  status(): Promise<StatusJson> {
    return this.call("getStatus");
  }

  /** A committed transaction with its proofs; `waitCertifiedMs`: wait that long for its block to be certified (what verifyTx needs). */
  getTx(hash: string | Uint8Array, opts: ReadOptions & { waitCertifiedMs?: number } = {}): Promise<TxJson> {
    return this.call("getTx", { params: { hash: hexOf(hash) }, query: { ...minHeightOf(opts), waitCertifiedMs: opts.waitCertifiedMs } });
  }

  /** Block `height`'s header certified with its results (sdk/certified.ts verifyCertifiedHeader); waits up to `waitMs` for the certificate. */
  getCertifiedHeader(height: bigint | number | "latest", opts: { waitMs?: number } = {}): Promise<CertifiedHeaderJson> {
    return this.call("getCertifiedHeader", { params: { height: String(height) }, query: { waitMs: opts.waitMs } });
  }

  getBlock(height: bigint | number | "latest" = "latest", opts: ReadOptions = {}): Promise<BlockJson> {
    return this.call("getBlock", { params: { height: String(height) }, query: minHeightOf(opts) });
  }

  getBlockTxs(height: bigint | number | "latest", page: PageOptions = {}): Promise<ResponseOf<"getBlockTxs">> {
    return this.call("getBlockTxs", { params: { height: String(height) }, query: { ...page } });
  }

  getReceivable(id: string, opts: ReadOptions = {}): Promise<ReceivableJson> {
    return this.call("getReceivable", { params: { id }, query: minHeightOf(opts) });
  }

  /** One page of a receivable's history; with `proofs`, what verifyHistory checks. */
  getHistory(id: string, opts: PageOptions & { proofs?: boolean; waitCertifiedMs?: number | undefined } = {}): Promise<HistoryPageJson> {
    return this.call("getHistory", { params: { id }, query: { ...opts } });
  }

  /**
   * Every page of a receivable's history merged into one (proofs included by default, each block
   * with its certified header: the node waits up to `waitCertifiedMs`, default 10 s, for the newest
   * blocks to be certified).
   */
  async getFullHistory(id: string, opts: FullHistoryOptions = {}): Promise<HistoryPageJson> {
    return { receivableId: id, ...(await this.mergedHistory(`history of ${id}`, opts, (q) => this.getHistory(id, q))) };
  }

  /** One page of the history of a piece, warrant, credit line, title or lot; with `proofs`, what verifyObjectHistory checks. */
  getHistoryOf(kind: ObjectKind, id: string, opts: PageOptions & { proofs?: boolean; waitCertifiedMs?: number | undefined } = {}): Promise<ObjectHistoryPageJson> {
    return this.call(HISTORY_ROUTES[kind], { params: { id }, query: { ...opts } }) as Promise<ObjectHistoryPageJson>;
  }

  /** Every page of a piece's, warrant's, credit line's, title's or lot's history merged into one, as getFullHistory. */
  async getFullHistoryOf(kind: ObjectKind, id: string, opts: FullHistoryOptions = {}): Promise<ObjectHistoryPageJson> {
    return { kind, id, ...(await this.mergedHistory(`history of ${kind} ${id}`, opts, (q) => this.getHistoryOf(kind, id, q))) };
  }

  /**
   * The whole history of any object with a history (a receivable, piece, warrant, credit line,
   * title or lot) with proofs, checked against the validator set (verifyHistory /
   * verifyObjectHistory): `verdict.completeThrough` is the certified height up to which it is proven
   * complete; `verdict.problems` say what failed (ENTRY_MISSING names the missing entries).
   */
  async verifiedHistory(kind: HistoryKind, id: string, validators: TrustedValidators, opts: Omit<FullHistoryOptions, "proofs"> = {}): Promise<{ history: HistoryPageJson | ObjectHistoryPageJson; verdict: VerificationReport }> {
    if (kind === "receivable") {
      const history = await this.getFullHistory(id, opts);
      return { history, verdict: verifyHistory(history, validators) };
    }
    const history = await this.getFullHistoryOf(kind, id, opts);
    return { history, verdict: verifyObjectHistory(history, validators, { kind, id }) };
  }

  /**
   * A title's pledge history checked against the validator set (sdk/verify-title.ts
   * verifyTitlePledges): the title's history is read with proofs first, then the title, so the
   * pledges shown are compared as they stood at the height the history is proven complete at.
   */
  async verifiedTitle(id: string, validators: TrustedValidators, opts: Omit<FullHistoryOptions, "proofs"> = {}): Promise<{ title: TitleJson; history: ObjectHistoryPageJson; verdict: TitlePledgesReport }> {
    const history = await this.getFullHistoryOf("title", id, opts);
    const title = await this.getTitle(id);
    return { title, history, verdict: verifyTitlePledges(title, history, validators) };
  }

  /** Reads every page of a history and merges them: items, blocks once each, every page's signer keys, the last page's chain record. */
  private async mergedHistory(what: string, opts: FullHistoryOptions, page: (q: PageOptions & { proofs: boolean; waitCertifiedMs?: number | undefined }) => Promise<Omit<HistoryPageJson, "receivableId">>): Promise<Omit<HistoryPageJson, "receivableId" | "cursor">> {
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

  listReceivables(q: ReceivableQuery = {}): Promise<Page<ReceivableJson> & { asOf: { height: string; time: string } }> {
    return this.call("listReceivables", { query: { ...q } });
  }

  getDocument(hash: string | Uint8Array, page: PageOptions = {}): Promise<ResponseOf<"getDocument">> {
    return this.call("getDocument", { params: { hash: hexOf(hash) }, query: { ...page } });
  }

  getFingerprint(fingerprint: string | Uint8Array, page: PageOptions = {}): Promise<ResponseOf<"getFingerprint">> {
    return this.call("getFingerprint", { params: { fingerprint: hexOf(fingerprint) }, query: { ...page } });
  }

  getParty(id: string, opts: ReadOptions = {}): Promise<PartyJson> {
    return this.call("getParty", { params: { id }, query: minHeightOf(opts) });
  }

  getExposure(partyId: string, opts: ReadOptions = {}): Promise<ExposureJson> {
    return this.call("getExposure", { params: { id: partyId }, query: minHeightOf(opts) });
  }

  getRejections(q: RejectionQuery = {}): Promise<Page<TxEntryJson>> {
    return this.call("listRejections", { query: { ...q } });
  }

  // ---- supervision (DESIGN.md §11, docs/supervision.md) ----

  /** Supervision alerts: regulators and auditors all, any other party those naming it. */
  getAlerts(q: AlertQuery = {}): Promise<Page<AlertRecordJson>> {
    const query: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(q)) if (v !== undefined) query[k] = typeof v === "bigint" ? v.toString() : (v as string | number);
    return this.call("listAlerts", { query });
  }

  /** The validator set in ledger state and, if named, one validator-set proposal (docs/governance.md). */
  getGovernance(opts: ReadOptions & { proposal?: string } = {}): Promise<ResponseOf<"getGovernance">> {
    return this.call("getGovernance", { query: { ...minHeightOf(opts), ...(opts.proposal ? { proposal: opts.proposal } : {}) } });
  }

  /**
   * The chain of validator sets since genesis (docs/governance.md §5): one link per epoch after 0.
   * Verify it with verifyValidatorSets(genesisSet, links) and pass the chain it returns to the
   * verifiers (verifyHistory, verifyTx, verifyPiece, ...) in place of the genesis set.
   */
  getValidatorSets(opts: ReadOptions = {}): Promise<ResponseOf<"getValidatorSets">> {
    return this.call("getValidatorSets", { query: minHeightOf(opts) });
  }

  /** The active supervision rules, sorted by id. */
  /** Observer nodes admitted on the ledger, current and removed (docs/governance.md). */
  getObservers(opts: ReadOptions = {}): Promise<ResponseOf<"listObservers">> {
    return this.call("listObservers", { query: minHeightOf(opts) });
  }

  getRules(opts: ReadOptions = {}): Promise<ResponseOf<"listRules">> {
    return this.call("listRules", { query: minHeightOf(opts) });
  }

  // ---- before, during and after lending (DESIGN.md §10-§11, docs/lending.md) ----

  /** A party's credit indicators at the head (the party, banks it consented to, auditors, regulators). */
  getIndicators(partyId: string, q: { asOf?: string } = {}): Promise<ResponseOf<"getIndicators">> {
    return this.call("getIndicators", { params: { id: partyId }, query: { ...q } });
  }

  /** Attestations of a party's financials, oldest first (access as the indicators). */
  getFinancials(partyId: string, page: PageOptions = {}): Promise<ResponseOf<"getFinancials">> {
    return this.call("getFinancials", { params: { id: partyId }, query: { ...page } });
  }

  /** The aging report of a bank's book (or, for auditors and regulators, of every bank's); check it with verifyReport. */
  getAgingReport(q: { bank?: string; asOf?: string; waitCertifiedMs?: number } = {}): Promise<ResponseOf<"getAgingReport">> {
    return this.call("getAgingReport", { query: { ...q } });
  }

  /** The concentration report of a bank's book (or every bank's); check it with verifyReport. */
  getConcentrationReport(q: { bank?: string; asOf?: string; waitCertifiedMs?: number } = {}): Promise<ResponseOf<"getConcentrationReport">> {
    return this.call("getConcentrationReport", { query: { ...q } });
  }

  /**
   * A report checked against the validator set (sdk/lending.ts verifyReport): asked with
   * `waitMs` for its block's certificate; if the node had none yet, the certified header is fetched
   * separately (GET /v1/blocks/:height/certified, waiting up to `waitMs` again) and attached.
   * Returns the report and the verdict; `verdict.ok` false says why in `problems`.
   */
  async verifiedReport(kind: "aging" | "concentration", validators: TrustedValidators, q: { bank?: string; waitMs?: number } = {}) {
    const waitCertifiedMs = q.waitMs ?? 5_000;
    const query = { ...(q.bank !== undefined ? { bank: q.bank } : {}), waitCertifiedMs };
    const report = kind === "aging" ? await this.getAgingReport(query) : await this.getConcentrationReport(query);
    if (!report.certified) {
      try {
        report.certified = await this.getCertifiedHeader(BigInt(report.asOf.height), { waitMs: waitCertifiedMs });
      } catch (err) {
        if (!(err instanceof LedgerError) || err.status !== 404) throw err;
        // still not certified: verifyReport says so
      }
    }
    return { report, verdict: verifyReport({ ...report, kind }, { validators }) };
  }

  // ---- digital warrants (DESIGN.md §7) ----

  /** A credit line: limit, outstanding, room left, expiry (its bank, its obligor, auditors). */
  getCreditLine(id: string, opts: ReadOptions = {}): Promise<CreditLineJson> {
    return this.call("getCreditLine", { params: { id }, query: minHeightOf(opts) });
  }

  /** A warrant with its tree of pieces (all of it for the obligor and the bank; a holder's part otherwise: `complete: false`). */
  getWarrant(id: string, opts: ReadOptions = {}): Promise<WarrantTreeJson> {
    return this.call("getWarrant", { params: { id }, query: minHeightOf(opts) });
  }

  /** A piece with its ancestry; with `proofs`, each step's transaction with its proofs, what verifyPiece checks. */
  /** With `proofs`, what verifyPiece checks; the node waits up to `waitCertifiedMs` (default 10 s with proofs) for the head to be certified. */
  getPiece(id: string, opts: ReadOptions & { proofs?: boolean; waitCertifiedMs?: number } = {}): Promise<PieceJson> {
    return this.call("getPiece", { params: { id }, query: { ...(opts.proofs ? { proofs: true, waitCertifiedMs: opts.waitCertifiedMs ?? 10_000 } : {}), ...minHeightOf(opts) } });
  }

  /** One page of the pieces a party holds now; iterate with paginate((cursor) => client.listPieces(id, { ...q, cursor })). */
  listPieces(partyId: string, q: PieceQuery = {}): Promise<Page<PieceItemJson> & { partyId: string; asOf: { height: string; time: string } }> {
    return this.call("listPieces", { params: { id: partyId }, query: { ...q } });
  }

  // ---- title documents and pledges (DESIGN.md §8) ----

  /** A title document with its pledge history (its custodian, holder and pledgee bank, auditors). */
  getTitle(id: string, opts: ReadOptions = {}): Promise<TitleJson> {
    return this.call("getTitle", { params: { id }, query: minHeightOf(opts) });
  }

  /**
   * One page of a lot's titles, with the lot: every title for its custodian and auditors, the caller's
   * own for a holder (`complete: false`); iterate with paginate((cursor) => client.getLot(id, { cursor })).
   */
  getLot(id: string, q: PageOptions = {}): Promise<LotPage> {
    return this.call("getLot", { params: { id }, query: { ...q } });
  }

  /** One page of the titles a party holds now (for a bank: offered or pledged to it); iterate with paginate. */
  listTitles(partyId: string, q: TitleQuery = {}): Promise<TitlePage> {
    return this.call("listTitles", { params: { id: partyId }, query: { ...q } });
  }

  openApi(): Promise<Record<string, unknown>> {
    return this.call("getOpenApi");
  }

  /**
   * Committed ledger events as an async iterator over the node's server-sent event stream. Breaking
   * out of the loop (or aborting `signal`) closes it. When the connection drops it reconnects and
   * resumes after the last event, so no event is missed or repeated.
   */
  events<T extends LedgerEventType = LedgerEventType>(filter: EventFilter<T> = {}, opts: EventStreamOptions = {}): AsyncIterableIterator<LedgerEventOf<T>> {
    const controller = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, controller.signal]) : controller.signal;
    const query: RequestArgs["query"] = {
      ...(filter.receivable ? { receivable: filter.receivable } : {}),
      ...(filter.party ? { party: filter.party } : {}),
      ...(filter.types?.length ? { type: filter.types.join(",") } : {}),
    };
    const self = this;
    let lastId = opts.lastEventId;
    async function* run(): AsyncGenerator<LedgerEventOf<T>> {
      let failures = 0;
      let fromHeight = opts.fromHeight;
      while (!signal.aborted) {
        let res: Response;
        try {
          res = await self.send(
            "streamEvents",
            {
              query: { ...query, ...(lastId === undefined && fromHeight !== undefined ? { fromHeight: String(fromHeight) } : {}) },
              signal,
              headers: lastId ? { "last-event-id": lastId } : {},
              timeoutMs: 2 ** 31 - 1,
            },
            undefined,
          );
          if (!res.ok) await self.fail(res);
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
}

/** A client for one node's RPC. */
export function createClient(opts: ClientOptions): TradeLedgerClient {
  return new TradeLedgerClient(opts);
}

/** Iterates every item of a paged query: `for await (const r of paginate((c) => client.listReceivables({ ...q, cursor: c })))`. */
export async function* paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>, maxPages = Infinity): AsyncGenerator<T> {
  let cursor: string | undefined;
  for (let n = 0; n < maxPages; n++) {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.cursor;
    if (!cursor) return;
  }
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

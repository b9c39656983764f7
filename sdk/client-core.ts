// The client core (DESIGN §5): fetch-based, browser-safe. It sends the route it is given (a value of
// sdk/api/routes.ts), signs reads as its signer, fails over between nodes, keeps the heights it has
// seen (read-your-writes) and checks every answer against that route's response schema. It knows no
// route but the status (for the chain id), so an app that calls a few routes through sdk/calls.ts
// carries only those routes and their schemas; createClient (sdk/client.ts) is the full client
// built on it. Every failure is a LedgerError with a code, the HTTP status and, for a rejected
// transaction, its receipt.
import type * as z from "zod/mini";
import { ErrorEnvelope } from "./api/errors.js";
import { fillPath, getStatus, type RouteDef } from "./api/routes.js";
import { signedReadHeaders, REQUEST_NONCE_BYTES } from "./api/signed-reads.js";
import { randomBytes } from "./crypto.js";
import { LedgerError, type LedgerErrorCode } from "./errors.js";
import { receiptFromJson } from "./json.js";
import type { Signer } from "./signer.js";

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

/** One request of a route: path parameters, query (as on the wire), body, and transport options. */
export interface RequestArgs {
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | bigint | undefined>;
  body?: unknown;
  /** a binary body instead of JSON (the route's binaryBody) */
  rawBody?: { contentType: string; bytes: Uint8Array };
  signal?: AbortSignal;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** What a route answers, as the client returns it. */
export type AnswerOf<R extends RouteDef> = z.output<R["response"]>;

const DEFAULT_TIMEOUT_MS = 60_000;
/** The response header with the node's applied height (rpc/server.ts). */
const HEIGHT_HEADER = "x-tl-height";

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP date; in ms, or undefined. */
function retryAfterHeader(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  if (/^[0-9]+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** What clients made from one another with as() share: where they read, and what they have seen. */
export class Session {
  /** the index in `urls` of the node that answered last */
  current = 0;
  /** the highest block height seen in a receipt or an answer */
  seen = 0n;
  chainId: Promise<string> | undefined;
  /** the node's submission limits (its status, read with the chain id) */
  limits: { maxBatchTxs: number; maxBatchBytes: number } | undefined;
  constructor(readonly urls: readonly string[]) {}
  observe(height: bigint): void {
    if (height > this.seen) this.seen = height;
  }
}

/** A block height from a caller: an unsigned decimal integer, else MALFORMED naming `what`. */
export function heightOf(value: bigint | number | string, what: string): bigint {
  const text = String(value);
  if (!/^(?:0|[1-9][0-9]{0,19})$/.test(text)) throw new LedgerError("MALFORMED", `${what}: a block height, an unsigned integer (got ${text.slice(0, 40)})`);
  return BigInt(text);
}

/** Does the route take `minHeight` (sdk/api/routes.ts: the reads)? */
function takesMinHeight(route: RouteDef): boolean {
  const shape = (route.query as unknown as { shape?: Record<string, unknown> }).shape;
  return shape !== undefined && Object.hasOwn(shape, "minHeight");
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

/**
 * The transport every call goes through: `core.request(route, args)` sends one route's request and
 * returns its checked answer (as the AWS SDK v3's `client.send(command)`). The functions of
 * sdk/calls.ts (`getReceivable(core, id)`, `registerInvoice(core, invoice)`, ...) are built on it;
 * so is the full client, which is a ClientCore with a method per call.
 */
export class ClientCore {
  /** every node URL this client may use, in order of preference */
  readonly urls: readonly string[];
  readonly signer: Signer | undefined;
  /** per request, ms */
  readonly timeoutMs: number;
  /** the clock request signatures and waits use (ms) */
  readonly clock: () => number;
  protected readonly options: ClientOptions;
  protected readonly session: Session;
  private readonly fetchFn: typeof fetch;
  private readonly validate: boolean;
  private readonly readYourWrites: boolean;

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
  as(signer: Signer): ClientCore {
    return new ClientCore({ ...this.options, signer }, this.session);
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
      const p = this.request(getStatus).then((s) => {
        if (s.submission) this.session.limits = s.submission;
        return s.chainId;
      });
      this.session.chainId = p;
      p.catch(() => {
        if (this.session.chainId === p) this.session.chainId = undefined;
      });
    }
    return this.session.chainId;
  }

  /** The node's batch limits from its status (read with the chain id), or undefined before that or if it announced none. */
  submissionLimits(): { maxBatchTxs: number; maxBatchBytes: number } | undefined {
    return this.session.limits;
  }

  /** Sends one request of `route` and returns its answer, checked against the route's response schema. */
  async request<R extends RouteDef>(route: R, args: RequestArgs = {}, signer?: Signer): Promise<AnswerOf<R>> {
    const res = await this.send(route, args, signer);
    if (!res.ok) return this.fail(res);
    return this.parse(route, res);
  }

  /**
   * Sends a request to the node in use and returns the raw response (an event stream's caller reads
   * it); on a connection error or a 503 (not ready, behind the read's minHeight, mempool full) the
   * next node is tried, each once. The last node's answer (or error) is the result. The node that
   * answered is used first from then on.
   */
  async send(route: RouteDef, args: RequestArgs, signer: Signer | undefined): Promise<Response> {
    const s = this.session;
    const n = s.urls.length;
    const query = { ...(args.query ?? {}) };
    if (takesMinHeight(route)) {
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
        res = await this.sendTo(s.urls[index]!, route, { ...args, query }, signer);
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

  private async sendTo(base: string, def: RouteDef, args: RequestArgs, signer: Signer | undefined): Promise<Response> {
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
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (args.rawBody) {
      headers["content-type"] = args.rawBody.contentType;
      body = args.rawBody.bytes as Uint8Array<ArrayBuffer>; // fresh bytes of their own buffer (codec encode)
    } else if (args.body !== undefined) {
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

  /** Throws the LedgerError a refusal stands for: the error envelope's code, message, receipt and retry hint. */
  async fail(res: Response): Promise<never> {
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

  private async parse<R extends RouteDef>(route: R, res: Response): Promise<AnswerOf<R>> {
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new LedgerError("INTERNAL", `${route.path}: the node answered with something other than JSON`, undefined, res.status);
    }
    if (!this.validate) return json as AnswerOf<R>;
    const r = route.response.safeParse(json);
    if (!r.success) throw new LedgerError("INTERNAL", `${route.path}: unexpected response shape (${r.error.issues[0]?.message ?? "invalid"}); is the node's API version the SDK's?`, undefined, res.status);
    return r.data as AnswerOf<R>;
  }
}

/** The client core alone: pass it to the functions of sdk/calls.ts (`getReceivable(core, id)`). */
export function createClientCore(opts: ClientOptions): ClientCore {
  return new ClientCore(opts);
}

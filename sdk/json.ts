// JSON views of ledger values, as the RPC serves them and the SDK returns them: a bigint becomes its
// decimal string (money is never a JSON number: no float can creep in), bytes become lower-case
// hex, everything else keeps its shape. One generic mapping, so a view can never drift from the
// domain type it shows; the zod schemas of sdk/api/schemas.ts describe the same shapes for the OpenAPI
// document and check them at both ends. Browser-safe.
import { fromHex, isHex, toHex } from "./bytes.js";
import type { CommitCertificate } from "./commit.js";
import type { Alert, Event, Receipt, ResultCode } from "./types.js";
import { RESULT_CODES } from "./types.js";

/** The JSON form of a domain type: bigint -> decimal string, Uint8Array -> hex, recursively. */
export type JsonView<T> = T extends bigint
  ? string
  : T extends Uint8Array
    ? string
    : T extends readonly (infer U)[]
      ? JsonView<U>[]
      : T extends object
        ? { [K in keyof T]: JsonView<T[K]> }
        : T;

/** Converts a domain value to its JSON view. Throws TypeError on values JSON cannot carry. */
export function toJsonView<T>(value: T): JsonView<T> {
  return convert(value, 0) as JsonView<T>;
}

function convert(value: unknown, depth: number): unknown {
  if (depth > 32) throw new TypeError("value nested too deeply for a JSON view");
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map((v) => convert(v, depth + 1));
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new TypeError("a JSON view holds no NaN or Infinity");
    if (typeof value === "function" || typeof value === "symbol") throw new TypeError(`a ${typeof value} has no JSON view`);
    return value;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = convert(v, depth + 1);
  return out;
}

// ---- parsing views back (for the SDK's typed errors and proof checks) ------------------------

const DECIMAL_RE = /^(?:0|[1-9][0-9]*)$/;
const U64_MAX = (1n << 64n) - 1n;

/** A decimal string of a uint64 to bigint; throws TypeError otherwise. */
export function u64FromJson(value: unknown, field = "value"): bigint {
  if (typeof value !== "string" || !DECIMAL_RE.test(value) || value.length > 20) throw new TypeError(`${field}: expected a decimal string`);
  const n = BigInt(value);
  if (n > U64_MAX) throw new TypeError(`${field}: exceeds 2^64-1`);
  return n;
}

/** Lower-case hex to bytes; throws TypeError otherwise. */
export function bytesFromJson(value: unknown, field = "value", length?: number): Uint8Array {
  if (!isHex(value, length)) throw new TypeError(`${field}: expected ${length === undefined ? "" : `${length} bytes of `}lower-case hex`);
  return fromHex(value);
}

function str(value: unknown, field: string): string {
  if (typeof value !== "string") throw new TypeError(`${field}: expected a string`);
  return value;
}

function obj(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new TypeError(`${field}: expected an object`);
  return value as Record<string, unknown>;
}

/** Fields of each event type that are not strings in the domain type. */
const EVENT_FIELDS: Record<Event["type"], Record<string, "u64" | "bytes">> = {
  partyRegistered: {},
  receivableRegistered: { amount: "u64" },
  receivableAttested: { declarationFingerprint: "bytes" },
  receivableFinanced: { amount: "u64", liveFinanced: "u64" },
  repaymentRecorded: { amount: "u64", financingOutstanding: "u64" },
  receivableSettled: {},
  receivableCancelled: {},
  documentAnchored: { documentHash: "bytes" },
  creditLineGranted: { limit: "u64" },
  creditLineAdjusted: { limit: "u64", outstanding: "u64" },
  warrantIssued: { amount: "u64", lineOutstanding: "u64" },
  pieceCreated: { amount: "u64" },
  pieceSpent: {},
  pieceOffered: {},
  offerWithdrawn: {},
  offerDeclined: {},
  pieceFinanced: { advance: "u64" },
  piecePaid: { amount: "u64", lineOutstanding: "u64" },
  warrantSettled: {},
  // title documents and pledges (DESIGN.md §8)
  stockAttested: { descriptionHash: "bytes", quantity: "u64", titled: "u64" },
  titleIssued: { fingerprint: "bytes", quantity: "u64", lotTitled: "u64" },
  titleTransferred: {},
  pledgeOffered: { securedAmount: "u64" },
  pledgeAccepted: {},
  pledgeReleased: {},
  titleSurrendered: { quantity: "u64", lotTitled: "u64" },
  // the buyer's word (DESIGN.md §9)
  receivableAcknowledged: { amount: "u64" },
  receivableDisputed: {},
  disputeResolved: {},
  assignmentNotified: { payeeAccountHash: "bytes" },
  // before, during and after lending (DESIGN.md §10)
  extensionProposed: {},
  extensionAccepted: {},
  financingWrittenOff: { amount: "u64" },
  receivableDefaulted: {},
  financialsAttested: { documentHash: "bytes" },
  consentGranted: {},
  pieceExtensionProposed: {},
  pieceExtensionAccepted: {},
  pieceWrittenOff: { amount: "u64" },
  // governance (DESIGN.md §12)
  observerAdmitted: { nodePublicKey: "bytes" },
  observerRemoved: { nodePublicKey: "bytes" },
  keyRotated: { publicKey: "bytes" },
  validatorChangeProposed: { nodePublicKey: "bytes", newNodePublicKey: "bytes" },
  validatorChangeApproved: {},
  validatorSetChanged: { nodePublicKey: "bytes", version: "u64", newNodePublicKey: "bytes" },
};

/** The domain Event of a JSON view. Throws TypeError on anything malformed. */
export function eventFromJson(json: unknown): Event {
  const o = obj(json, "event");
  const type = str(o.type, "event.type") as Event["type"];
  const fields = EVENT_FIELDS[type];
  if (!fields) throw new TypeError(`event.type: unknown event type ${JSON.stringify(type)}`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const kind = fields[k];
    out[k] = kind === "u64" ? u64FromJson(v, `event.${k}`) : kind === "bytes" ? bytesFromJson(v, `event.${k}`) : v;
  }
  return out as unknown as Event;
}

/** The domain Receipt of a JSON view (for LedgerError.receipt). Throws TypeError on anything malformed. */
export function receiptFromJson(json: unknown): Receipt {
  const o = obj(json, "receipt");
  const code = str(o.code, "receipt.code");
  if (!(RESULT_CODES as readonly string[]).includes(code)) throw new TypeError(`receipt.code: unknown code ${JSON.stringify(code)}`);
  if (!Array.isArray(o.events)) throw new TypeError("receipt.events: expected an array");
  const receipt: Receipt = {
    txHash: bytesFromJson(o.txHash, "receipt.txHash", 32),
    code: code as ResultCode,
    message: str(o.message, "receipt.message"),
    target: str(o.target, "receipt.target"),
    events: o.events.map(eventFromJson),
  };
  if (o.alerts !== undefined) {
    if (!Array.isArray(o.alerts)) throw new TypeError("receipt.alerts: expected an array");
    receipt.alerts = o.alerts.map((a, i) => alertFromJson(a, `receipt.alerts[${i}]`));
  }
  return receipt;
}

/** The domain Alert of a JSON view (supervision, docs/supervision.md). Throws TypeError on anything malformed. */
export function alertFromJson(json: unknown, field = "alert"): Alert {
  const o = obj(json, field);
  if (!Array.isArray(o.parties) || !Array.isArray(o.evidence)) throw new TypeError(`${field}: parties and evidence must be arrays`);
  return {
    alertId: str(o.alertId, `${field}.alertId`),
    ruleId: str(o.ruleId, `${field}.ruleId`),
    kind: str(o.kind, `${field}.kind`) as Alert["kind"],
    severity: str(o.severity, `${field}.severity`) as Alert["severity"],
    parties: o.parties.map((p, i) => str(p, `${field}.parties[${i}]`)),
    evidence: o.evidence.map((e, i) => bytesFromJson(e, `${field}.evidence[${i}]`, 32)),
    detail: str(o.detail, `${field}.detail`),
  };
}

/** The domain CommitCertificate of a JSON view. Throws TypeError on anything malformed. */
export function certificateFromJson(json: unknown): CommitCertificate {
  const o = obj(json, "certificate");
  if (!Array.isArray(o.commits)) throw new TypeError("certificate.commits: expected an array");
  return {
    chainId: str(o.chainId, "certificate.chainId"),
    view: u64FromJson(o.view, "certificate.view"),
    seq: u64FromJson(o.seq, "certificate.seq"),
    digest: bytesFromJson(o.digest, "certificate.digest", 32),
    ...(o.epoch !== undefined && o.epoch !== "0" ? { epoch: u64FromJson(o.epoch, "certificate.epoch") } : {}),
    commits: o.commits.map((c, i) => {
      const co = obj(c, `certificate.commits[${i}]`);
      if (!Number.isInteger(co.replica) || (co.replica as number) < 0) throw new TypeError(`certificate.commits[${i}].replica: expected a non-negative integer`);
      return { replica: co.replica as number, signature: bytesFromJson(co.signature, `certificate.commits[${i}].signature`, 64) };
    }),
  };
}

/**
 * Deep equality of two JSON values, ignoring object key order (views built by different code
 * paths may order keys differently; their content is what counts).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameJson(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(bo, k) && sameJson(ao[k], bo[k]));
}

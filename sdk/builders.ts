// Transaction builders: typed, validated payloads from friendly inputs (amounts as bigint or a
// decimal string of minor units, hashes as bytes or hex), and the envelope around them. Every
// builder runs sdk/validate.ts — the same checks the ledger runs — and throws MalformedError (a
// LedgerError with code MALFORMED) naming the bad field, so a malformed transaction is never signed.
// Browser-safe.
import { randomBytes } from "./crypto.js";
import { NONCE_BYTES } from "./tx.js";
import type { Role, TxBody, TxPayload } from "./types.js";
import { assertValidPayload, assertValidTxBody, MalformedError, U64_MAX } from "./validate.js";

/** A count of minor units: a bigint, or its decimal string ("152500", never "1525.00"). */
export type AmountInput = bigint | string;
/** Raw bytes, or the same as hex (either case, no 0x prefix). */
export type BytesInput = Uint8Array | string;

export type PayloadOf<T extends TxPayload["type"]> = Extract<TxPayload, { type: T }>;

export interface RegisterPartyInput {
  id: string;
  role: Role;
  name: string;
  country: string;
  publicKey: BytesInput;
  lei?: string;
}
export interface RegisterReceivableInput {
  documentHash: BytesInput;
  fingerprint: BytesInput;
  buyerId: string;
  amount: AmountInput;
  currency: string;
  issueDate: string;
  dueDate: string;
}
export interface AttestShipmentInput {
  declarationFingerprint: BytesInput;
  declarationHash: BytesInput;
  exporterId: string;
  declaredValue: AmountInput;
  currency: string;
  exportDate: string;
  receivableIds: string[];
}
export interface FinanceReceivableInput {
  receivableId: string;
  amount: AmountInput;
  currency: string;
}
export interface RecordRepaymentInput {
  receivableId: string;
  financingId: string;
  amount: AmountInput;
}
export interface CancelReceivableInput {
  receivableId: string;
  reason?: string;
}
export interface AnchorDocumentInput {
  documentHash: BytesInput;
  documentType: string;
  receivableId?: string;
  billOfLadingFingerprint?: BytesInput;
}

const DECIMAL_RE = /^(?:0|[1-9][0-9]*)$/;
const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

export function toAmount(field: string, value: AmountInput): bigint {
  let amount: bigint;
  if (typeof value === "bigint") amount = value;
  else if (typeof value === "string" && DECIMAL_RE.test(value)) amount = BigInt(value);
  else throw new MalformedError(field, "must be a bigint or a decimal string of minor units (no sign, point or exponent)");
  if (amount > U64_MAX) throw new MalformedError(field, "exceeds 2^64-1");
  return amount;
}

export function toBytes(field: string, value: BytesInput | undefined): Uint8Array {
  if (value === undefined) return new Uint8Array(0);
  if (value instanceof Uint8Array) return Uint8Array.from(value); // a copy: later mutation of the input cannot alter the payload
  if (typeof value === "string" && HEX_RE.test(value)) {
    const out = new Uint8Array(value.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(value.slice(2 * i, 2 * i + 2), 16);
    return out;
  }
  throw new MalformedError(field, "must be bytes or an even-length hex string");
}

/** Builders of each transaction payload. Each returns a validated payload or throws MalformedError. */
export const tx = {
  registerParty(input: RegisterPartyInput): PayloadOf<"registerParty"> {
    return assertValidPayload({
      type: "registerParty",
      id: input.id,
      role: input.role,
      name: input.name,
      country: input.country,
      publicKey: toBytes("publicKey", input.publicKey),
      lei: input.lei ?? "",
    });
  },
  registerReceivable(input: RegisterReceivableInput): PayloadOf<"registerReceivable"> {
    return assertValidPayload({
      type: "registerReceivable",
      documentHash: toBytes("documentHash", input.documentHash),
      fingerprint: toBytes("fingerprint", input.fingerprint),
      buyerId: input.buyerId,
      amount: toAmount("amount", input.amount),
      currency: input.currency,
      issueDate: input.issueDate,
      dueDate: input.dueDate,
    });
  },
  attestShipment(input: AttestShipmentInput): PayloadOf<"attestShipment"> {
    if (!Array.isArray(input.receivableIds)) throw new MalformedError("receivableIds", "must be an array");
    return assertValidPayload({
      type: "attestShipment",
      declarationFingerprint: toBytes("declarationFingerprint", input.declarationFingerprint),
      declarationHash: toBytes("declarationHash", input.declarationHash),
      exporterId: input.exporterId,
      declaredValue: toAmount("declaredValue", input.declaredValue),
      currency: input.currency,
      exportDate: input.exportDate,
      receivableIds: [...input.receivableIds],
    });
  },
  financeReceivable(input: FinanceReceivableInput): PayloadOf<"financeReceivable"> {
    return assertValidPayload({
      type: "financeReceivable",
      receivableId: input.receivableId,
      amount: toAmount("amount", input.amount),
      currency: input.currency,
    });
  },
  recordRepayment(input: RecordRepaymentInput): PayloadOf<"recordRepayment"> {
    return assertValidPayload({
      type: "recordRepayment",
      receivableId: input.receivableId,
      financingId: input.financingId,
      amount: toAmount("amount", input.amount),
    });
  },
  cancelReceivable(input: CancelReceivableInput): PayloadOf<"cancelReceivable"> {
    return assertValidPayload({ type: "cancelReceivable", receivableId: input.receivableId, reason: input.reason ?? "" });
  },
  anchorDocument(input: AnchorDocumentInput): PayloadOf<"anchorDocument"> {
    return assertValidPayload({
      type: "anchorDocument",
      documentHash: toBytes("documentHash", input.documentHash),
      documentType: input.documentType,
      receivableId: input.receivableId ?? "",
      billOfLadingFingerprint: toBytes("billOfLadingFingerprint", input.billOfLadingFingerprint),
    });
  },
} as const;

export interface TxBodyOptions {
  chainId: string;
  /** the signing party's id, or the Signer itself */
  signer: string | { partyId: string };
  /** ms since the Unix epoch; defaults to this machine's clock (the ledger bounds it, TX_EXPIRED) */
  createdAt?: bigint | number;
  /** 16 bytes; random by default */
  nonce?: BytesInput;
}

/** Wraps a payload in the signed envelope's body. Throws MalformedError naming the bad field. */
export function buildTxBody(payload: TxPayload, opts: TxBodyOptions): TxBody {
  const createdAt = opts.createdAt ?? Date.now();
  if (typeof createdAt === "number" && !Number.isSafeInteger(createdAt)) throw new MalformedError("createdAt", "must be an integer count of ms");
  const body: TxBody = {
    chainId: opts.chainId,
    signer: typeof opts.signer === "string" ? opts.signer : opts.signer?.partyId,
    createdAt: typeof createdAt === "number" ? BigInt(createdAt) : createdAt,
    nonce: opts.nonce === undefined ? randomBytes(NONCE_BYTES) : toBytes("nonce", opts.nonce),
    payload,
  };
  return assertValidTxBody(body);
}

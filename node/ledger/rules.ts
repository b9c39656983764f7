// The domain transitions of DESIGN.md §2, one function per transaction type, each reading top to
// bottom like the rule table in docs/ledger.md. A transition runs on a scratch overlay that is
// committed only if it returns; `reject` throws a Rejection that applyTx turns into a receipt and the
// scratch overlay is dropped, so a rejected transaction writes nothing. Any other exception is a
// broken invariant (corrupt state or a bug) and must halt the node, never become a receipt.
import { fromUtf8, toHex, utf8 } from "../../sdk/bytes.js";
import { BILL_OF_LADING } from "../../sdk/validate.js";
import type { Tx } from "../../sdk/tx.js";
import type {
  Declaration,
  DocumentRecord,
  Event,
  Party,
  Receivable,
  ReceivableStatus,
  ResultCode,
  Role,
  TxPayload,
  TxType,
} from "../../sdk/types.js";
import {
  decodeDeclaration,
  decodeDocumentRecord,
  decodeParty,
  decodeReceivable,
  encodeDeclaration,
  encodeDocumentRecord,
  encodeParty,
  encodeReceivable,
} from "./records.js";
import { isPastDue, liveFinanced } from "../../sdk/domain.js";
import { KEY, type StateWriter } from "./state.js";

/** Which roles may sign each transaction type at all (before per-record ownership checks). */
export const WRITERS: { readonly [K in TxType]: readonly Role[] } = {
  registerParty: ["BANK"],
  registerReceivable: ["ENTERPRISE"],
  attestShipment: ["CUSTOMS"],
  financeReceivable: ["BANK"],
  recordRepayment: ["BANK"],
  cancelReceivable: ["ENTERPRISE"],
  anchorDocument: ["BANK", "CUSTOMS", "ENTERPRISE"],
};

/** Bounds on record growth: every later transaction on the record re-encodes it whole. */
export const MAX_FINANCINGS_PER_RECEIVABLE = 100;
export const MAX_RECEIVABLES_PER_DECLARATION = 1000;

/**
 * A domain rejection: becomes the receipt's code and message; the transaction writes nothing.
 * Thrown as control flow from inside a transition, and deliberately not an Error: rejections are
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

function invariant(ok: unknown, message: string): asserts ok {
  if (!ok) throw new LedgerInvariantError(message);
}

export interface BlockTime {
  /** block time, ms since the Unix epoch */
  time: bigint;
}

export interface TransitionContext<P extends TxPayload = TxPayload> {
  state: StateWriter;
  tx: Tx;
  payload: P;
  signer: Party;
  block: BlockTime;
}

/** The receipt target of a transaction, from its payload alone (rejections may refine it). */
export function targetOf(payload: TxPayload | undefined, txHashHex: string): string {
  switch (payload?.type) {
    case "registerParty":
      return payload.id;
    case "registerReceivable":
      return txHashHex;
    case "attestShipment":
      return payload.receivableIds[0] ?? "";
    case "financeReceivable":
    case "recordRepayment":
    case "cancelReceivable":
      return payload.receivableId;
    case "anchorDocument":
      return toHex(payload.documentHash);
    default:
      return "";
  }
}

/** A receivable id is the hash of its registering transaction: 64 lower-case hex digits. */
export const RECEIVABLE_ID_RE = /^[0-9a-f]{64}$/;

/**
 * The receivables a transaction aims at, from its payload and receipt target alone (not its
 * events): what the history index files a rejected attempt under, and part of what the RPC
 * shows to whom. Ids from a payload are caller-chosen, so only well-formed ids are returned.
 */
export function receivableIdsNamed(payload: TxPayload | undefined, target: string): Set<string> {
  const ids = new Set<string>();
  switch (payload?.type) {
    case "attestShipment":
      for (const id of payload.receivableIds) ids.add(id);
      break;
    case "financeReceivable":
    case "recordRepayment":
    case "cancelReceivable":
    case "anchorDocument":
      if (payload.receivableId) ids.add(payload.receivableId);
      break;
    default:
      break;
  }
  ids.add(target);
  for (const id of ids) if (!RECEIVABLE_ID_RE.test(id)) ids.delete(id);
  return ids;
}

// ---- typed state access ---------------------------------------------------------------------

function getParty(s: StateWriter, id: string): Party | undefined {
  const b = s.get(KEY.party(id));
  return b && decodeParty(b);
}
function getReceivable(s: StateWriter, id: string): Receivable | undefined {
  const b = s.get(KEY.receivable(id));
  return b && decodeReceivable(b);
}
function getDeclaration(s: StateWriter, fpHex: string): Declaration | undefined {
  const b = s.get(KEY.declaration(fpHex));
  return b && decodeDeclaration(b);
}
function getDocument(s: StateWriter, hashHex: string): DocumentRecord | undefined {
  const b = s.get(KEY.document(hashHex));
  return b && decodeDocumentRecord(b);
}
function getText(s: StateWriter, key: string): string | undefined {
  const b = s.get(key);
  return b && fromUtf8(b);
}
function putReceivable(s: StateWriter, r: Receivable): void {
  s.put(KEY.receivable(r.id), encodeReceivable(r));
}

/** The status a financed (or partly repaid) receivable has given its live financed amount. */
function financedStatus(r: Receivable, live: bigint): ReceivableStatus {
  return live === r.amount ? "FINANCED" : "PARTIALLY_FINANCED";
}

const money = (amount: bigint, currency: string) => `${amount} ${currency}`;

// ---- transitions ----------------------------------------------------------------------------

type Transitions = { [K in TxType]: (ctx: TransitionContext<Extract<TxPayload, { type: K }>>) => Event[] };

export const TRANSITIONS: Transitions = {
  /** A BANK onboards an ENTERPRISE (exporter) after KYC. */
  registerParty({ state, payload: p, signer, block }) {
    if (p.role !== "ENTERPRISE") reject("UNAUTHORIZED", `a bank onboards ENTERPRISE parties only, not ${p.role}`);
    if (state.get(KEY.party(p.id))) reject("DUPLICATE_PARTY", `party ${p.id} is already registered`);
    const keyHex = toHex(p.publicKey);
    const holder = getText(state, KEY.publicKey(keyHex));
    if (holder !== undefined) reject("DUPLICATE_PARTY", `public key ${keyHex} is already registered to party ${holder}`);
    const party: Party = {
      id: p.id,
      role: p.role,
      name: p.name,
      country: p.country,
      publicKey: p.publicKey,
      lei: p.lei,
      registeredBy: signer.id,
      registeredAt: block.time,
    };
    state.put(KEY.party(p.id), encodeParty(party));
    state.put(KEY.publicKey(keyHex), utf8(p.id));
    return [{ type: "partyRegistered", partyId: p.id, role: p.role }];
  },

  /** An exporter registers an invoice; its id is the transaction hash. */
  registerReceivable({ state, tx, payload: p, signer, block }) {
    const id = tx.hashHex;
    const docHex = toHex(p.documentHash);
    const fpHex = toHex(p.fingerprint);
    const doc = getDocument(state, docHex);
    if (doc) {
      reject("DUPLICATE_DOCUMENT", `document ${docHex} was anchored by ${doc.anchoredBy} as ${doc.documentType}`, doc.receivableId || id);
    }
    const holder = getText(state, KEY.fingerprint(fpHex));
    if (holder !== undefined) reject("DUPLICATE_RECEIVABLE", `an invoice with fingerprint ${fpHex} is already receivable ${holder}`, holder);
    invariant(!state.get(KEY.receivable(id)), `receivable ${id} exists but its transaction was not seen before`);
    const receivable: Receivable = {
      id,
      exporterId: signer.id,
      buyerId: p.buyerId,
      amount: p.amount,
      currency: p.currency,
      issueDate: p.issueDate,
      dueDate: p.dueDate,
      documentHash: p.documentHash,
      fingerprint: p.fingerprint,
      status: "REGISTERED",
      declarationFingerprint: new Uint8Array(0),
      attestedBy: "",
      financings: [],
      registeredAt: block.time,
      updatedAt: block.time,
    };
    putReceivable(state, receivable);
    state.put(KEY.fingerprint(fpHex), utf8(id));
    state.put(
      KEY.document(docHex),
      encodeDocumentRecord({ documentHash: p.documentHash, documentType: "INVOICE", anchoredBy: signer.id, receivableId: id, anchoredAt: block.time, txHash: tx.hash }),
    );
    return [{ type: "receivableRegistered", receivableId: id, exporterId: signer.id, amount: p.amount, currency: p.currency, dueDate: p.dueDate }];
  },

  /** Customs binds one export declaration to receivables of the declaring exporter. */
  attestShipment({ state, tx, payload: p, signer, block }) {
    const exporter = getParty(state, p.exporterId);
    if (!exporter || exporter.role !== "ENTERPRISE") reject("NOT_FOUND", `no ENTERPRISE party ${p.exporterId}`);
    const fpHex = toHex(p.declarationFingerprint);
    const declHashHex = toHex(p.declarationHash);
    let decl = getDeclaration(state, fpHex);
    if (decl) {
      if (decl.exporterId !== p.exporterId) reject("DECLARATION_REUSED", `declaration ${fpHex} was attested for exporter ${decl.exporterId}, not ${p.exporterId}`);
      const differs: string[] = [];
      if (toHex(decl.documentHash) !== declHashHex) differs.push(`document hash (attested ${toHex(decl.documentHash)})`);
      if (decl.declaredValue !== p.declaredValue) differs.push(`declared value (attested ${decl.declaredValue})`);
      if (decl.currency !== p.currency) differs.push(`currency (attested ${decl.currency})`);
      if (decl.exportDate !== p.exportDate) differs.push(`export date (attested ${decl.exportDate})`);
      if (differs.length > 0) reject("DECLARATION_CONFLICT", `declaration ${fpHex} differs from its earlier attestation in ${differs.join(", ")}`);
    } else {
      const doc = getDocument(state, declHashHex);
      if (doc) reject("DUPLICATE_DOCUMENT", `declaration document ${declHashHex} was anchored by ${doc.anchoredBy} as ${doc.documentType}`);
      decl = {
        fingerprint: p.declarationFingerprint,
        documentHash: p.declarationHash,
        exporterId: p.exporterId,
        declaredValue: p.declaredValue,
        currency: p.currency,
        exportDate: p.exportDate,
        customsId: signer.id,
        attestedTotal: 0n,
        receivableIds: [],
      };
      state.put(
        KEY.document(declHashHex),
        encodeDocumentRecord({ documentHash: p.declarationHash, documentType: "EXPORT_DECLARATION", anchoredBy: signer.id, receivableId: "", anchoredAt: block.time, txHash: tx.hash }),
      );
    }
    const receivables = p.receivableIds.map((id) => {
      const r = getReceivable(state, id) ?? reject("NOT_FOUND", `no receivable ${id}`, id);
      if (r.exporterId !== p.exporterId) reject("EXPORTER_MISMATCH", `receivable ${id} belongs to ${r.exporterId}, the declaration to ${p.exporterId}`, id);
      if (r.currency !== p.currency) reject("CURRENCY_MISMATCH", `receivable ${id} is in ${r.currency}, the declaration in ${p.currency}`, id);
      if (r.status !== "REGISTERED") reject("INVALID_STATE", `receivable ${id} is ${r.status}; only a REGISTERED receivable can be attested`, id);
      return r;
    });
    const adding = receivables.reduce((sum, r) => sum + r.amount, 0n);
    const total = decl.attestedTotal + adding;
    if (total > decl.declaredValue) {
      reject(
        "EXCEEDS_DECLARED_VALUE",
        `declaration ${fpHex} backs ${money(decl.attestedTotal, decl.currency)} of receivables already; ${money(adding, decl.currency)} more exceeds its declared value ${money(decl.declaredValue, decl.currency)}`,
      );
    }
    if (decl.receivableIds.length + receivables.length > MAX_RECEIVABLES_PER_DECLARATION) {
      reject("INVALID_STATE", `declaration ${fpHex} may back at most ${MAX_RECEIVABLES_PER_DECLARATION} receivables`);
    }
    const events: Event[] = [];
    for (const r of receivables) {
      putReceivable(state, { ...r, status: "ATTESTED", declarationFingerprint: p.declarationFingerprint, attestedBy: signer.id, updatedAt: block.time });
      events.push({ type: "receivableAttested", receivableId: r.id, declarationFingerprint: p.declarationFingerprint, customsId: signer.id });
    }
    state.put(KEY.declaration(fpHex), encodeDeclaration({ ...decl, attestedTotal: total, receivableIds: [...decl.receivableIds, ...p.receivableIds] }));
    return events;
  },

  /** A bank finances part or all of what is left of an attested receivable. */
  financeReceivable({ state, tx, payload: p, signer, block }) {
    const r = getReceivable(state, p.receivableId) ?? reject("NOT_FOUND", `no receivable ${p.receivableId}`);
    if (r.status === "CANCELLED" || r.status === "SETTLED") reject("INVALID_STATE", `receivable ${r.id} is ${r.status}`);
    if (r.status === "REGISTERED") reject("NOT_ATTESTED", `receivable ${r.id} has no customs-attested shipment`);
    if (isPastDue(r.dueDate, block.time)) reject("OVERDUE", `receivable ${r.id} was due ${r.dueDate}`);
    if (p.currency !== r.currency) reject("CURRENCY_MISMATCH", `receivable ${r.id} is in ${r.currency}, not ${p.currency}`);
    const live = liveFinanced(r);
    if (live + p.amount > r.amount) {
      const detail = `${money(p.amount, r.currency)} on top of ${money(live, r.currency)} live financing exceeds face value ${money(r.amount, r.currency)}`;
      reject(live > 0n ? "DOUBLE_FINANCING" : "EXCEEDS_FACE_VALUE", `receivable ${r.id}: ${detail}`);
    }
    if (r.financings.length >= MAX_FINANCINGS_PER_RECEIVABLE) reject("INVALID_STATE", `receivable ${r.id} has the maximum of ${MAX_FINANCINGS_PER_RECEIVABLE} financings`);
    const after = live + p.amount;
    const financings = [...r.financings, { id: tx.hashHex, bankId: signer.id, amount: p.amount, repaid: 0n, financedAt: block.time }];
    putReceivable(state, { ...r, financings, status: financedStatus(r, after), updatedAt: block.time });
    return [{ type: "receivableFinanced", receivableId: r.id, financingId: tx.hashHex, bankId: signer.id, amount: p.amount, liveFinanced: after }];
  },

  /** The financing bank records (part of) a repayment; all financings repaid settles the receivable. */
  recordRepayment({ state, payload: p, signer, block }) {
    const r = getReceivable(state, p.receivableId) ?? reject("NOT_FOUND", `no receivable ${p.receivableId}`);
    const index = r.financings.findIndex((f) => f.id === p.financingId);
    if (index < 0) reject("NOT_FOUND", `receivable ${r.id} has no financing ${p.financingId}`);
    const f = r.financings[index]!;
    if (f.bankId !== signer.id) reject("UNAUTHORIZED", `financing ${f.id} was made by ${f.bankId}; only that bank records its repayment`);
    const outstanding = f.amount - f.repaid;
    if (p.amount > outstanding) reject("REPAYMENT_EXCEEDS_OUTSTANDING", `financing ${f.id} has ${money(outstanding, r.currency)} outstanding, repayment is ${money(p.amount, r.currency)}`);
    const financings = r.financings.map((g, i) => (i === index ? { ...g, repaid: g.repaid + p.amount } : g));
    const live = liveFinanced({ financings });
    const events: Event[] = [
      { type: "repaymentRecorded", receivableId: r.id, financingId: f.id, bankId: signer.id, amount: p.amount, financingOutstanding: outstanding - p.amount },
    ];
    // Settled once every financing is repaid; its fingerprint and document stay taken forever.
    const status = live === 0n ? "SETTLED" : financedStatus(r, live);
    if (status === "SETTLED") events.push({ type: "receivableSettled", receivableId: r.id });
    putReceivable(state, { ...r, financings, status, updatedAt: block.time });
    return events;
  },

  /** The exporter withdraws its receivable while nothing is financed, freeing its invoice. */
  cancelReceivable({ state, payload: p, signer, block }) {
    const r = getReceivable(state, p.receivableId) ?? reject("NOT_FOUND", `no receivable ${p.receivableId}`);
    if (r.exporterId !== signer.id) reject("UNAUTHORIZED", `receivable ${r.id} belongs to ${r.exporterId}; only its exporter cancels it`);
    const cancellable = r.status === "REGISTERED" || (r.status === "ATTESTED" && r.financings.length === 0);
    if (!cancellable) reject("INVALID_STATE", `receivable ${r.id} is ${r.status}; only a REGISTERED or unfinanced ATTESTED receivable can be cancelled`);
    const fpHex = toHex(r.fingerprint);
    invariant(getText(state, KEY.fingerprint(fpHex)) === r.id, `fingerprint ${fpHex} is not held by live receivable ${r.id}`);
    state.del(KEY.fingerprint(fpHex));
    const docHex = toHex(r.documentHash);
    invariant(getDocument(state, docHex)?.receivableId === r.id, `invoice document ${docHex} is not anchored for receivable ${r.id}`);
    state.del(KEY.document(docHex));
    if (r.status === "ATTESTED") {
      const declHex = toHex(r.declarationFingerprint);
      const decl = getDeclaration(state, declHex);
      invariant(decl && decl.attestedTotal >= r.amount && decl.receivableIds.includes(r.id), `declaration ${declHex} does not back receivable ${r.id}`);
      state.put(
        KEY.declaration(declHex),
        encodeDeclaration({ ...decl, attestedTotal: decl.attestedTotal - r.amount, receivableIds: decl.receivableIds.filter((id) => id !== r.id) }),
      );
    }
    putReceivable(state, { ...r, status: "CANCELLED", updatedAt: block.time });
    return [{ type: "receivableCancelled", receivableId: r.id }];
  },

  /** Any writing party anchors another trade document by hash, optionally linked to a receivable. */
  anchorDocument({ state, tx, payload: p, signer, block }) {
    const hasBillOfLading = p.billOfLadingFingerprint.length > 0;
    if (hasBillOfLading && p.receivableId === "" && signer.role !== "ENTERPRISE") {
      reject("MALFORMED", `a ${BILL_OF_LADING} fingerprint must name its exporter: link a receivable or sign as the exporter`);
    }
    const docHex = toHex(p.documentHash);
    const doc = getDocument(state, docHex);
    if (doc) reject("DUPLICATE_DOCUMENT", `document ${docHex} was anchored by ${doc.anchoredBy} as ${doc.documentType}`);
    let linked: Receivable | undefined;
    if (p.receivableId !== "") {
      linked = getReceivable(state, p.receivableId) ?? reject("NOT_FOUND", `no receivable ${p.receivableId}`);
      if (signer.role === "ENTERPRISE" && linked.exporterId !== signer.id) {
        reject("UNAUTHORIZED", `receivable ${linked.id} belongs to ${linked.exporterId}; an enterprise links documents to its own receivables only`);
      }
    }
    if (hasBillOfLading) {
      const exporterId = linked ? linked.exporterId : signer.id;
      const blHex = toHex(p.billOfLadingFingerprint);
      const backs = getText(state, KEY.billOfLading(blHex));
      if (backs !== undefined && backs !== exporterId) reject("BILL_OF_LADING_REUSED", `bill of lading ${blHex} already backs receivables of ${backs}, not ${exporterId}`);
      if (backs === undefined) state.put(KEY.billOfLading(blHex), utf8(exporterId));
    }
    state.put(
      KEY.document(docHex),
      encodeDocumentRecord({ documentHash: p.documentHash, documentType: p.documentType, anchoredBy: signer.id, receivableId: p.receivableId, anchoredAt: block.time, txHash: tx.hash }),
    );
    return [{ type: "documentAnchored", documentHash: p.documentHash, documentType: p.documentType, receivableId: p.receivableId }];
  },
};

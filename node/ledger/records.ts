// Ledger state records and receipts as stored bytes (proto/tradeledger.proto via sdk/codec.ts).
// Derived quantities (live financed amount, overdue, exposure) are in sdk/domain.ts.
import { decode, encode, CodecError } from "../../sdk/codec.js";
import type { Alert, CreditLine, Declaration, DocumentRecord, Event, EventWire, Party, Piece, Receipt, Receivable, SupervisionRule, Warrant } from "../../sdk/types.js";
import type { BookCore, BookRoot, Consent, CreditFacts, DueAmount, Lot, ObserverRecord, PartyAmount, Title } from "../../sdk/types.js";

export const encodeParty = (party: Party): Uint8Array => encode("Party", party);

/** State m/observers: every observer admitted on the ledger, current and removed, sorted by node key. */
export interface ObserverSetRecord {
  observers: ObserverRecord[];
}
export const encodeObserverSet = (set: ObserverSetRecord): Uint8Array => encode("ObserverSet", set);
export const decodeObserverSet = (bytes: Uint8Array): ObserverSetRecord => decode<ObserverSetRecord>("ObserverSet", bytes);
export const decodeParty = (bytes: Uint8Array): Party => decode<Party>("Party", bytes);

export const encodeReceivable = (receivable: Receivable): Uint8Array => encode("Receivable", receivable);
export const decodeReceivable = (bytes: Uint8Array): Receivable => decode<Receivable>("Receivable", bytes);

export const encodeDeclaration = (declaration: Declaration): Uint8Array => encode("Declaration", declaration);
export const decodeDeclaration = (bytes: Uint8Array): Declaration => decode<Declaration>("Declaration", bytes);

export const encodeDocumentRecord = (doc: DocumentRecord): Uint8Array => encode("DocumentRecord", doc);
export const decodeDocumentRecord = (bytes: Uint8Array): DocumentRecord => decode<DocumentRecord>("DocumentRecord", bytes);

export const encodeCreditLine = (line: CreditLine): Uint8Array => encode("CreditLine", line);
export const decodeCreditLine = (bytes: Uint8Array): CreditLine => decode<CreditLine>("CreditLine", bytes);

export const encodeWarrant = (warrant: Warrant): Uint8Array => encode("Warrant", warrant);
export const decodeWarrant = (bytes: Uint8Array): Warrant => decode<Warrant>("Warrant", bytes);

export const encodePiece = (piece: Piece): Uint8Array => encode("Piece", piece);
export const decodePiece = (bytes: Uint8Array): Piece => decode<Piece>("Piece", bytes);

// title documents and pledges (DESIGN.md §8)
export const encodeLot = (lot: Lot): Uint8Array => encode("Lot", lot);
export const decodeLot = (bytes: Uint8Array): Lot => decode<Lot>("Lot", bytes);

export const encodeTitle = (title: Title): Uint8Array => encode("Title", title);
export const decodeTitle = (bytes: Uint8Array): Title => decode<Title>("Title", bytes);

// before, during and after lending (DESIGN.md §10-§11)
export const encodeBookRoot = (root: BookRoot): Uint8Array => encode("BookRoot", root);
export const decodeBookRoot = (bytes: Uint8Array): BookRoot => decode<BookRoot>("BookRoot", bytes);
export const encodeBookCore = (core: BookCore): Uint8Array => encode("BookCore", core);
export const decodeBookCore = (bytes: Uint8Array): BookCore => decode<BookCore>("BookCore", bytes);
export const encodePartyAmount = (e: PartyAmount): Uint8Array => encode("PartyAmount", e);
export const decodePartyAmount = (bytes: Uint8Array): PartyAmount => decode<PartyAmount>("PartyAmount", bytes);
export const encodeDueAmount = (e: DueAmount): Uint8Array => encode("DueAmount", e);
export const decodeDueAmount = (bytes: Uint8Array): DueAmount => decode<DueAmount>("DueAmount", bytes);
export const encodeCreditFacts = (facts: CreditFacts): Uint8Array => encode("CreditFacts", facts);
export const decodeCreditFacts = (bytes: Uint8Array): CreditFacts => decode<CreditFacts>("CreditFacts", bytes);
export const encodeConsent = (consent: Consent): Uint8Array => encode("Consent", consent);
export const decodeConsent = (bytes: Uint8Array): Consent => decode<Consent>("Consent", bytes);

interface ReceiptWire {
  txHash: Uint8Array;
  code: Receipt["code"];
  message: string;
  target: string;
  events: EventWire[];
  alerts?: Alert[];
}

/** The proto Receipt wraps each event in its oneof `kind`; the domain Receipt lists them flat. */
export function encodeReceipt(receipt: Receipt): Uint8Array {
  const wire: ReceiptWire = { ...receipt, events: receipt.events.map((kind) => ({ kind })) };
  return encode("Receipt", wire);
}

export function decodeReceipt(bytes: Uint8Array): Receipt {
  const wire = decode<ReceiptWire>("Receipt", bytes);
  const events: Event[] = wire.events.map((e, i) => {
    if (!e.kind) throw new CodecError("invalid", `event ${i} has no kind`, "Receipt");
    return e.kind;
  });
  const receipt: Receipt = { txHash: wire.txHash, code: wire.code, message: wire.message, target: wire.target, events };
  // Most receipts have no alert: the field is left out then, as the ledger builds them.
  if (wire.alerts && wire.alerts.length > 0) receipt.alerts = wire.alerts;
  return receipt;
}

// supervision (DESIGN.md §11, docs/supervision.md)
export interface RuleSetRecord {
  rules: SupervisionRule[];
}
export const encodeRuleSet = (set: RuleSetRecord): Uint8Array => encode("RuleSet", set);
export const decodeRuleSet = (bytes: Uint8Array): RuleSetRecord => decode<RuleSetRecord>("RuleSet", bytes);

export interface TallyRecord {
  amount: bigint;
  parties: string[];
  entries: { time: bigint; txHash: Uint8Array }[];
  /** with `parties`: one amount per party (empty when the tally is a list of parties only) */
  amounts: bigint[];
}
export const encodeTally = (t: TallyRecord): Uint8Array => encode("SupervisionTally", t);
export const decodeTally = (bytes: Uint8Array): TallyRecord => decode<TallyRecord>("SupervisionTally", bytes);

// Query-model records as the JSON views of sdk/api/schemas.ts. The generic toJsonView (sdk/json.ts) does the
// bigint/bytes mapping; this module adds the derived values and assembles proofs.
import { certifiedHeaderToJson, type CertifiedHeaderProof } from "../sdk/certified.js";
import type {
  AlertJson,
  AlertRecordJson,
  BlockJson,
  BlockProofJson,
  CertificateJson,
  CreditLineJson,
  HistoryEntryJson,
  PieceItemJson,
  PieceJson,
  PieceProofsJson,
  PledgeHistoryJson,
  PledgeStepJson,
  ReceivableJson,
  TitleJson,
  TitleRecordJson,
  TxEntryJson,
  TxJson,
  WarrantTreeJson,
} from "../sdk/api/schemas.js";
import { toHex } from "../sdk/bytes.js";
import type { CommitCertificate } from "../sdk/commit.js";
import { toJsonView } from "../sdk/json.js";
import type { BlockHeader, CreditLine, Declaration, Piece, Receivable, Title, Warrant } from "../sdk/types.js";
import type { AlertEntry, HistoryEntry, PieceWithAncestry, PledgeHistoryEntry, PledgeStep, TitleWithPledges, TxEntry, TxRecord } from "../node/query/types.js";
import { availableToFinance, isOverdue, isPastDue, isPieceOverdue, liveFinanced, pieceAging } from "../sdk/domain.js";

export interface AsOf {
  height: bigint;
  time: bigint;
}

export function receivableView(r: Receivable, asOf: AsOf, declaration: Declaration | undefined): ReceivableJson {
  const live = liveFinanced(r);
  const available = availableToFinance(r);
  const overdue = isOverdue(r, asOf.time);
  return {
    receivable: toJsonView(r),
    liveFinanced: live.toString(),
    available: available.toString(),
    overdue,
    financeable: available > 0n && !overdue,
    declaration: declaration ? toJsonView(declaration) : null,
    asOf: { height: asOf.height.toString(), time: asOf.time.toString() },
  };
}

export function asOfView(asOf: AsOf): { height: string; time: string } {
  return { height: asOf.height.toString(), time: asOf.time.toString() };
}

// ---- digital warrants ----

export function creditLineView(line: CreditLine, asOf: AsOf): CreditLineJson {
  const room = line.limit - line.outstanding;
  return { creditLine: toJsonView(line), available: (room > 0n ? room : 0n).toString(), expired: isPastDue(line.expiryDate, asOf.time), asOf: asOfView(asOf) };
}

export function warrantTreeView(w: Warrant, pieces: Piece[], complete: boolean, asOf: AsOf): WarrantTreeJson {
  return {
    warrant: toJsonView(w),
    pieces: pieces.map((p) => toJsonView(p)),
    complete,
    outstanding: (w.amount - w.settled).toString(),
    overdue: w.status !== "SETTLED" && isPastDue(w.maturityDate, asOf.time),
    asOf: asOfView(asOf),
  };
}

export function pieceItemView(p: Piece, asOf: AsOf): PieceItemJson {
  return { piece: toJsonView(p), overdue: isPieceOverdue(p, asOf.time), aging: pieceAging(p, asOf.time) ?? null };
}

export function pieceView(found: PieceWithAncestry, asOf: AsOf, proofs: PieceProofsJson | undefined): PieceJson {
  return {
    piece: toJsonView(found.piece),
    warrant: toJsonView(found.warrant),
    ancestry: found.ancestry.map((p) => toJsonView(p)),
    overdue: isPieceOverdue(found.piece, asOf.time),
    aging: pieceAging(found.piece, asOf.time) ?? null,
    asOf: asOfView(asOf),
    ...(proofs ? { proofs } : {}),
  };
}

// ---- title documents and pledges ----

export function titleRecordView(t: Title): TitleRecordJson {
  return { ...toJsonView({ ...t, pledge: undefined }), pledge: t.pledge ? toJsonView(t.pledge) : null };
}

function pledgeStepView(s: PledgeStep): PledgeStepJson {
  return { height: s.height.toString(), index: s.index, time: s.time.toString(), txHash: toHex(s.txHash), signer: s.signer };
}

function pledgeHistoryView(p: PledgeHistoryEntry): PledgeHistoryJson {
  return {
    bankId: p.bankId,
    holderId: p.holderId,
    securedAmount: p.securedAmount.toString(),
    currency: p.currency,
    expiryDate: p.expiryDate,
    outcome: p.outcome,
    offered: pledgeStepView(p.offered),
    ...(p.accepted ? { accepted: pledgeStepView(p.accepted) } : {}),
    ...(p.released ? { released: pledgeStepView(p.released) } : {}),
  };
}

export function titleView(found: TitleWithPledges, asOf: AsOf): TitleJson {
  return { title: titleRecordView(found.title), goods: toJsonView(found.lot.goods), pledges: found.pledges.map(pledgeHistoryView), asOf: asOfView(asOf) };
}

export function txEntryView(e: TxEntry): TxEntryJson {
  return {
    height: e.height.toString(),
    index: e.index,
    time: e.time.toString(),
    txHash: toHex(e.txHash),
    signer: e.signer,
    type: e.type ?? null,
    code: e.code,
    message: e.message,
    target: e.target,
  };
}

export function historyEntryView(e: HistoryEntry, record?: TxRecord): HistoryEntryJson {
  const out: HistoryEntryJson = txEntryView(e);
  if (e.event) {
    out.event = toJsonView(e.event);
    out.eventIndex = e.eventIndex!;
  }
  if (record) {
    out.proof = {
      tx: toHex(record.tx.bytes),
      receipt: toHex(record.receiptBytes),
      txProof: record.txProof.map(toHex),
      receiptProof: record.receiptProof.map(toHex),
    };
  }
  return out;
}

export function certificateView(c: CommitCertificate | undefined): CertificateJson | null {
  return c ? toJsonView(c) : null;
}

export function blockProofView(height: bigint, headerBytes: Uint8Array, hash: Uint8Array, cert: CommitCertificate | undefined, certified?: CertifiedHeaderProof): BlockProofJson {
  return { height: height.toString(), hash: toHex(hash), header: toHex(headerBytes), certificate: certificateView(cert), ...(certified ? { certified: certifiedHeaderToJson(certified, height) } : {}) };
}

export function blockView(h: { header: BlockHeader; headerBytes: Uint8Array; hash: Uint8Array }, cert: CommitCertificate | undefined): BlockJson {
  return { height: h.header.height.toString(), hash: toHex(h.hash), header: toJsonView(h.header), headerBytes: toHex(h.headerBytes), certificate: certificateView(cert) };
}

export function txView(rec: TxRecord, headerBytes: Uint8Array, cert: CommitCertificate | undefined, certified?: CertifiedHeaderProof): TxJson {
  return {
    ...(certified ? { certified: certifiedHeaderToJson(certified, rec.height) } : {}),
    txHash: rec.tx.hashHex,
    height: rec.height.toString(),
    index: rec.index,
    time: rec.header.time.toString(),
    blockHash: toHex(rec.blockHash),
    signer: rec.tx.body.signer,
    type: rec.tx.body.payload.type,
    body: toJsonView(rec.tx.body),
    signature: toHex(rec.tx.signature),
    receipt: toJsonView(rec.receipt),
    header: toJsonView(rec.header),
    certificate: certificateView(cert),
    proof: {
      tx: toHex(rec.tx.bytes),
      receipt: toHex(rec.receiptBytes),
      header: toHex(headerBytes),
      txProof: rec.txProof.map(toHex),
      receiptProof: rec.receiptProof.map(toHex),
    },
  };
}

/** An alert as GET /v1/alerts lists it (DESIGN.md §11): the receipt's alert with its transaction's place. */
export function alertRecordView(e: AlertEntry): AlertRecordJson {
  return {
    ...(toJsonView(e.alert) as unknown as AlertJson),
    height: e.height.toString(),
    index: e.index,
    time: e.time.toString(),
    txHash: toHex(e.txHash),
    signer: e.signer,
    code: e.code,
  };
}

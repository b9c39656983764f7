// Offline proof of a digital-warrant piece (DESIGN.md §7): its holder shows, against the validator
// set alone, that the piece descends from a warrant issued by the obligor on a bank's credit line.
// Input: a piece as GET /v1/pieces/:id?proofs=true serves it (client.getPiece(id, { proofs: true })).
// Browser-safe and pure; never throws on malformed input: every failure is a listed problem.
//
// What a passing check proves:
//   1. every transaction shown (the line's grant, the warrant's issue, each transfer, each financing
//      that made a bank a holder) is included in a block whose commit certificate carries 2f+1
//      validator signatures (verifyTx: audit path under the certified txs root);
//   2. the issue is signed by the obligor the grant names and draws on that line; its hash is the
//      warrant id and the id of the first piece, with the holder, amount, currency and maturity shown;
//   3. each transfer spends the step before it (payload.pieceId = the parent) and is signed by the
//      parent's holder at that point (the output's recipient, or the bank whose financing made it the
//      holder); the piece id recomputes with pieceIdOf(transfer hash, output index), and its holder,
//      amount and trade reference are that output's (or the sender's remainder);
//   4. the steps are in chain order, and the piece's holder today is the one the steps make.
// The grant's signer is reported as the bank: the validator set cannot tell a party's role, so the
// grant transaction is the certified evidence that this party granted the line.
//
//   5. every step's block is certified with its results (sdk/certified.ts), so each step's receipt
//      is proven and must be OK, and each signature verifies under the signer's certified key;
//   6. the piece shown is its state record proven under a certified state root (`proofs.state`):
//      `status` and `provenAt` say what it is now, as of that height;
//   7. the piece's own history (`proofs.history`) is complete up to a certified height, as every
//      object's history is proven (verifyObjectHistory): each event of the piece and each rejected
//      attempt on it, the first event the step that created it, the financing shown among them
//      (`historyCompleteThrough`, `historyEntries`; ENTRY_MISSING names a gap).
// `partyKeys` adds a check of every signature against keys the caller holds itself.
import type { PieceProofsJson, PieceRecordJson, TxJson } from "./api/schemas.js";
import { fromHex, isHex } from "./bytes.js";
import { nobleCrypto } from "./crypto.js";
import { decodeTx, verifyTxSignature, type Tx } from "./tx.js";
import { financeWarrantTx, type FinanceWarrantPayload } from "./transactions/finance-warrant.js";
import { grantCreditLineTx, type GrantCreditLinePayload } from "./transactions/grant-credit-line.js";
import { issueWarrantTx, type IssueWarrantPayload } from "./transactions/issue-warrant.js";
import { transferWarrantTx, type TransferWarrantPayload } from "./transactions/transfer-warrant.js";
import { pieceIdOf } from "./transactions/warrant-common.js";
import { verifyObjectHistory, verifyTx, type TrustedValidators, type VerificationProblemCode } from "./verify.js";
import { certifiedHeaderFromJson, verifyCertifiedState } from "./certified.js";
import { decode } from "./codec.js";
import { sha256 } from "./crypto.js";
import { sameJson, toJsonView } from "./json.js";
import { stateProofFromJson } from "./proofs.js";
import { pieceStateKey } from "./transactions/warrant-common.js";
import type { Piece } from "./types.js";

export type PieceProblemCode =
  | VerificationProblemCode
  /** a piece of the ancestry has no transaction, or the proofs are for other pieces */
  | "STEP_MISSING"
  /** a transaction's content disagrees with the piece shown (type, spent piece, id, holder, amount, line) */
  | "STEP_MISMATCH"
  /** a step is signed by someone other than who had to sign it */
  | "WRONG_SIGNER"
  /** a transaction's signature does not verify under its signer's key (certified, or from partyKeys) */
  | "BAD_SIGNATURE";

export interface PieceProblem {
  code: PieceProblemCode;
  message: string;
  /** index of the step (0 = the warrant's first piece), when the problem is a step's */
  step?: number;
  height?: string;
}

export interface PieceVerificationReport {
  ok: boolean;
  /** transactions checked */
  checked: number;
  /** distinct blocks whose commit certificate verified */
  certifiedBlocks: number;
  /** transactions whose signature was checked against `partyKeys` */
  signaturesChecked: number;
  problems: PieceProblem[];
  /** what the certified transactions establish (meaningful when ok) */
  pieceId?: string;
  warrantId?: string;
  lineId?: string;
  /** the signer of the line's grant */
  bankId?: string;
  obligorId?: string;
  holderId?: string;
  amount?: string;
  currency?: string;
  maturityDate?: string;
  depth?: number;
  /** the piece's status in its record proven at `provenAt` (HELD, OFFERED, FINANCED, SETTLED, SPENT) */
  status?: string;
  /** the certified height the piece's record is proven at */
  provenAt?: string;
  /** the certified height up to which the piece's own history is proven complete (sdk/verify.ts verifyObjectHistory) */
  historyCompleteThrough?: string;
  /** entries of the piece's history checked (its events and the rejected attempts on it) */
  historyEntries?: number;
}

export interface VerifyPieceOptions {
  /** parties' ed25519 public keys (hex or bytes) by id: check every transaction's signature too */
  partyKeys?: Readonly<Record<string, Uint8Array | string>>;
}

/** The ancestry and proofs of a piece, as in the GET /v1/pieces/:id?proofs=true response. */
export interface PieceAncestry {
  ancestry: readonly PieceRecordJson[];
  proofs?: PieceProofsJson;
}

interface Position {
  height: bigint;
  index: number;
}

const before = (a: Position, b: Position) => a.height < b.height || (a.height === b.height && a.index < b.index);

/**
 * Verifies that `piece` descends, through `ancestry` (root first), from a warrant issued by the
 * obligor on a bank's credit line, against the validator set. Typically
 * `const v = await client.getPiece(id, { proofs: true }); verifyPiece(v.piece, v, validatorSet)`.
 * See the head of this file for what it proves and what it does not.
 */
export function verifyPiece(piece: PieceRecordJson, ancestry: PieceAncestry, validatorSet: TrustedValidators, opts: VerifyPieceOptions = {}): PieceVerificationReport {
  const report: PieceVerificationReport = { ok: false, checked: 0, certifiedBlocks: 0, signaturesChecked: 0, problems: [] };
  const problem = (code: PieceProblemCode, message: string, where: { step?: number; height?: string } = {}) => report.problems.push({ code, message, ...where });
  const certified = new Set<string>();
  try {
    if (!piece || typeof piece !== "object" || typeof piece.id !== "string" || !ancestry || typeof ancestry !== "object" || !Array.isArray(ancestry.ancestry)) {
      problem("MALFORMED", "verifyPiece takes a piece record and { ancestry, proofs } as GET /v1/pieces/:id?proofs=true serves them");
      return finish(report);
    }
    const proofs = ancestry.proofs;
    if (!proofs || typeof proofs !== "object" || !Array.isArray(proofs.steps) || !proofs.creditLine) {
      problem("MISSING_PROOF", "no proofs: request the piece with proofs (client.getPiece(id, { proofs: true }))");
      return finish(report);
    }
    const chain = [...ancestry.ancestry, piece];

    // The served records link up: root first, each the parent of the next, one warrant.
    const warrantId = chain[0]!.id;
    chain.forEach((p, i) => {
      if (p.parentId !== (i === 0 ? "" : chain[i - 1]!.id)) problem("STEP_MISMATCH", `ancestry: piece ${i} does not have piece ${i - 1} as its parent`, { step: i });
      if (p.warrantId !== warrantId) problem("STEP_MISMATCH", `ancestry: piece ${i} belongs to warrant ${p.warrantId}, not ${warrantId}`, { step: i });
      if (p.depth !== i) problem("STEP_MISMATCH", `ancestry: piece ${i} is at depth ${p.depth}`, { step: i });
    });

    /** Checks one served transaction against the validator set and decodes it (null if it does not decode). */
    const load = (view: TxJson | undefined, what: string, step?: number): { tx: Tx; at: Position } | null => {
      const where = step === undefined ? {} : { step };
      if (!view || typeof view !== "object" || !view.proof) {
        problem("MISSING_PROOF", `${what}: no transaction`, where);
        return null;
      }
      report.checked++;
      const r = verifyTx(view, validatorSet);
      for (const p of r.problems) problem(p.code, `${what}: ${p.message}`, { ...where, ...(p.height ? { height: p.height } : {}) });
      if (r.certifiedBlocks > 0) certified.add(view.height);
      let tx: Tx;
      try {
        tx = decodeTx(nobleCrypto, fromHex(view.proof.tx));
      } catch (err) {
        problem("MALFORMED", `${what}: the transaction does not decode (${(err as Error).message})`, where);
        return null;
      }
      if (view.receipt?.code !== "OK") problem("RECEIPT_MISMATCH", `${what}: the node reports it as ${view.receipt?.code}, not accepted`, where);
      const key = opts.partyKeys?.[tx.body.signer];
      if (opts.partyKeys) {
        const k = typeof key === "string" ? (isHex(key, 32) ? fromHex(key) : undefined) : key;
        if (!k) problem("BAD_SIGNATURE", `${what}: no key given for its signer ${tx.body.signer}`, where);
        else {
          report.signaturesChecked++;
          if (!verifyTxSignature(nobleCrypto, k, tx)) problem("BAD_SIGNATURE", `${what}: the signature does not verify under ${tx.body.signer}'s key`, where);
        }
      }
      return { tx, at: { height: BigInt(view.height), index: view.index } };
    };

    // The line's grant: the bank is its signer.
    const grant = load(proofs.creditLine, "the credit line's grant");
    let line: GrantCreditLinePayload | undefined;
    if (grant) {
      if (grant.tx.body.payload.type !== grantCreditLineTx.type) problem("STEP_MISMATCH", `the credit line's grant is a ${grant.tx.body.payload.type} transaction`);
      else line = grant.tx.body.payload as GrantCreditLinePayload;
    }

    const steps = new Map<string, PieceProofsJson["steps"][number]>();
    for (const s of proofs.steps) if (s && typeof s.pieceId === "string") steps.set(s.pieceId, s);
    if (proofs.steps.length !== chain.length) problem("STEP_MISSING", `${proofs.steps.length} steps for a piece at depth ${chain.length - 1} (${chain.length} pieces from the root)`);

    let holder: string | undefined; // the holder of the previous piece after its last step
    let amount: bigint | undefined; // the previous piece's amount as its transaction fixed it
    let last: Position | undefined = grant?.at;
    let obligor: string | undefined;
    let issue: IssueWarrantPayload | undefined;
    for (const [i, p] of chain.entries()) {
      const where = { step: i };
      const step = steps.get(p.id);
      if (!step) {
        problem("STEP_MISSING", `no transaction for piece ${i} (${p.id})`, where);
        holder = undefined;
        amount = undefined;
        continue;
      }
      const created = load(step.created, `step ${i}'s transaction`, i);
      if (!created) {
        holder = undefined;
        amount = undefined;
        continue;
      }
      const { tx, at } = created;
      if (last && !before(last, at)) problem("OUT_OF_ORDER", `step ${i}'s transaction does not come after the step before it`, where);
      last = at;
      let createdFor: string | undefined;
      let createdAmount: bigint | undefined;
      let tradeRef = "";
      if (i === 0) {
        if (tx.body.payload.type !== issueWarrantTx.type) {
          problem("STEP_MISMATCH", `the first piece was created by a ${tx.body.payload.type} transaction, not a warrant's issue`, where);
        } else {
          issue = tx.body.payload as IssueWarrantPayload;
          obligor = tx.body.signer;
          if (tx.hashHex !== p.id) problem("STEP_MISMATCH", `the warrant id ${p.id} is not the hash of its issue, ${tx.hashHex}`, where);
          if (line) {
            if (issue.lineId !== line.lineId) problem("STEP_MISMATCH", `the warrant draws on line ${issue.lineId}, not the granted ${line.lineId}`, where);
            if (obligor !== line.obligor) problem("WRONG_SIGNER", `the warrant is issued by ${obligor}, not by the line's obligor ${line.obligor}`, where);
            if (issue.currency !== line.currency) problem("STEP_MISMATCH", `the warrant is in ${issue.currency}, the line in ${line.currency}`, where);
          }
          if (issue.currency !== p.currency || issue.maturityDate !== p.maturityDate) problem("STEP_MISMATCH", "the piece's currency or maturity differs from the warrant's issue", where);
          if (p.obligorId !== obligor) problem("STEP_MISMATCH", `the piece names obligor ${p.obligorId}, the issue was signed by ${obligor}`, where);
          createdFor = issue.holder;
          createdAmount = issue.amount;
        }
      } else if (tx.body.payload.type !== transferWarrantTx.type) {
        problem("STEP_MISMATCH", `piece ${i} was created by a ${tx.body.payload.type} transaction, not a transfer`, where);
      } else {
        const t = tx.body.payload as TransferWarrantPayload;
        const parent = chain[i - 1]!;
        if (t.pieceId !== parent.id) problem("STEP_MISMATCH", `step ${i}'s transfer spends ${t.pieceId}, not the parent ${parent.id}`, where);
        if (holder !== undefined && tx.body.signer !== holder) problem("WRONG_SIGNER", `step ${i}'s transfer is signed by ${tx.body.signer}, but the parent was held by ${holder}`, where);
        const k = [...t.outputs.keys(), t.outputs.length].find((n) => pieceIdOf(tx.hashHex, n) === p.id);
        if (k === undefined) problem("STEP_MISMATCH", `piece ${p.id} is none of the ids transfer ${tx.hashHex} creates (pieceIdOf)`, where);
        else if (k < t.outputs.length) {
          const o = t.outputs[k]!;
          createdFor = o.to;
          createdAmount = o.amount;
          tradeRef = o.tradeRef;
        } else {
          createdFor = tx.body.signer;
          const spent = t.outputs.reduce((sum, o) => sum + o.amount, 0n);
          createdAmount = amount === undefined ? undefined : amount - spent;
        }
      }
      if (createdAmount !== undefined && BigInt(p.amount) !== createdAmount) problem("STEP_MISMATCH", `piece ${i} shows amount ${p.amount}; its transaction makes it ${createdAmount}`, where);
      if (i > 0 && p.tradeRef !== tradeRef) problem("STEP_MISMATCH", `piece ${i} shows trade reference ${JSON.stringify(p.tradeRef)}; its transaction names ${JSON.stringify(tradeRef)}`, where);
      holder = createdFor;
      amount = createdAmount;

      // A bank that financed the piece became its holder.
      if (step.financed !== undefined) {
        const f = load(step.financed, `step ${i}'s financing`, i);
        if (f) {
          if (f.tx.body.payload.type !== financeWarrantTx.type) problem("STEP_MISMATCH", `step ${i}'s financing is a ${f.tx.body.payload.type} transaction`, where);
          else if ((f.tx.body.payload as FinanceWarrantPayload).pieceId !== p.id) problem("STEP_MISMATCH", `step ${i}'s financing is of another piece`, where);
          if (!before(created.at, f.at)) problem("OUT_OF_ORDER", `step ${i}'s financing does not come after the piece's creation`, where);
          holder = f.tx.body.signer;
          last = f.at; // the bank's onward sale comes after it became the holder
        } else holder = undefined;
      }
      // A spent piece keeps the holder that spent it, so every step's record names its last holder.
      if (holder !== undefined && p.holderId !== holder) {
        problem("STEP_MISMATCH", `piece ${i} shows holder ${p.holderId}; its transactions make it ${holder}`, where);
      }
    }

    // The piece as it is now: its record proven under a certified state root (sdk/certified.ts).
    const state = proofs.state;
    if (!state) {
      problem("NOT_CERTIFIED", "the piece's current record is not proven (request with proofs once the head is certified)");
    } else {
      const record = state.record === null ? null : fromHex(state.record);
      let check;
      try {
        check = verifyCertifiedState(certifiedHeaderFromJson(state.certified), validatorSet, { key: pieceStateKey(piece.id), value: record, proof: stateProofFromJson(state.proof) }, sha256, nobleCrypto.verify);
      } catch (err) {
        check = { ok: false as const, reason: `malformed: ${(err as Error).message}` };
      }
      if (!check.ok) problem(("code" in check && check.code) || "CERTIFICATE_INVALID", `the piece's record: ${check.reason}`);
      else if (!record) problem("STEP_MISMATCH", `no piece ${piece.id} in the certified state at height ${check.header.height}`);
      else {
        const proven = decode<Piece>("Piece", record);
        if (!sameJson(toJsonView(proven), piece)) problem("STEP_MISMATCH", `the piece shown is not its certified record at height ${check.header.height}`);
        for (const [n, step] of proofs.steps.entries()) {
          for (const v of [step?.created, step?.financed]) if (v && BigInt(v.height) > check.header.height) problem("OUT_OF_ORDER", `step ${n}'s transaction is above the height the piece is proven at`, { step: n });
        }
        report.status = proven.status;
        report.provenAt = check.header.height.toString();
      }
    }

    // The piece's own history proven complete (sdk/verify.ts verifyObjectHistory, as for every
    // object with a history): every event of the piece and every attempt on it up to a certified
    // height, beginning with the step that created it, the financing shown among them.
    const history = proofs.history;
    if (!history) {
      problem("NOT_PROVEN_COMPLETE", "the piece's history was not served (its holder, the obligor, the bank of the line and auditors may read it; ask with proofs once the head is certified)");
    } else {
      const r = verifyObjectHistory(history, validatorSet, { kind: "piece", id: piece.id });
      for (const p of r.problems) problem(p.code, `the piece's history: ${p.message}`, p.height ? { height: p.height } : {});
      const own = steps.get(piece.id);
      if (r.ok && own) {
        const createdBy = history.items.find((e) => e.event !== undefined)?.txHash;
        if (createdBy !== own.created?.txHash) problem("STEP_MISMATCH", "the piece's history does not begin with the transaction shown as creating it", { step: chain.length - 1 });
        if (own.financed && !history.items.some((e) => e.event !== undefined && e.txHash === own.financed!.txHash)) problem("STEP_MISMATCH", "the financing shown is not in the piece's history", { step: chain.length - 1 });
      }
      if (r.ok) {
        report.historyCompleteThrough = r.completeThrough;
        report.historyEntries = r.checked;
      }
    }

    if (report.problems.length === 0) {
      Object.assign(report, {
        pieceId: piece.id,
        warrantId,
        lineId: line?.lineId,
        bankId: grant?.tx.body.signer,
        obligorId: obligor,
        holderId: holder,
        amount: amount?.toString(),
        currency: issue?.currency,
        maturityDate: issue?.maturityDate,
        depth: chain.length - 1,
      });
    }
  } catch (err) {
    problem("MALFORMED", `the piece or its proofs are malformed: ${(err as Error).message}`);
  }
  report.certifiedBlocks = certified.size;
  return finish(report);
}

function finish(report: PieceVerificationReport): PieceVerificationReport {
  report.ok = report.problems.length === 0;
  return report;
}

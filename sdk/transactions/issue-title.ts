// issueTitle: the CUSTODIAN of a lot issues a title document over part of it — a warehouse receipt
// or a bill of lading — to an ENTERPRISE. Its id is the transaction hash. Never beyond the lot's
// attested stock (the empty pledge), never twice for one document (DESIGN.md §8, docs/titles.md).
import { equalBytes } from "../bytes.js";
import { firstIssue, hash32, partyId, toBytes, type BytesInput } from "../checks.js";
import type { TitleKind } from "../types.js";
import { NOTHING_CARRIED, want, type TxFormat } from "./format.js";
import { lotId, positiveQuantity, titleKind, toQuantity, type QuantityInput } from "./title-common.js";

export interface IssueTitle {
  kind: TitleKind;
  /** the document number, normalised (DESIGN.md §3; a bill of lading's as sdk billOfLadingFingerprint) */
  fingerprint: Uint8Array;
  lotId: string;
  quantity: bigint;
  holder: string;
}
export type IssueTitlePayload = { type: "issueTitle" } & IssueTitle;
export interface IssueTitleInput {
  kind: TitleKind;
  fingerprint: BytesInput;
  lotId: string;
  quantity: QuantityInput;
  holder: string;
}

export const issueTitleTx: TxFormat<IssueTitlePayload, IssueTitleInput> = {
  type: "issueTitle",
  check: (p) => firstIssue(p as unknown as Record<string, unknown>, { kind: titleKind, fingerprint: hash32, lotId, quantity: positiveQuantity, holder: partyId }),
  build: (i) => ({ type: "issueTitle", kind: i.kind, fingerprint: toBytes("fingerprint", i.fingerprint), lotId: i.lotId, quantity: toQuantity("quantity", i.quantity), holder: i.holder }),
  targets: "title",
  target: (_p, txHashHex) => txHashHex,
  receivablesNamed: () => [],
  carries: () => NOTHING_CARRIED,
  events: {
    titleIssued: (e, p, tx) =>
      want(
        e.titleId === tx.hashHex && e.kind === p.kind && equalBytes(e.fingerprint, p.fingerprint) && e.lotId === p.lotId && e.custodianId === tx.signer && e.holderId === p.holder && e.quantity === p.quantity,
        "title id, kind, fingerprint, lot, custodian, holder or quantity differs from the transaction",
      ),
  },
};

// attestShipment: customs binds one export declaration to receivables of the declaring exporter,
// never beyond its declared value (DESIGN.md §2, Attest).
import { equalBytes } from "../bytes.js";
import { currency, date, firstIssue, hash32, LIMITS, partyId, positiveAmount, toAmount, toBytes, txIdList, type AmountInput, type BytesInput } from "../checks.js";
import { MalformedError } from "../checks.js";
import { want, type TxFormat } from "./format.js";

export interface AttestShipment {
  declarationFingerprint: Uint8Array;
  declarationHash: Uint8Array;
  exporterId: string;
  declaredValue: bigint;
  currency: string;
  exportDate: string;
  receivableIds: string[];
}
export type AttestShipmentPayload = { type: "attestShipment" } & AttestShipment;

export interface AttestShipmentInput {
  declarationFingerprint: BytesInput;
  declarationHash: BytesInput;
  exporterId: string;
  declaredValue: AmountInput;
  currency: string;
  exportDate: string;
  receivableIds: string[];
}

export const attestShipmentTx: TxFormat<AttestShipmentPayload, AttestShipmentInput> = {
  type: "attestShipment",
  check: (p) =>
    firstIssue(p as unknown as Record<string, unknown>, {
      declarationFingerprint: hash32,
      declarationHash: hash32,
      exporterId: partyId,
      declaredValue: positiveAmount,
      currency,
      exportDate: date,
      receivableIds: txIdList(LIMITS.receivableIdsPerAttestation, "receivable"),
    }),
  build: (input) => {
    if (!Array.isArray(input.receivableIds)) throw new MalformedError("receivableIds", "must be an array");
    return {
      type: "attestShipment",
      declarationFingerprint: toBytes("declarationFingerprint", input.declarationFingerprint),
      declarationHash: toBytes("declarationHash", input.declarationHash),
      exporterId: input.exporterId,
      declaredValue: toAmount("declaredValue", input.declaredValue),
      currency: input.currency,
      exportDate: input.exportDate,
      receivableIds: [...input.receivableIds],
    };
  },
  targets: "receivable",
  target: (p) => p.receivableIds[0] ?? "",
  receivablesNamed: (p) => p.receivableIds,
  carries: (p) => ({ documents: [p.declarationHash], fingerprints: [] }),
  events: {
    receivableAttested: (e, p, tx) =>
      want(p.receivableIds.includes(e.receivableId) && equalBytes(e.declarationFingerprint, p.declarationFingerprint) && e.customsId === tx.signer, "receivable, declaration or customs differs from the transaction"),
  },
};

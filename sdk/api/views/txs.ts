// The JSON view of a committed transaction: its body (the payload as the JSON view of its type,
// sdk/api/tx-payloads.ts), receipt, block, proofs and certificates (GET /v1/txs/:hash). Browser-safe.
import * as z from "zod/mini";
import { Hex, Hex32, PartyId, TimeMs, U64, described, named } from "../primitives.js";
import { CertificateView, CertifiedHeaderView, InclusionProofView, ReceiptView, SignerKeysView, TxTypeSchema } from "./core.js";
import { HeaderView } from "./node.js";
import { TxPayloadView } from "../tx-payloads.js";

export const TxBodyView = z
  .object({ chainId: z.string(), signer: PartyId, createdAt: TimeMs, nonce: Hex, payload: TxPayloadView }).apply(named, "TxBody");

export const TxView = z
  .object({
    txHash: Hex32,
    height: U64,
    index: z.int().check(z.gte(0)),
    time: TimeMs,
    blockHash: Hex32,
    signer: PartyId,
    type: TxTypeSchema,
    body: TxBodyView,
    signature: Hex,
    receipt: ReceiptView,
    header: HeaderView,
    certificate: z.nullable(CertificateView),
    proof: z.extend(InclusionProofView, { header: described(Hex, "the encoded BlockHeader") }),
    certified: described(z.optional(CertifiedHeaderView), "the header certified with its receipts and state roots; absent while the block is not certified yet (see `waitCertifiedMs`)"),
    signerKeys: described(z.optional(SignerKeysView), "the signer's party record proven at a certified height; absent while the head is not certified yet"),
  }).apply(named, "Transaction");

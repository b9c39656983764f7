// Transaction builders: typed, validated payloads from friendly inputs (amounts as bigint or a
// decimal string of minor units, hashes as bytes or hex), and the envelope around them. Each
// `tx.<type>` is that type's own builder (sdk/transactions/) followed by sdk/validate.ts — the same
// checks the ledger runs — and throws MalformedError (a LedgerError with code MALFORMED) naming the
// bad field, so a malformed transaction is never signed. Browser-safe.
import { unsignedTxBody, type TxBodyOptions } from "./tx.js";
import { TX_FORMAT_LIST, type InputOf, type PayloadOf, type TxType } from "./transactions/index.js";
import type { TxBody } from "./tx.js";
import type { TxPayload } from "./transactions/index.js";
import { assertValidPayload, assertValidTxBody } from "./validate.js";

export type { TxBodyOptions } from "./tx.js";

export { toAmount, toBytes, type AmountInput, type BytesInput } from "./checks.js";
export type { PayloadOf, InputOf } from "./transactions/index.js";
export type {
  RegisterPartyInput,
  RegisterReceivableInput,
  AttestShipmentInput,
  FinanceReceivableInput,
  RecordRepaymentInput,
  CancelReceivableInput,
  AnchorDocumentInput,
} from "./transactions/index.js";

export type TxBuilders = { readonly [K in TxType]: (input: InputOf<K>) => PayloadOf<K> };

/** Builders of each transaction payload. Each returns a validated payload or throws MalformedError. */
export const tx: TxBuilders = Object.freeze(
  Object.fromEntries(TX_FORMAT_LIST.map((f) => [f.type, (input: never) => assertValidPayload((f.build as (i: never) => TxPayload)(input))])),
) as TxBuilders;

/** Wraps a payload in the signed envelope's body. Throws MalformedError naming the bad field. */
export function buildTxBody(payload: TxPayload, opts: TxBodyOptions): TxBody {
  return assertValidTxBody(unsignedTxBody(payload, opts));
}

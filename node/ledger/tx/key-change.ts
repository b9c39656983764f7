// What a party's own key rotation and a bank's reset of it share (DESIGN.md §12, docs/governance.md): a party's signing key
// is replaced, the old one kept in retiredKeys with the height it stops at, so verifiers
// (sdk/signers.ts partyKeyAt) and the ledger's envelope agree on the key of every block.
import { toHex, utf8 } from "../../../sdk/bytes.js";
import type { Crypto } from "../../../sdk/crypto.js";
import { verifyKeyPossession } from "../../../sdk/transactions/key-possession.js";
import type { Event, Party } from "../../../sdk/types.js";
import { encodeParty } from "../records.js";
import { KEY, type StateWriter } from "../state.js";
import { getText, reject, type BlockTime } from "./rule.js";

/** Most keys one party record keeps retired: the record (and every proof of it) stays small. */
export const MAX_RETIRED_KEYS = 64;

export interface KeyChange {
  chainId: string;
  party: Party;
  newPublicKey: Uint8Array;
  possessionProof: Uint8Array;
  /** the bank resetting the key; "" for the party's own rotation */
  resetBy: string;
  reason: string;
}

export function changeKey(state: StateWriter, crypto: Pick<Crypto, "verify">, block: BlockTime, c: KeyChange): Event[] {
  const { party } = c;
  if (!verifyKeyPossession(crypto, c.chainId, party.id, c.newPublicKey, c.possessionProof)) {
    reject("KEY_NOT_PROVEN", `the possession proof does not verify under the new key for party ${party.id} on chain ${c.chainId} (sign the key-possession message with the new key)`);
  }
  const keyHex = toHex(c.newPublicKey);
  const holder = getText(state, KEY.publicKey(keyHex));
  // Keys are never reused, by anyone: retired keys keep their index entry.
  if (holder !== undefined) reject("KEY_IN_USE", holder === party.id ? `${keyHex} is, or was, ${party.id}'s own key: generate a new one` : `${keyHex} is, or was, the key of party ${holder}`);
  const retired = party.retiredKeys ?? [];
  // Every block is verified against one key per party: a second change in the same block would
  // retire a key that never signed.
  if (retired.length > 0 && retired[retired.length - 1]!.untilHeight > block.height) reject("INVALID_STATE", `the key of ${party.id} already changed in block ${block.height}; change it again in a later block`);
  if (retired.length >= MAX_RETIRED_KEYS) reject("INVALID_STATE", `party ${party.id} has retired ${retired.length} keys, the most a record keeps`);
  const updated: Party = {
    ...party,
    publicKey: c.newPublicKey,
    // the old key signed this block (the rotation itself included), the new one signs from the next
    retiredKeys: [...retired, { publicKey: party.publicKey, untilHeight: block.height + 1n, ...(c.resetBy ? { resetBy: c.resetBy, reason: c.reason } : {}) }],
  };
  state.put(KEY.party(party.id), encodeParty(updated));
  state.put(KEY.publicKey(keyHex), utf8(party.id));
  return [{ type: "keyRotated", partyId: party.id, publicKey: c.newPublicKey, resetBy: c.resetBy, reason: c.reason }];
}

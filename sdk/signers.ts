// Signers' keys proven from certified state, so a verifier checks each transaction's signature
// against the key its party held at that height without trusting the node that served it.
// Browser-safe and pure; never throws on malformed input.
//
// The node serves, with a transaction or a history, the Party records of the signers with state
// proofs at one height H and H's certified header (sdk/certified.ts). Party records keep the keys
// they signed with before their current one (`retiredKeys`, with the height each stopped at), so a
// record proven at any certified H proves the key in force at every height up to H:
//   the key for a transaction in block h = the first retired key with h < untilHeight, else publicKey.
// Key rotation and a bank's key reset (DESIGN.md §12, docs/governance.md) append to the list: the retired key
// signed blocks up to and including the rotation's own block, the new key every block after it.
import { decode } from "./codec.js";
import type { VerifySignature } from "./commit.js";
import { certifiedHeaderFromJson, verifyCertifiedHeader, type CertifiedHeaderProofJson, type EpochProblemCode, type TrustedValidators } from "./certified.js";
import type { Hash } from "./merkle.js";
import { stateProofFromJson, verifyStateProof, type StateProofJson } from "./proofs.js";
import { fromHex, isHex } from "./bytes.js";
import type { Party, ResultCode } from "./types.js";

/** The state key of a party's record (node/ledger/state.ts uses this very function). */
export function partyStateKey(partyId: string): string {
  return `p/${partyId}`;
}

/**
 * Receipt codes given before or at the signature check (docs/ledger.md "Envelope"): for these the
 * ledger did not accept the signature, so there is none to check (the certified receipt is the
 * validators' verdict). Every other code means the ledger verified the signature.
 */
export const SIGNATURE_NOT_ACCEPTED: ReadonlySet<ResultCode> = new Set<ResultCode>(["WRONG_CHAIN", "UNKNOWN_SIGNER", "BAD_SIGNATURE", "KEY_RETIRED"]);

/** The key `party` signed with in block `height`. */
export function partyKeyAt(party: Party, height: bigint): Uint8Array {
  for (const k of party.retiredKeys ?? []) if (height < k.untilHeight) return k.publicKey;
  return party.publicKey;
}

/** Signers' party records with state proofs at one height, and that height's certified header. */
export interface SignerKeysJson {
  height: string;
  certified: CertifiedHeaderProofJson;
  parties: { partyId: string; record: string | null; proof: StateProofJson }[];
}

export type SignerKeysCheck = { ok: true; height: bigint; parties: Map<string, Party | null> } | { ok: false; reason: string; code?: EpochProblemCode };

/** Verifies the certified header and every party record's proof under its state root. */
export function verifySignerKeys(json: SignerKeysJson, set: TrustedValidators, hash: Hash, verify: VerifySignature): SignerKeysCheck {
  try {
    if (!json || typeof json !== "object" || !Array.isArray(json.parties)) return { ok: false, reason: "malformed: signer keys have height, certified and parties" };
    const c = verifyCertifiedHeader(certifiedHeaderFromJson(json.certified), set, hash, verify);
    if (!c.ok) return { ok: false, reason: `the signer keys' header: ${c.reason}`, ...(c.code ? { code: c.code } : {}) };
    const parties = new Map<string, Party | null>();
    for (const p of json.parties) {
      if (!p || typeof p.partyId !== "string") return { ok: false, reason: "malformed: a party entry has partyId" };
      if (p.record !== null && !isHex(p.record)) return { ok: false, reason: `malformed: the record of ${p.partyId}` };
      const record = p.record === null ? null : fromHex(p.record);
      if (!verifyStateProof(c.header.stateRoot, partyStateKey(p.partyId), record, stateProofFromJson(p.proof), hash)) {
        return { ok: false, reason: `the record of party ${p.partyId} is not proven under the state root of block ${c.header.height}` };
      }
      const party = record === null ? null : decode<Party>("Party", record);
      if (party && party.id !== p.partyId) return { ok: false, reason: `the record under ${p.partyId} is party ${party.id}` };
      parties.set(p.partyId, party);
    }
    return { ok: true, height: c.header.height, parties };
  } catch (err) {
    return { ok: false, reason: `malformed: ${(err as Error).message}` };
  }
}

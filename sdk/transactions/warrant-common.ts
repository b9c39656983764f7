// What the warrant transaction types share on both sides (DESIGN.md §7, docs/warrants.md): how a
// transferred piece's id is derived, so that a holder can recompute the ids of its ancestry offline.
import { concatBytes, fromHex, toHex, utf8 } from "../bytes.js";
import { sha256 } from "../crypto.js";

const PIECE_TAG = utf8("tradeledger/piece/v1\u0000");

/**
 * The id of output `index` of a transfer (the remainder is index = outputs.length):
 * hex SHA-256("tradeledger/piece/v1" || 0x00 || tx hash || u32be index). A warrant's first piece
 * has the warrant's id, the hash of its issuing transaction.
 */
/** The state key of a piece record (node/ledger/state.ts uses this very function). */
export function pieceStateKey(pieceId: string): string {
  return `q/${pieceId}`;
}

export function pieceIdOf(txHashHex: string, index: number): string {
  const i = new Uint8Array(4);
  new DataView(i.buffer).setUint32(0, index);
  return toHex(sha256(concatBytes(PIECE_TAG, fromHex(txHashHex), i)));
}

// A block as GET /v1/blocks/:height serves it, checked against the validator set: the web
// explorer's network and block pages run it on every block they show (docs/explorer.md). Apart from
// sdk/verify.ts (and exported by the subpath @tradeledger/sdk/audit) so the main entry stays small.
// Browser-safe and pure; never throws.
import { fromHex, toHex } from "./bytes.js";
import { decode } from "./codec.js";
import { batchDigest, verifyCommitCertificate } from "./commit.js";
import { nobleCrypto, sha256 } from "./crypto.js";
import { certificateFromJson, sameJson, toJsonView } from "./json.js";
import { validatorsForEpoch, type TrustedValidators } from "./certified.js";
import type { BlockHeader } from "./types.js";
import type { BlockJson } from "./api/schemas.js";

/** What verifyBlock found: the block's header as its bytes say, and which validators signed its commit certificate. */
export interface BlockCheck {
  ok: boolean;
  /** why not, when not ok */
  reason?: string;
  /** the validators whose COMMIT signatures verified (ids), when the certificate is well formed */
  signers: string[];
}

/**
 * Verifies a block as GET /v1/blocks/:height serves it (client.getBlock) against the validator set
 * (the genesis set, or the chain of sets of verifyValidatorSets):
 * the encoded header hashes to the block hash served, every header field shown is the encoded
 * header's, and the commit certificate carries 2f+1 distinct validators' signatures over
 * batchDigest(chainId, height, time, txsRoot) of that header. It proves the block was committed with
 * those transactions (txsRoot), not its results: those are certified by a checkpoint certificate
 * (verifyCertifiedHeader). Never throws.
 */
export function verifyBlock(block: BlockJson, validatorSet: TrustedValidators): BlockCheck {
  const fail = (reason: string, signers: string[] = []): BlockCheck => ({ ok: false, reason, signers });
  if (!validatorSet || typeof validatorSet.chainId !== "string") return fail("the validator set needs a chainId and validators");
  let header: BlockHeader;
  let headerBytes: Uint8Array;
  try {
    headerBytes = fromHex(block.headerBytes);
    header = decode<BlockHeader>("BlockHeader", headerBytes);
  } catch (err) {
    return fail(`the header does not decode (${(err as Error).message})`);
  }
  if (toHex(sha256(headerBytes)) !== block.hash) return fail("the encoded header does not hash to the block hash served");
  if (!sameJson(toJsonView(header), block.header)) return fail("the header fields served differ from the encoded header");
  if (block.height !== header.height.toString()) return fail(`the block served as ${block.height} is block ${header.height}`);
  if (header.chainId !== validatorSet.chainId) return fail(`the block is of chain ${header.chainId}, not ${validatorSet.chainId}`);
  if (block.certificate === null) return fail(header.height === 0n ? "the genesis block has no commit certificate" : "no commit certificate served");
  let cert;
  try {
    cert = certificateFromJson(block.certificate);
  } catch (err) {
    return fail(`malformed certificate: ${(err as Error).message}`);
  }
  // the set of the epoch the certificate names (sdk/epochs.ts), for that epoch's blocks only
  const pick = validatorsForEpoch(validatorSet, cert.epoch, header.height);
  if (!pick.ok) return fail(pick.reason);
  const validators = pick.validators;
  const digest = batchDigest(sha256, { chainId: header.chainId, height: header.height, time: header.time, txsRoot: header.txsRoot });
  const check = verifyCommitCertificate(cert, validators, nobleCrypto.verify, { chainId: validatorSet.chainId, seq: header.height, digest });
  const signers = [...new Set(cert.commits.map((c) => validators[c.replica]?.id).filter((id): id is string => id !== undefined))].sort();
  return check.ok ? { ok: true, signers } : fail(check.reason, []);
}


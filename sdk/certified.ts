// Certified headers: what lets a client check a block's *results* (receipts root, state root), not
// only its inputs, against the validator set alone. Browser-safe and pure: hashing and signature
// verification are injected; nothing here throws on malformed input.
//
// A commit certificate (sdk/commit.ts) signs the batch PBFT ordered: (chain id, height, time, txs
// root). The header's receipts root and state root are computed after ordering, by execution, so
// no commit signs them. What does sign them is PBFT's CHECKPOINT (Castro & Liskov §4.3): after
// executing block `seq`, each validator signs (chain id, seq, time, state digest), and here the
// state digest is the hash of block `seq`'s header (node/driver/driver.ts). 2f+1 matching
// CHECKPOINTs therefore certify that header, and through its prev_hash every header below it. So:
//
//   a header at height h is certified by the headers h+1..c (each prev_hash the hash of the one
//   before) up to a height c >= h, and a checkpoint certificate: 2f+1 distinct validators'
//   CHECKPOINT signatures over (chainId, c, time of c, hash of header c).
//
// Validators sign a CHECKPOINT every `checkpointInterval` blocks (stable checkpoints), and also for
// the head of an idle chain (docs/consensus.md §2.6, "certifying the tip"), so every block is
// certified: under load within one interval, when the chain falls idle within a status period.
// An honest validator signs only the hash of a header it computed itself, so a certificate needs at
// least f+1 honest validators to have computed exactly these roots.
import { equalBytes, fromHex, isHex, toHex } from "./bytes.js";
import { bytesFromJson, u64FromJson } from "./json.js";
import { decode } from "./codec.js";
import { checkpointSigningBytes, epochSigningChainId, quorumSize, type Validator, type VerifySignature } from "./commit.js";
import type { Hash } from "./merkle.js";
import { verifyStateProof, type StateProof } from "./proofs.js";
import type { BlockHeader } from "./types.js";

/** The longest chain of headers a proof may carry (a node serves the nearest certificate it holds). */
export const MAX_CERTIFIED_CHAIN = 1024;

export interface ValidatorSet {
  chainId: string;
  /** in genesis order: a signature's `replica` indexes this list */
  validators: readonly { id: string; publicKey: Uint8Array | string }[];
  /**
   * The validator-set epoch this set runs (docs/governance.md §5); absent: 0, the genesis set. A
   * certificate naming another epoch is refused (EPOCH_UNPROVEN): pass a ValidatorSetChain instead.
   */
  epoch?: bigint;
}

/** One epoch's set, as verifyValidatorSets (sdk/epochs.ts) proved it from the genesis set. */
export interface EpochValidators {
  epoch: bigint;
  /** the switch seq it starts after (0 for the genesis set): it orders the seqs above it */
  baseSeq: bigint;
  /** its last seq, when a later link proves it ended there; absent for the newest epoch proven */
  endSeq?: bigint;
  validators: readonly Validator[];
}

/**
 * The chain of validator sets from genesis, each change proven by a certificate of the set before
 * it (sdk/epochs.ts verifyValidatorSets builds it; never build one by hand from unverified data).
 * Every verifier that takes a ValidatorSet takes this too and checks each certificate with the set of
 * the epoch it names, within that epoch's seqs.
 */
export interface ValidatorSetChain {
  chainId: string;
  /** ascending by epoch, the genesis set first */
  epochs: readonly EpochValidators[];
}

/** What the verifiers trust: the genesis set alone (an epoch-0 chain), or the proven chain of sets. */
export type TrustedValidators = ValidatorSet | ValidatorSetChain;

/**
 * Why a certificate has no set to check it with: it names an epoch the trusted sets do not prove
 * (EPOCH_UNPROVEN), or a seq outside the epoch it names (WRONG_EPOCH: e.g. a removed validator's
 * old set signing blocks of a later epoch).
 */
export type EpochProblemCode = "EPOCH_UNPROVEN" | "WRONG_EPOCH";

export type EpochSetPick = { ok: true; chainId: string; validators: readonly Validator[] } | { ok: false; reason: string; code?: EpochProblemCode };

/**
 * The set that must have signed a certificate of validator-set epoch `epoch` (absent: 0) for seq
 * `seq` (a block height or checkpoint seq). With one ValidatorSet, only its own epoch; with a chain,
 * the epoch's proven set, and only for seqs in (baseSeq, endSeq]. No code: the set is unusable.
 * Never throws.
 */
export function validatorsForEpoch(trusted: TrustedValidators, epoch: bigint | undefined, seq: bigint): EpochSetPick {
  const e = epoch ?? 0n;
  const epochs = (trusted as ValidatorSetChain | undefined)?.epochs;
  if (!Array.isArray(epochs)) {
    const own = (trusted as ValidatorSet | undefined)?.epoch ?? 0n;
    if (e !== own) return { ok: false, code: "EPOCH_UNPROVEN", reason: `epoch ${e}, not the set's ${own}` };
    const validators = validatorsOf(trusted as ValidatorSet);
    return typeof validators === "string" ? { ok: false, reason: validators } : { ok: true, chainId: trusted.chainId, validators };
  }
  const at = epochs.find((x) => x.epoch === e);
  if (!at) return { ok: false, code: "EPOCH_UNPROVEN", reason: `epoch ${e} is not proven` };
  if (seq <= at.baseSeq || (at.endSeq !== undefined && seq > at.endSeq)) return { ok: false, code: "WRONG_EPOCH", reason: `seq ${seq} is not in epoch ${e}` };
  return { ok: true, chainId: trusted.chainId, validators: at.validators };
}

export interface CheckpointSignature {
  /** index of the signer in the validator set */
  replica: number;
  signature: Uint8Array;
}

/** 2f+1 CHECKPOINT signatures over (chainId, seq, timestamp, blockHash). */
export interface CheckpointCertificate {
  /**
   * The validator-set epoch it was made in (docs/governance.md §5): absent or 0 for the genesis set.
   * Its signatures are over epochSigningChainId(chainId, epoch) by that epoch's set.
   */
  epoch?: bigint;
  seq: bigint;
  /** the time of block `seq` */
  timestamp: bigint;
  /** the hash of block `seq`'s header (the checkpoint's state digest) */
  blockHash: Uint8Array;
  signatures: CheckpointSignature[];
}

/** A header, the headers above it up to a checkpointed block, and that block's checkpoint certificate. */
export interface CertifiedHeaderProof {
  /** the encoded BlockHeader to prove, exactly the bytes whose SHA-256 is the block hash */
  header: Uint8Array;
  /** encoded headers of heights header+1 .. checkpoint.seq, ascending (empty when the header itself is checkpointed) */
  chain: Uint8Array[];
  checkpoint: CheckpointCertificate;
}

/** JSON form (hex, decimal strings), as GET /v1/blocks/:height/certified serves it. */
export interface CertifiedHeaderProofJson {
  height: string;
  header: string;
  chain: string[];
  checkpoint: {
    seq: string;
    timestamp: string;
    blockHash: string;
    signatures: { replica: number; signature: string }[];
    /** validator-set epoch, decimal; absent for the genesis set */
    epoch?: string;
  };
}

export type CertifiedHeaderCheck = { ok: true; header: BlockHeader; hash: Uint8Array } | { ok: false; reason: string; code?: EpochProblemCode };

const U64_MAX = (1n << 64n) - 1n;

function isU64(v: unknown): v is bigint {
  return typeof v === "bigint" && v >= 0n && v <= U64_MAX;
}

/** The validators of a set as raw keys, or why the set is unusable. */
export function validatorsOf(set: ValidatorSet): Validator[] | string {
  if (!set || typeof set !== "object" || typeof set.chainId !== "string" || !Array.isArray(set.validators) || set.validators.length === 0) {
    return "the validator set needs a chainId and validators";
  }
  const out: Validator[] = [];
  for (const [i, v] of set.validators.entries()) {
    const key = typeof v?.publicKey === "string" ? (isHex(v.publicKey, 32) ? fromHex(v.publicKey) : null) : v?.publicKey;
    if (!(key instanceof Uint8Array) || key.length !== 32) return `validator ${i} has no 32-byte public key`;
    out.push({ id: String(v.id), publicKey: key });
  }
  return out;
}

/**
 * Checks a checkpoint certificate: signatures of a quorum of distinct validators of the set of the
 * epoch it names (validatorsForEpoch) over checkpointSigningBytes(epochSigningChainId(chainId,
 * epoch), seq, timestamp, blockHash, replica). Never throws.
 */
export function verifyCheckpointCertificate(cert: CheckpointCertificate, trusted: TrustedValidators, verify: VerifySignature): { ok: true } | { ok: false; reason: string; code?: EpochProblemCode } {
  if (!cert || typeof cert !== "object") return { ok: false, reason: "malformed: not a checkpoint certificate" };
  if (!isU64(cert.seq) || !isU64(cert.timestamp)) return { ok: false, reason: "malformed: seq or timestamp" };
  const pick = validatorsForEpoch(trusted, cert.epoch, cert.seq);
  if (!pick.ok) return pick;
  const { validators } = pick;
  if (!(cert.blockHash instanceof Uint8Array) || cert.blockHash.length !== 32) return { ok: false, reason: "malformed: blockHash" };
  if (!Array.isArray(cert.signatures)) return { ok: false, reason: "malformed: signatures" };
  const signingChain = epochSigningChainId(pick.chainId, cert.epoch);
  const signers = new Set<number>();
  for (const s of cert.signatures) {
    if (!s || typeof s !== "object") return { ok: false, reason: "malformed: signature entry" };
    const { replica, signature } = s;
    if (!Number.isInteger(replica) || replica < 0 || replica >= validators.length) return { ok: false, reason: `signer ${String(replica)} is not a validator` };
    if (signers.has(replica)) return { ok: false, reason: `duplicate signature of validator ${validators[replica]!.id}` };
    if (!(signature instanceof Uint8Array)) return { ok: false, reason: "malformed: signature" };
    let ok = false;
    try {
      ok = verify(validators[replica]!.publicKey, checkpointSigningBytes(signingChain, cert.seq, cert.timestamp, cert.blockHash, replica), signature);
    } catch {
      ok = false;
    }
    if (!ok) return { ok: false, reason: `bad checkpoint signature of validator ${validators[replica]!.id}` };
    signers.add(replica);
  }
  const needed = quorumSize(validators.length);
  if (signers.size < needed) return { ok: false, reason: `${signers.size} valid checkpoint signatures, ${needed} needed` };
  return { ok: true };
}

/**
 * Verifies that `proof.header` is a header the validator set certified: the chain links it by
 * prev_hash to the checkpointed header, and the checkpoint certificate carries 2f+1 validator
 * signatures over that header's hash. Returns the decoded header and its hash. Never throws.
 */
export function verifyCertifiedHeader(proof: CertifiedHeaderProof, validators: TrustedValidators, hash: Hash, verify: VerifySignature): CertifiedHeaderCheck {
  try {
    if (!proof || typeof proof !== "object" || !(proof.header instanceof Uint8Array) || !Array.isArray(proof.chain)) return { ok: false, reason: "malformed: a certified header has header, chain and checkpoint" };
    if (!validators || typeof validators.chainId !== "string") return { ok: false, reason: "the validator set needs a chainId and validators" };
    if (proof.chain.length > MAX_CERTIFIED_CHAIN) return { ok: false, reason: `a chain of ${proof.chain.length} headers (at most ${MAX_CERTIFIED_CHAIN})` };
    const header = decode<BlockHeader>("BlockHeader", proof.header);
    const headerHash = hash(proof.header);
    if (header.chainId !== validators.chainId) return { ok: false, reason: `the header is of chain ${header.chainId}, not ${validators.chainId}` };
    let top = header;
    let topHash = headerHash;
    for (const [i, bytes] of proof.chain.entries()) {
      if (!(bytes instanceof Uint8Array)) return { ok: false, reason: `malformed: chain[${i}]` };
      const next = decode<BlockHeader>("BlockHeader", bytes);
      if (next.chainId !== validators.chainId) return { ok: false, reason: `chain[${i}] is of chain ${next.chainId}` };
      if (next.height !== top.height + 1n) return { ok: false, reason: `chain[${i}] is height ${next.height}, not ${top.height + 1n}` };
      if (!equalBytes(next.prevHash, topHash)) return { ok: false, reason: `chain[${i}] (height ${next.height}) does not link to the header below it` };
      top = next;
      topHash = hash(bytes);
    }
    const cp = proof.checkpoint;
    if (!cp || typeof cp !== "object") return { ok: false, reason: "malformed: no checkpoint certificate" };
    if (cp.seq !== top.height) return { ok: false, reason: `the checkpoint is for height ${String(cp.seq)}, the chain ends at ${top.height}` };
    if (cp.timestamp !== top.time) return { ok: false, reason: "the checkpoint's time is not the checkpointed block's" };
    if (!(cp.blockHash instanceof Uint8Array) || !equalBytes(cp.blockHash, topHash)) return { ok: false, reason: `the checkpoint certifies another block at height ${top.height}` };
    const check = verifyCheckpointCertificate(cp, validators, verify);
    if (!check.ok) return check;
    return { ok: true, header, hash: headerHash };
  } catch (err) {
    return { ok: false, reason: `malformed: ${(err as Error).message}` };
  }
}

/**
 * Verifies a state-tree value proof against a certified header: the header is certified (as
 * verifyCertifiedHeader) and `key` has exactly `value` (null: no value) under its state root
 * (sdk/proofs.ts verifyStateProof). Never throws.
 */
export function verifyCertifiedState(
  certified: CertifiedHeaderProof,
  validators: TrustedValidators,
  state: { key: string; value: Uint8Array | null; proof: StateProof },
  hash: Hash,
  verify: VerifySignature,
): CertifiedHeaderCheck {
  const c = verifyCertifiedHeader(certified, validators, hash, verify);
  if (!c.ok) return c;
  if (!state || typeof state !== "object") return { ok: false, reason: "malformed: no state proof" };
  if (!verifyStateProof(c.header.stateRoot, state.key, state.value, state.proof, hash)) {
    return { ok: false, reason: `the value of ${String(state.key)} is not proven under the state root of block ${c.header.height}` };
  }
  return c;
}

export function certifiedHeaderToJson(p: CertifiedHeaderProof, height: bigint): CertifiedHeaderProofJson {
  return { height: height.toString(), header: toHex(p.header), chain: p.chain.map(toHex), checkpoint: checkpointToJson(p.checkpoint) };
}

/** The JSON form of a checkpoint certificate (hex, decimal strings; `epoch` absent for 0). */
export function checkpointToJson(c: CheckpointCertificate): CertifiedHeaderProofJson["checkpoint"] {
  return {
    seq: c.seq.toString(),
    timestamp: c.timestamp.toString(),
    blockHash: toHex(c.blockHash),
    signatures: c.signatures.map((s) => ({ replica: s.replica, signature: toHex(s.signature) })),
    ...(c.epoch ? { epoch: c.epoch.toString() } : {}),
  };
}

/** Parses the JSON form; throws TypeError on anything malformed. */
export function certifiedHeaderFromJson(json: unknown): CertifiedHeaderProof {
  const j = json as CertifiedHeaderProofJson;
  if (!j || typeof j !== "object" || !Array.isArray(j.chain)) throw new TypeError("a certified header has header, chain and checkpoint");
  if (j.chain.length > MAX_CERTIFIED_CHAIN) throw new TypeError(`a chain of at most ${MAX_CERTIFIED_CHAIN} headers`);
  return { header: bytesFromJson(j.header, "header"), chain: j.chain.map((c, i) => bytesFromJson(c, `chain[${i}]`)), checkpoint: checkpointFromJson(j.checkpoint) };
}

/** Parses a checkpoint certificate's JSON form; throws TypeError on anything malformed. */
export function checkpointFromJson(json: unknown): CheckpointCertificate {
  const j = json as CertifiedHeaderProofJson["checkpoint"];
  if (!j || typeof j !== "object" || !Array.isArray(j.signatures)) throw new TypeError("malformed checkpoint");
  const epoch = j.epoch === undefined ? 0n : u64FromJson(j.epoch, "checkpoint.epoch");
  return {
    ...(epoch !== 0n ? { epoch } : {}),
    seq: u64FromJson(j.seq, "checkpoint.seq"),
    timestamp: u64FromJson(j.timestamp, "checkpoint.timestamp"),
    blockHash: bytesFromJson(j.blockHash, "checkpoint.blockHash"),
    signatures: j.signatures.map((s, i) => {
      if (!s || typeof s !== "object" || !Number.isInteger(s.replica)) throw new TypeError(`checkpoint.signatures[${i}] has replica and signature`);
      return { replica: s.replica, signature: bytesFromJson(s.signature, `checkpoint.signatures[${i}].signature`) };
    }),
  };
}

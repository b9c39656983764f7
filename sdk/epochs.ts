// The chain of validator sets from genesis (docs/governance.md §5, §9): how a light client learns
// the set of every epoch without trusting the node that serves it. Browser-safe and pure; never
// throws on malformed input: every failure is a listed problem.
//
// Validator-set epoch e+k begins after the switch seq E, the last seq of epoch e, where the set in
// ledger state (key v/set) says `switchAt = E`. The proof of that switch, an "epoch link", is:
//   1. the old set's (epoch e's) checkpoint certificate at E: a quorum of epoch e's validators'
//      CHECKPOINT signatures over (epochSigningChainId(chainId, e), E, time of E, hash of header E);
//   2. header E (encoded), whose hash that certificate certifies, so its state root is the old set's;
//   3. the ValidatorSet record of v/set with its state proof under that state root.
// The new set is what the record says (members in replica order); its epoch is the record's version
// (which may jump by more than one: several changes decided in one epoch switch together, §4), and
// its switchAt must be E. Each link is checked with the set proven before it, starting from the
// genesis set the caller pins, so a node can show another set only with a quorum of the previous
// set's signatures. Honest replicas of epoch e sign nothing above E (the signing horizon, §5), so no
// quorum of epoch e certifies a later block: certificates of an epoch are accepted for its seqs only.
import { equalBytes, fromHex, isHex, toHex } from "./bytes.js";
import { decode } from "./codec.js";
import type { Validator, VerifySignature } from "./commit.js";
import { nobleCrypto, sha256 } from "./crypto.js";
import {
  checkpointFromJson,
  checkpointToJson,
  validatorsOf,
  verifyCheckpointCertificate,
  type CertifiedHeaderProofJson,
  type CheckpointCertificate,
  type EpochValidators,
  type ValidatorSet,
  type ValidatorSetChain,
} from "./certified.js";
import type { Hash } from "./merkle.js";
import { stateProofFromJson, stateProofToJson, verifyStateProof, type StateProof, type StateProofJson } from "./proofs.js";
import type { BlockHeader } from "./types.js";

/** The state key of the validator set (node/ledger/governance.ts writes it under this very key). */
export const VALIDATOR_SET_STATE_KEY = "v/set";

/** The proof that validator-set epoch `epoch` began (proto EpochLinkMsg). */
export interface EpochLink {
  /** the new epoch: the version of the set the record holds */
  epoch: bigint;
  /** the previous epoch's checkpoint certificate at the switch seq E (`epoch` names the previous epoch) */
  checkpoint: CheckpointCertificate;
  /** the encoded BlockHeader of block E, whose SHA-256 the checkpoint certifies */
  header: Uint8Array;
  /** the encoded ValidatorSet record of key v/set in the state after block E */
  setRecord: Uint8Array;
  /** its state proof under header E's state root */
  proof: StateProof;
}

/** JSON form of an EpochLink (hex, decimal strings), as GET /v1/validator-sets serves it. */
export interface EpochLinkJson {
  epoch: string;
  checkpoint: CertifiedHeaderProofJson["checkpoint"];
  header: string;
  setRecord: string;
  proof: StateProofJson;
}

export type EpochLinkProblemCode =
  /** a link does not parse or decode */
  | "MALFORMED"
  /** header E is of another chain than the genesis set's */
  | "WRONG_CHAIN"
  /** a link's epoch or switch seq does not come after the one before it */
  | "OUT_OF_ORDER"
  /** the checkpoint certificate is not of the epoch before the link */
  | "WRONG_EPOCH"
  /** the checkpoint certificate lacks a quorum of valid signatures of the previous set */
  | "CHECKPOINT_INVALID"
  /** header E is not the header the checkpoint certifies (hash, height or time) */
  | "HEADER_MISMATCH"
  /** the record is not proven as v/set under header E's state root (another record, another value, forged siblings) */
  | "SET_NOT_PROVEN"
  /** the set's version is not the epoch the link names */
  | "VERSION_MISMATCH"
  /** the set does not switch at the checkpoint's seq (switchAt != E): the checkpoint is not the switch */
  | "NOT_THE_SWITCH"
  /** the proven set is unusable (no members, a key not 32 bytes) */
  | "SET_INVALID";

export interface EpochLinkProblem {
  code: EpochLinkProblemCode;
  message: string;
  /** index of the link in the list given */
  link: number;
}

export interface ValidatorSetsReport {
  ok: boolean;
  /**
   * The sets proven: the genesis set and one epoch per verified link. When a link fails, the chain
   * stops before it (every later link needs it); certificates of later epochs are then refused
   * (EPOCH_UNPROVEN), never accepted.
   */
  chain: ValidatorSetChain;
  problems: EpochLinkProblem[];
}

export function epochLinkToJson(l: EpochLink): EpochLinkJson {
  return { epoch: l.epoch.toString(), checkpoint: checkpointToJson(l.checkpoint), header: toHex(l.header), setRecord: toHex(l.setRecord), proof: stateProofToJson(l.proof) };
}

/** Parses the JSON form; throws TypeError on anything malformed. */
export function epochLinkFromJson(json: unknown): EpochLink {
  const j = json as EpochLinkJson;
  if (!j || typeof j !== "object") throw new TypeError("an epoch link is an object");
  if (typeof j.epoch !== "string" || !/^[1-9][0-9]{0,19}$/.test(j.epoch) || BigInt(j.epoch) >= 1n << 64n) throw new TypeError("epoch is a decimal u64 above 0");
  if (!isHex(j.header) || !isHex(j.setRecord)) throw new TypeError("header and setRecord are lower-case hex");
  return { epoch: BigInt(j.epoch), checkpoint: checkpointFromJson(j.checkpoint), header: fromHex(j.header), setRecord: fromHex(j.setRecord), proof: stateProofFromJson(j.proof) };
}

interface ValidatorSetRecordWire {
  members: { partyId: string; nodePublicKey: Uint8Array }[];
  version: bigint;
  switchAt: bigint;
}

/**
 * Verifies a chain of epoch links from the genesis set (validatorSetFromGenesis), each with the set
 * proven before it, and returns the set of every epoch with its seqs: what verifyHistory, verifyTx,
 * verifyPiece, verifyCertifiedHeader and the other verifiers take in place of the genesis set to
 * check certificates of any epoch. Links are in epoch order (as the node serves them). Never throws.
 */
export function verifyValidatorSets(
  genesis: ValidatorSet,
  links: readonly (EpochLink | EpochLinkJson)[],
  opts: { hash?: Hash; verify?: VerifySignature } = {},
): ValidatorSetsReport {
  const hash = opts.hash ?? sha256;
  const verify = opts.verify ?? nobleCrypto.verify;
  const chainId = typeof genesis?.chainId === "string" ? genesis.chainId : "";
  const epochs: EpochValidators[] = [];
  const report: ValidatorSetsReport = { ok: false, chain: { chainId, epochs }, problems: [] };
  const fail = (code: EpochLinkProblemCode, message: string, link = -1): ValidatorSetsReport => {
    report.problems.push({ code, message, link });
    return report;
  };
  const genesisValidators = validatorsOf(genesis);
  if (typeof genesisValidators === "string") return fail("MALFORMED", `the genesis set: ${genesisValidators}`);
  if ((genesis.epoch ?? 0n) !== 0n) return fail("MALFORMED", `the genesis set is of epoch 0, not ${genesis.epoch}`);
  if (!Array.isArray(links)) return fail("MALFORMED", "the links are a list");
  epochs.push({ epoch: 0n, baseSeq: 0n, validators: genesisValidators });

  for (const [i, raw] of links.entries()) {
    const prev = epochs[epochs.length - 1]!;
    let link: EpochLink;
    let header: BlockHeader;
    try {
      link = raw && typeof (raw as EpochLinkJson).header === "string" ? epochLinkFromJson(raw) : (raw as EpochLink);
      if (!link || typeof link !== "object" || typeof link.epoch !== "bigint" || !(link.header instanceof Uint8Array) || !(link.setRecord instanceof Uint8Array)) throw new TypeError("an epoch link has epoch, checkpoint, header, setRecord and proof");
      header = decode<BlockHeader>("BlockHeader", link.header);
    } catch (err) {
      return fail("MALFORMED", `link ${i}: ${(err as Error).message}`, i);
    }
    const cp = link.checkpoint;
    if (link.epoch <= prev.epoch) return fail("OUT_OF_ORDER", `link ${i} is of epoch ${link.epoch}, not after epoch ${prev.epoch}`, i);
    if (!cp || typeof cp !== "object" || typeof cp.seq !== "bigint") return fail("MALFORMED", `link ${i}: no checkpoint certificate`, i);
    if (cp.seq <= prev.baseSeq) return fail("OUT_OF_ORDER", `link ${i} switches at seq ${cp.seq}, not after epoch ${prev.epoch}'s base ${prev.baseSeq}`, i);
    if ((cp.epoch ?? 0n) !== prev.epoch) return fail("WRONG_EPOCH", `link ${i}: the switch's checkpoint is of epoch ${cp.epoch ?? 0n}, not of epoch ${prev.epoch}, the one before it`, i);
    const check = verifyCheckpointCertificate(cp, { chainId, validators: prev.validators, epoch: prev.epoch }, verify);
    if (!check.ok) return fail("CHECKPOINT_INVALID", `link ${i}: epoch ${prev.epoch}'s checkpoint at ${cp.seq}: ${check.reason}`, i);
    if (header.chainId !== chainId) return fail("WRONG_CHAIN", `link ${i}: header ${header.height} is of chain ${header.chainId}, not ${chainId}`, i);
    if (header.height !== cp.seq || header.time !== cp.timestamp || !equalBytes(hash(link.header), cp.blockHash)) {
      return fail("HEADER_MISMATCH", `link ${i}: the header served (height ${header.height}) is not the block the checkpoint at ${cp.seq} certifies`, i);
    }
    if (!verifyStateProof(header.stateRoot, VALIDATOR_SET_STATE_KEY, link.setRecord, link.proof, hash)) {
      return fail("SET_NOT_PROVEN", `link ${i}: the set record is not proven as ${VALIDATOR_SET_STATE_KEY} under the state root of block ${header.height}`, i);
    }
    let record: ValidatorSetRecordWire;
    try {
      record = decode<ValidatorSetRecordWire>("ValidatorSet", link.setRecord);
    } catch (err) {
      return fail("MALFORMED", `link ${i}: the proven set record does not decode (${(err as Error).message})`, i);
    }
    if (record.version !== link.epoch) return fail("VERSION_MISMATCH", `link ${i} names epoch ${link.epoch}; the set proven at ${cp.seq} is version ${record.version}`, i);
    if (record.switchAt !== cp.seq) return fail("NOT_THE_SWITCH", `link ${i}: the set proven at ${cp.seq} switches at ${record.switchAt}, so seq ${cp.seq} is not the end of epoch ${prev.epoch}`, i);
    const validators: Validator[] = [];
    for (const [k, m] of record.members.entries()) {
      if (!(m.nodePublicKey instanceof Uint8Array) || m.nodePublicKey.length !== 32) return fail("SET_INVALID", `link ${i}: member ${k} has no 32-byte node key`, i);
      validators.push({ id: m.partyId, publicKey: m.nodePublicKey });
    }
    if (validators.length === 0) return fail("SET_INVALID", `link ${i}: the set proven has no members`, i);
    prev.endSeq = cp.seq;
    epochs.push({ epoch: link.epoch, baseSeq: cp.seq, validators });
  }
  report.ok = true;
  return report;
}

// An auditor's evidence bundle (docs/explorer.md, "Evidence bundles"; docs/api.md §6 "Evidence
// bundles"): a list of rejected transactions with everything needed to prove them offline — for
// each, the transaction as GET /v1/txs/:hash serves it (verifyTx) and, when it aimed at a receivable,
// that receivable's full history with proofs (verifyHistory, which also proves no entry is left out)
// — signed by the party that compiled it. Browser-safe and pure; verifyEvidence never throws.
//
// Two formats:
//   tradeledger-evidence/v2 (what signEvidence writes) also carries the epoch links its certificates
//     need, from genesis to the newest validator-set epoch any of its certificates names (sdk/epochs.ts).
//     verifyEvidence proves the chain of sets from the genesis set itself and checks every part with
//     its epoch's set: the genesis file is all a reader needs, whatever sets came after it. The links
//     are under the compiler's signature like everything else, but they prove themselves: a compiler
//     cannot make a forged link pass by signing it.
//   tradeledger-evidence/v1 (bundles written before) carries no links: verified as before, with the
//     validators the reader gives (the genesis set, or a chain of sets the reader proved).
// A new version rather than an optional field: a v1 verifier would accept the signature over an added
// field and check the parts with the genesis set alone, so a good bundle of a chain whose set changed
// would fail there with EPOCH_UNPROVEN and no word of why; with v2 it says the format is not v1. And
// v2 makes `links` required, so a bundle that "carries no links" (malformed) and one that "needs
// none" ([]) differ.
import { fromHex, isHex, toHex, utf8 } from "./bytes.js";
import { decode } from "./codec.js";
import { nobleCrypto } from "./crypto.js";
import { canonicalJsonBytes } from "./hashing/canonical-json.js";
import type { Signer } from "./signer.js";
import { verifyValidatorSets, type EpochLinkJson, type EpochLinkProblemCode } from "./epochs.js";
import type { EpochValidators, ValidatorSet, ValidatorSetChain } from "./certified.js";
import { verifyHistory, verifyTx, type TrustedValidators, type VerificationProblemCode } from "./verify.js";
import type { BlockHeader } from "./types.js";
import type { HistoryPageJson } from "./api/routes.js";
import type { TxEntryJson, TxJson } from "./api/schemas.js";

export const EVIDENCE_FORMAT = "tradeledger-evidence/v2" as const;
/** The format before the bundles carried epoch links: still verified, no longer written. */
export const EVIDENCE_FORMAT_V1 = "tradeledger-evidence/v1" as const;
export type EvidenceFormat = typeof EVIDENCE_FORMAT | typeof EVIDENCE_FORMAT_V1;
/** Prefixed to the canonical JSON (RFC 8785) of the bundle without its signature, then signed (v2). */
export const EVIDENCE_SIGNING_DOMAIN = "tradeledger-evidence/v2\n";
/** ... and for v1 bundles. */
export const EVIDENCE_SIGNING_DOMAIN_V1 = "tradeledger-evidence/v1\n";

interface EvidenceContent {
  chainId: string;
  /** the party that compiled and signed the bundle, and its public key (hex) */
  compiledBy: string;
  publicKey: string;
  /** ISO 8601, the compiler's clock: a claim, not a proof (heights are the proof of time) */
  compiledAt: string;
  /** the query the rejections were listed with, e.g. { code: "DOUBLE_FINANCING" } */
  query: Record<string, string>;
  rejections: TxEntryJson[];
  /** every rejected transaction with its proofs */
  transactions: TxJson[];
  /** the full history with proofs of each receivable a rejection aimed at */
  histories: HistoryPageJson[];
  /** ed25519 by `publicKey` over the format's signing domain + canonical JSON of the rest (hex) */
  signature: string;
}

/** A tradeledger-evidence/v2 bundle. */
export interface EvidenceBundle extends EvidenceContent {
  format: typeof EVIDENCE_FORMAT;
  /**
   * The epoch links (as GET /v1/validator-sets serves them, in epoch order) from genesis to the
   * newest epoch any certificate in the bundle names; [] when every certificate is the genesis set's.
   */
  links: EpochLinkJson[];
}

/** A tradeledger-evidence/v1 bundle: no links. */
export interface EvidenceBundleV1 extends EvidenceContent {
  format: typeof EVIDENCE_FORMAT_V1;
}

export type UnsignedEvidence = Omit<EvidenceBundle, "signature" | "format" | "publicKey"> & { format?: typeof EVIDENCE_FORMAT };

export function evidenceSigningBytes(bundle: Omit<EvidenceBundle, "signature"> | Omit<EvidenceBundleV1, "signature">): Uint8Array {
  const body = canonicalJsonBytes(bundle);
  const domain = utf8(bundle.format === EVIDENCE_FORMAT_V1 ? EVIDENCE_SIGNING_DOMAIN_V1 : EVIDENCE_SIGNING_DOMAIN);
  const out = new Uint8Array(domain.length + body.length);
  out.set(domain, 0);
  out.set(body, domain.length);
  return out;
}

/** Signs a compiled bundle as `signer` (who must be `compiledBy`), in the v2 format. */
export async function signEvidence(signer: Signer, unsigned: UnsignedEvidence): Promise<EvidenceBundle> {
  if (unsigned.compiledBy !== signer.partyId) throw new TypeError(`the bundle is compiled by ${unsigned.compiledBy}, not ${signer.partyId}`);
  if (!Array.isArray(unsigned.links)) throw new TypeError("a bundle carries its epoch links (evidenceLinks; [] when it needs none)");
  // a bundle passed back in (to re-sign) brings its old signature and key: never part of what is signed
  const { signature: _signature, publicKey: _publicKey, ...rest } = unsigned as UnsignedEvidence & { signature?: unknown; publicKey?: unknown };
  const body: Omit<EvidenceBundle, "signature"> = { ...rest, format: EVIDENCE_FORMAT, publicKey: toHex(signer.publicKey) };
  const signature = await signer.sign(evidenceSigningBytes(body));
  return { ...body, signature: toHex(signature) };
}

/**
 * The validator-set epochs the certificates in `parts` name (commit certificates and checkpoint
 * certificates, at any depth: a transaction's block, its certified header, the signer keys' proofs,
 * every history entry's), ascending. An absent `epoch` is 0. What is malformed is skipped: the
 * verifiers report it.
 */
export function epochsNamed(parts: { transactions?: readonly unknown[]; histories?: readonly unknown[] }): bigint[] {
  const seen = new Set<bigint>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 64 || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.commits) || Array.isArray(o.signatures)) {
      if (o.epoch === undefined) seen.add(0n);
      else if (typeof o.epoch === "string" && /^[0-9]{1,20}$/.test(o.epoch)) seen.add(BigInt(o.epoch));
    }
    for (const x of Object.values(o)) walk(x, depth + 1);
  };
  walk(parts.transactions, 0);
  walk(parts.histories, 0);
  return [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The links a bundle of these parts needs, out of the chain the compiler proved (in epoch order, as
 * GET /v1/validator-sets serves them and verifyValidatorSets checked them): from genesis up to the
 * link that begins the newest epoch its certificates name. If the links given stop short of it, all
 * of them (the bundle will then not verify: LINK_MISSING — the compiler's check before signing says so).
 */
export function evidenceLinks(parts: { transactions: readonly TxJson[]; histories: readonly HistoryPageJson[] }, links: readonly EpochLinkJson[]): EpochLinkJson[] {
  const named = epochsNamed(parts);
  const newest = named[named.length - 1] ?? 0n;
  if (newest === 0n) return [];
  const at = links.findIndex((l) => /^[0-9]{1,20}$/.test(l.epoch) && BigInt(l.epoch) >= newest);
  return at < 0 ? [...links] : links.slice(0, at + 1);
}

export type EvidenceProblemCode =
  /** not a bundle of a format this verifier knows */
  | "UNKNOWN_FORMAT"
  /** the bundle's structure is not a bundle's (a v2 bundle without its links, a list that is not one, ...) */
  | "MALFORMED"
  /** the bundle (or one of its links) is of another chain than the validators given */
  | "WRONG_CHAIN"
  /** the compiler's signature does not verify over the content (something was changed after signing) */
  | "BAD_SIGNATURE"
  /** the bundle is signed with another key than the one the reader gave for its compiler */
  | "NOT_COMPILER_KEY"
  /** an epoch link does not verify from the genesis set (`cause`: verifyValidatorSets' code) */
  | "LINK_INVALID"
  /** a certificate names an epoch the bundle's links do not reach, or a link is left out between two */
  | "LINK_MISSING"
  /** a transaction does not verify (`cause`: verifyTx's first code) */
  | "TX_UNVERIFIED"
  /** a history does not verify (`cause`: verifyHistory's first code) */
  | "HISTORY_UNVERIFIED"
  /** a listed rejection has no verified transaction in the bundle */
  | "REJECTION_UNPROVEN"
  /** a listed rejection says another code, target or height than its certified receipt */
  | "REJECTION_MISMATCH";

export interface EvidenceProblem {
  code: EvidenceProblemCode;
  /** the inner verifier's code, for LINK_INVALID (verifyValidatorSets) and TX_ / HISTORY_UNVERIFIED (verifyTx, verifyHistory) */
  cause?: EpochLinkProblemCode | VerificationProblemCode;
  message: string;
  /** the link (index in `links`), transaction or receivable the problem is about */
  link?: number;
  txHash?: string;
  receivableId?: string;
}

export interface EvidenceCheck {
  ok: boolean;
  problems: EvidenceProblem[];
  /** rejections each proven by a verified transaction whose certified receipt is that rejection */
  proven: number;
  histories: number;
  /** validator-set epochs proven and used (1: the genesis set alone) */
  epochs: number;
}

/**
 * Checks a bundle offline: the compiler's signature, then every transaction with verifyTx, every
 * history with verifyHistory, and that each listed rejection is one of those verified transactions
 * with the same code, target and height. `compilerKey` (hex), when given, must be the key the bundle
 * names (the signature alone proves only that the named key signed it).
 *
 * A v2 bundle: `validators` is the genesis set (validatorSetFromGenesis; of a chain of sets, its
 * epoch 0 is taken and the rest ignored): the chain of sets is proven from it with the bundle's own
 * links, and every part is checked with the set of its epoch. A v1 bundle: checked with `validators`
 * as given, as before (the genesis set, or a chain the reader proved). Never throws.
 */
export function verifyEvidence(bundle: EvidenceBundle | EvidenceBundleV1, validators: TrustedValidators, opts: { compilerKey?: string } = {}): EvidenceCheck {
  const problems: EvidenceProblem[] = [];
  let epochs = 1;
  const out = (proven: number, histories: number): EvidenceCheck => ({ ok: problems.length === 0, problems, proven, histories, epochs });
  try {
    const format = bundle?.format;
    if (format !== EVIDENCE_FORMAT && format !== EVIDENCE_FORMAT_V1) {
      const said: unknown = (bundle as { format?: unknown } | null)?.format;
      problems.push({ code: "UNKNOWN_FORMAT", message: `not a ${EVIDENCE_FORMAT} (or ${EVIDENCE_FORMAT_V1}) bundle: ${typeof said === "string" ? `format ${said.slice(0, 64)}` : "no format"}` });
      return out(0, 0);
    }
    if (!Array.isArray(bundle.transactions) || !Array.isArray(bundle.histories) || !Array.isArray(bundle.rejections)) {
      problems.push({ code: "MALFORMED", message: "rejections, transactions and histories are lists" });
      return out(0, 0);
    }
    if (bundle.chainId !== validators.chainId) problems.push({ code: "WRONG_CHAIN", message: `the bundle is of chain ${bundle.chainId}, the validators of ${validators.chainId}` });
    if (!isHex(bundle.publicKey, 32) || !isHex(bundle.signature, 64)) problems.push({ code: "MALFORMED", message: "malformed public key or signature" });
    else {
      const { signature, ...body } = bundle;
      if (!nobleCrypto.verify(fromHex(bundle.publicKey), evidenceSigningBytes(body), fromHex(signature))) {
        problems.push({ code: "BAD_SIGNATURE", message: `the signature is not ${bundle.compiledBy}'s over this content` });
      }
    }
    if (opts.compilerKey !== undefined && opts.compilerKey !== bundle.publicKey) problems.push({ code: "NOT_COMPILER_KEY", message: `the bundle is signed with ${bundle.publicKey}, not the key given for ${bundle.compiledBy}` });

    let trusted: TrustedValidators = validators;
    let provenThrough: bigint | undefined;
    if (format === EVIDENCE_FORMAT) {
      const chain = bundleChain(bundle as EvidenceBundle, validators, problems);
      if (!chain) return out(0, 0);
      trusted = chain;
      epochs = chain.epochs.length;
      provenThrough = chain.epochs[chain.epochs.length - 1]!.epoch;
    } else {
      epochs = Array.isArray((validators as ValidatorSetChain).epochs) ? (validators as ValidatorSetChain).epochs.length : 1;
    }

    const verifiedTx = new Map<string, TxJson>();
    const partProblems: EvidenceProblem[] = [];
    let unproven = false;
    for (const t of bundle.transactions) {
      const r = verifyTx(t, trusted);
      if (r.ok) verifiedTx.set(t.txHash, t);
      else {
        unproven ||= r.problems.some((p) => p.code === "EPOCH_UNPROVEN");
        partProblems.push({ code: "TX_UNVERIFIED", cause: r.problems[0]!.code, txHash: t.txHash, message: `transaction ${t.txHash}: ${r.problems.map((p) => `${p.code} ${p.message}`).join("; ")}` });
      }
    }
    for (const h of bundle.histories) {
      const r = verifyHistory(h, trusted);
      if (!r.ok) {
        unproven ||= r.problems.some((p) => p.code === "EPOCH_UNPROVEN");
        partProblems.push({
          code: "HISTORY_UNVERIFIED",
          cause: r.problems[0]!.code,
          receivableId: h.receivableId,
          message: `history of ${h.receivableId}: ${r.problems.map((p) => `${p.code}${p.entry !== undefined ? ` (entry ${p.entry})` : ""} ${p.message}`).join("; ")}`,
        });
      }
    }
    // the root cause first: the parts of an epoch the links do not reach fail for want of a link
    if (provenThrough !== undefined && unproven && !problems.some((p) => p.code === "LINK_INVALID" || p.code === "LINK_MISSING")) {
      const named = epochsNamed(bundle).filter((e) => e > provenThrough!);
      problems.push({
        code: "LINK_MISSING",
        message: `the bundle's certificates name epoch ${named.join(", ") || "(unreadable)"}, but its links prove the sets only up to epoch ${provenThrough}: the link${named.length > 1 ? "s" : ""} for ${named.length > 1 ? "them are" : "it is"} missing`,
      });
    }
    problems.push(...partProblems);

    let proven = 0;
    for (const rej of bundle.rejections) {
      const t = verifiedTx.get(rej.txHash);
      if (!t) problems.push({ code: "REJECTION_UNPROVEN", txHash: rej.txHash, message: `rejection ${rej.txHash} has no verified transaction in the bundle` });
      else if (t.receipt.code !== rej.code || t.receipt.target !== rej.target || t.height !== rej.height) {
        problems.push({ code: "REJECTION_MISMATCH", txHash: rej.txHash, message: `rejection ${rej.txHash} is listed as ${rej.code} at ${rej.height}, its certified receipt says ${t.receipt.code} at ${t.height}` });
      } else proven++;
    }
    return out(proven, bundle.histories.length);
  } catch (err) {
    problems.push({ code: "MALFORMED", message: `malformed bundle: ${(err as Error).message}` });
    return out(0, 0);
  }
}

/**
 * The chain of sets a v2 bundle's links prove from the genesis set (pushing what fails), or null
 * when there is nothing to verify with. A failing link stops the chain before it: the parts of the
 * epochs before it are still checked (and pass), the later ones fail EPOCH_UNPROVEN.
 */
function bundleChain(bundle: EvidenceBundle, validators: TrustedValidators, problems: EvidenceProblem[]): ValidatorSetChain | null {
  const genesis = genesisOf(validators);
  if (typeof genesis === "string") {
    problems.push({ code: "MALFORMED", message: genesis });
    return null;
  }
  if (!Array.isArray(bundle.links)) {
    problems.push({ code: "MALFORMED", message: `a ${EVIDENCE_FORMAT} bundle carries its epoch links (a list, [] when it needs none); this one has none` });
    return verifyValidatorSets(genesis, []).chain;
  }
  // a link of another network is named so, before its certificate is (its signatures are another chain's)
  for (const [i, l] of bundle.links.entries()) {
    const chainId = headerChainId(l);
    if (chainId !== undefined && chainId !== genesis.chainId) {
      problems.push({ code: "LINK_INVALID", cause: "WRONG_CHAIN", link: i, message: `link ${i} (for epoch ${String(l?.epoch)}) is of chain ${chainId}, not ${genesis.chainId}: it proves nothing of this chain` });
      return verifyValidatorSets(genesis, bundle.links.slice(0, i)).chain;
    }
  }
  const report = verifyValidatorSets(genesis, bundle.links);
  const p = report.problems[0];
  if (p) {
    const proven = report.chain.epochs[report.chain.epochs.length - 1];
    const signedBy = p.link >= 0 ? checkpointEpoch(bundle.links[p.link]) : undefined;
    // a link signed by a later epoch than the last one proven: the link(s) between are left out
    if (p.code === "WRONG_EPOCH" && proven && signedBy !== undefined && signedBy > proven.epoch) {
      problems.push({ code: "LINK_MISSING", cause: p.code, link: p.link, message: `link ${p.link} is signed by epoch ${signedBy}, but the links before it prove the sets only up to epoch ${proven.epoch}: the link for epoch ${proven.epoch + 1n} is missing` });
    } else problems.push({ code: "LINK_INVALID", cause: p.code, link: p.link, message: p.message });
  }
  return report.chain;
}

/** The genesis set to prove the links from: the set given, or epoch 0 of a chain given. */
function genesisOf(validators: TrustedValidators): ValidatorSet | string {
  const epochs = (validators as ValidatorSetChain | undefined)?.epochs;
  if (Array.isArray(epochs)) {
    const first: EpochValidators | undefined = epochs[0];
    if (!first || first.epoch !== 0n) return "a v2 bundle is verified from the genesis set (epoch 0): the chain given does not start with it";
    return { chainId: validators.chainId, validators: first.validators };
  }
  const set = validators as ValidatorSet;
  if ((set?.epoch ?? 0n) !== 0n) return `a v2 bundle is verified from the genesis set (epoch 0), not from epoch ${set.epoch}'s`;
  return set;
}

function headerChainId(link: unknown): string | undefined {
  try {
    const h = (link as { header?: unknown })?.header;
    return typeof h === "string" && isHex(h) ? decode<BlockHeader>("BlockHeader", fromHex(h)).chainId : undefined;
  } catch {
    return undefined;
  }
}

function checkpointEpoch(link: unknown): bigint | undefined {
  const cp = (link as { checkpoint?: { epoch?: unknown } } | undefined)?.checkpoint;
  if (!cp || typeof cp !== "object") return undefined;
  if (cp.epoch === undefined) return 0n;
  return typeof cp.epoch === "string" && /^[0-9]{1,20}$/.test(cp.epoch) ? BigInt(cp.epoch) : undefined;
}

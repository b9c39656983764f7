// An auditor's evidence bundle (docs/explorer.md, "Evidence bundles"): a list of rejected
// transactions with everything needed to prove them offline — for each, the transaction as
// GET /v1/txs/:hash serves it (verifyTx) and, when it aimed at a receivable, that receivable's full
// history with proofs (verifyHistory, which also proves no entry is left out) — signed by the party
// that compiled it. Anyone holding the validator set (the genesis file) checks it without a node.
// Browser-safe and pure; verifyEvidence never throws.
import { fromHex, isHex, toHex, utf8 } from "./bytes.js";
import { nobleCrypto } from "./crypto.js";
import { canonicalJsonBytes } from "./hashing/canonical-json.js";
import type { Signer } from "./signer.js";
import { verifyHistory, verifyTx, type TrustedValidators } from "./verify.js";
import type { HistoryPageJson } from "./api/routes.js";
import type { TxEntryJson, TxJson } from "./api/schemas.js";

export const EVIDENCE_FORMAT = "tradeledger-evidence/v1" as const;
/** Prefixed to the canonical JSON (RFC 8785) of the bundle without its signature, then signed. */
export const EVIDENCE_SIGNING_DOMAIN = "tradeledger-evidence/v1\n";

export interface EvidenceBundle {
  format: typeof EVIDENCE_FORMAT;
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
  /** ed25519 by `publicKey` over EVIDENCE_SIGNING_DOMAIN + canonical JSON of the rest (hex) */
  signature: string;
}

export type UnsignedEvidence = Omit<EvidenceBundle, "signature" | "format" | "publicKey"> & { format?: typeof EVIDENCE_FORMAT };

export function evidenceSigningBytes(bundle: Omit<EvidenceBundle, "signature">): Uint8Array {
  const body = canonicalJsonBytes(bundle);
  const domain = utf8(EVIDENCE_SIGNING_DOMAIN);
  const out = new Uint8Array(domain.length + body.length);
  out.set(domain, 0);
  out.set(body, domain.length);
  return out;
}

/** Signs a compiled bundle as `signer` (who must be `compiledBy`). */
export async function signEvidence(signer: Signer, unsigned: UnsignedEvidence): Promise<EvidenceBundle> {
  if (unsigned.compiledBy !== signer.partyId) throw new TypeError(`the bundle is compiled by ${unsigned.compiledBy}, not ${signer.partyId}`);
  // a bundle passed back in (to re-sign) brings its old signature and key: never part of what is signed
  const { signature: _signature, publicKey: _publicKey, ...rest } = unsigned as UnsignedEvidence & { signature?: unknown; publicKey?: unknown };
  const body: Omit<EvidenceBundle, "signature"> = { ...rest, format: EVIDENCE_FORMAT, publicKey: toHex(signer.publicKey) };
  const signature = await signer.sign(evidenceSigningBytes(body));
  return { ...body, signature: toHex(signature) };
}

export interface EvidenceCheck {
  ok: boolean;
  /** what failed, in words */
  problems: string[];
  /** rejections each proven by a verified transaction whose certified receipt is that rejection */
  proven: number;
  histories: number;
}

/**
 * Checks a bundle offline against the validator set: the compiler's signature, every transaction
 * with verifyTx, every history with verifyHistory, and that each listed rejection is one of those
 * verified transactions with the same code and target. `compilerKey` (hex), when given, must be the
 * key the bundle names (the signature alone proves only that the named key signed it).
 */
export function verifyEvidence(bundle: EvidenceBundle, validators: TrustedValidators, opts: { compilerKey?: string } = {}): EvidenceCheck {
  const problems: string[] = [];
  const out = (proven: number, histories: number): EvidenceCheck => ({ ok: problems.length === 0, problems, proven, histories });
  try {
    if (bundle?.format !== EVIDENCE_FORMAT) return (problems.push(`not a ${EVIDENCE_FORMAT} bundle`), out(0, 0));
    if (bundle.chainId !== validators.chainId) problems.push(`the bundle is of chain ${bundle.chainId}, the validators of ${validators.chainId}`);
    if (!isHex(bundle.publicKey, 32) || !isHex(bundle.signature, 64)) problems.push("malformed public key or signature");
    else {
      const { signature, ...body } = bundle;
      if (!nobleCrypto.verify(fromHex(bundle.publicKey), evidenceSigningBytes(body), fromHex(signature))) problems.push(`the signature is not ${bundle.compiledBy}'s over this content`);
    }
    if (opts.compilerKey !== undefined && opts.compilerKey !== bundle.publicKey) problems.push(`the bundle is signed with ${bundle.publicKey}, not the key given for ${bundle.compiledBy}`);
    const verifiedTx = new Map<string, TxJson>();
    for (const t of bundle.transactions) {
      const r = verifyTx(t, validators);
      if (r.ok) verifiedTx.set(t.txHash, t);
      else problems.push(`transaction ${t.txHash}: ${r.problems.map((p) => `${p.code} ${p.message}`).join("; ")}`);
    }
    for (const h of bundle.histories) {
      const r = verifyHistory(h, validators);
      if (!r.ok) problems.push(`history of ${h.receivableId}: ${r.problems.map((p) => `${p.code}${p.entry !== undefined ? ` (entry ${p.entry})` : ""} ${p.message}`).join("; ")}`);
    }
    let proven = 0;
    for (const rej of bundle.rejections) {
      const t = verifiedTx.get(rej.txHash);
      if (!t) problems.push(`rejection ${rej.txHash} has no verified transaction in the bundle`);
      else if (t.receipt.code !== rej.code || t.receipt.target !== rej.target || t.height !== rej.height) problems.push(`rejection ${rej.txHash} is listed as ${rej.code} at ${rej.height}, its certified receipt says ${t.receipt.code} at ${t.height}`);
      else proven++;
    }
    return out(proven, bundle.histories.length);
  } catch (err) {
    problems.push(`malformed bundle: ${(err as Error).message}`);
    return out(0, 0);
  }
}

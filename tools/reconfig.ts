// The pieces of a validator-set change on a live multi-process devnet (docs/governance.md §4–§7),
// for test/validator-reconfig-devnet.test.ts: deciding a change by the validators' parties, the
// sets of each epoch as the ledger reports them, where each switch happens, and the final audit of
// every node's chain against those sets — every block the same on every node, every commit
// certificate verifying against the set of its epoch, every acknowledged transaction in place.
// Everything is observed through the nodes' HTTP API, as a client would.
import { fromHex, toHex } from "../sdk/bytes.js";
import { decode } from "../sdk/codec.js";
import { batchDigest, faultTolerance, quorumSize, verifyCommitCertificate, type Validator } from "../sdk/commit.js";
import { sha256 } from "../sdk/crypto.js";
import { certificateFromJson } from "../sdk/json.js";
import { createClient, type CommittedTx, type TradeLedgerClient } from "../sdk/client.js";
import { tx } from "../sdk/builders.js";
import type { Signer } from "../sdk/signer.js";
import type { BlockHeader } from "../sdk/types.js";
import type { BlockJson } from "../sdk/api/schemas.js";
import { epochEndFor } from "../consensus/replica.js";
import { nodeCrypto } from "../node/crypto.js";
import { sleep } from "./cluster.js";
import type { Acked } from "./chaos/load.js";

/** One member of a validator set, in replica order. */
export interface SetMember {
  partyId: string;
  nodePublicKey: string;
}

/** An epoch: the set the ledger decided (its version is the epoch number) and where it starts. */
export interface Epoch {
  version: bigint;
  members: SetMember[];
  /** the last block of the previous epoch (0 for the genesis set): the epoch orders blocks above it */
  base: bigint;
}

/** A change as its deciding receipt shows it. */
export interface Decided {
  proposalId: string;
  change: "ADD" | "REMOVE";
  partyId: string;
  nodePublicKey: string;
  /** the block whose approval decided it */
  decidedAt: bigint;
  /** the set's version after it (the `validatorSetChanged` event): the epoch that runs it */
  version: bigint;
}

/** A decided change with the set it leaves and where consensus switches to it. */
export interface Decision extends Decided {
  /** the set after it, in replica order: the previous one with the added validator last, or without the removed one */
  members: SetMember[];
  /** where consensus switches to it (docs/governance.md §4: the pending switch, else epochEndFor) */
  switchAt: bigint;
}

/**
 * The epochs of one chain as its changes are decided: the genesis set, then for each decision the
 * set it leaves and its switch point, computed by the ledger's rules (docs/governance.md §4) from the
 * deciding block — what the nodes are then checked against.
 */
export class EpochBook {
  readonly epochs: Epoch[] = [];
  readonly decisions: Decision[] = [];
  private pendingSwitch = 0n;

  constructor(
    genesisSet: SetMember[],
    readonly checkpointInterval: number,
    readonly watermarkWindow: number,
  ) {
    this.epochs.push({ version: 0n, members: genesisSet, base: 0n });
  }

  /** The set in state after the last recorded decision. */
  get members(): SetMember[] {
    return this.decisions.at(-1)?.members ?? this.epochs[0]!.members;
  }

  /**
   * Records decided changes, in chain order (by version): each one's set, and its switch point —
   * the pending switch if a previous decision's is still ahead, else epochEndFor(decidedAt). Several
   * decided in one epoch switch together: the epoch that starts there runs the last one's set.
   */
  record(...decided: Decided[]): Decision[] {
    return [...decided]
      .sort((a, b) => (a.version < b.version ? -1 : 1))
      .map((c) => {
        if (c.version !== BigInt(this.decisions.length + 1)) throw new Error(`decision of version ${c.version} recorded after version ${this.decisions.length}`);
        const before = this.members;
        const members = c.change === "ADD" ? [...before, { partyId: c.partyId, nodePublicKey: c.nodePublicKey }] : before.filter((m) => m.nodePublicKey !== c.nodePublicKey);
        const switchAt = this.pendingSwitch >= c.decidedAt ? this.pendingSwitch : epochEndFor(c.decidedAt, this.checkpointInterval, this.watermarkWindow);
        this.pendingSwitch = switchAt;
        const d: Decision = { ...c, members, switchAt };
        this.decisions.push(d);
        const last = this.epochs.at(-1)!;
        if (last.base === switchAt) this.epochs[this.epochs.length - 1] = { version: d.version, members, base: switchAt };
        else this.epochs.push({ version: d.version, members, base: switchAt });
        return d;
      });
  }

  /** The epoch that ordered block h. */
  epochOf(h: bigint): Epoch {
    let e = this.epochs[0]!;
    for (const x of this.epochs) if (x.base < h) e = x;
    return e;
  }

  byVersion(v: bigint): Epoch | undefined {
    return this.epochs.find((e) => e.version === v);
  }
}

export function validatorsOf(members: SetMember[]): Validator[] {
  return members.map((m) => ({ id: m.partyId, publicKey: fromHex(m.nodePublicKey) }));
}

/** n, f and the commit quorum of a set, for the log. */
export function describeSet(members: SetMember[]): string {
  const n = members.length;
  return `n = ${n}, f = ${faultTolerance(n)}, commit quorum ${quorumSize(n)}, approvals 2f + 1 = ${2 * faultTolerance(n) + 1} (${members.map((m) => m.partyId).join(", ")})`;
}

/** The set in state as GET /v1/governance shows it, at or above `minHeight`. */
export async function setInState(client: TradeLedgerClient, minHeight: bigint): Promise<{ version: bigint; members: SetMember[] }> {
  const g = (await client.getGovernance({ minHeight })).governance;
  return { version: BigInt(g.version), members: g.validators.map((v) => ({ partyId: v.partyId, nodePublicKey: v.nodePublicKey })) };
}

/**
 * Decides one change through the SDK: `proposer` proposes (unless `proposalId` names one already
 * made), then `approvers` approve one by one until a receipt carries `validatorSetChanged` (each
 * party signs with its own key, submitted to the node `clientFor` picks). Throws if the approvers run
 * out before it is decided.
 */
export async function decideChange(opts: {
  change: "ADD" | "REMOVE";
  partyId: string;
  nodePublicKey: string;
  proposer: string;
  approvers: string[];
  signer: (party: string) => Signer;
  clientFor: (party: string) => TradeLedgerClient;
}): Promise<Decided> {
  const proposed = await submitOk(opts.clientFor(opts.proposer), tx.proposeValidatorChange({ change: opts.change, nodePublicKey: opts.nodePublicKey, partyId: opts.partyId }), opts.signer(opts.proposer));
  const proposalId = proposed.txHash;
  for (const party of opts.approvers) {
    const done = await submitOk(opts.clientFor(party), tx.approveValidatorChange({ proposalId }), opts.signer(party));
    const changed = done.receipt.events.find((e) => e.type === "validatorSetChanged") as { version?: string } | undefined;
    if (changed) return { proposalId, change: opts.change, partyId: opts.partyId, nodePublicKey: opts.nodePublicKey, decidedAt: BigInt(done.height), version: BigInt(changed.version!) };
  }
  throw new Error(`${opts.change} ${opts.partyId}: not decided after the approvals of ${opts.approvers.join(", ")}`);
}

async function submitOk(client: TradeLedgerClient, payload: Parameters<TradeLedgerClient["submit"]>[0], signer: Signer): Promise<CommittedTx> {
  const done = await client.submit(payload, signer, { wait: "commit", timeoutMs: 60_000 });
  if (!done.ok) throw new Error(`${payload.type} by ${signer.partyId}: ${done.code}`);
  return done;
}

/** Polls `what` every 200 ms until it returns a value (not undefined/false) or the time is up. */
export async function until<T>(what: () => Promise<T | undefined | false>, ms: number): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await what().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) return undefined;
    await sleep(200);
  }
}

/** A node to audit: its name, its URL, and whether it must hold the whole chain (else a prefix). */
export interface AuditedNode {
  id: string;
  url: string;
  /** false for a node removed from the set: it stops at some height; what it holds must be the chain's prefix */
  final: boolean;
}

export interface AuditResult {
  /** the height every final node reached, same head */
  height: bigint;
  /** per node: the height audited */
  heights: Map<string, bigint>;
  divergent: string[];
  /** certificates that did not verify against their epoch's set, or named the wrong epoch */
  badCertificates: string[];
  /** per epoch version: which validators' commit signatures appear in its blocks' certificates (any node's) */
  signersByEpoch: Map<bigint, Set<string>>;
  /** per epoch version: its first and last block as ordered on the chain */
  blocksByEpoch: Map<bigint, { first: bigint; last: bigint; count: number }>;
  acknowledged: number;
  /** acknowledged transactions found with their acknowledged code, on every node that must hold them */
  found: number;
  lost: string[];
  blocksCompared: number;
  certificatesVerified: number;
}

/** Runs fn over items, at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function getJson<T>(url: string): Promise<T | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
      if (res.status === 404) return undefined;
      if (res.ok) return (await res.json()) as T;
      if (attempt >= 4) throw new Error(`GET ${url}: ${res.status}`);
    } catch (err) {
      if (attempt >= 4) throw err;
    }
    await sleep(250);
  }
}

/**
 * The final audit, through each node's API: every block of every node (1 up to its head) equal to
 * the reference node's, the reference chain linked by prevHash, every block's commit certificate (as
 * each node serves it: nodes keep the quorum they saw) verifying against the set of the epoch that
 * ordered it and naming that epoch, and every acknowledged transaction in its block with its code
 * on every final node (and on a removed node if it holds that height).
 */
export async function auditChain(opts: { chainId: string; nodes: AuditedNode[]; book: EpochBook; acked: readonly Acked[]; auditor: Signer }): Promise<AuditResult> {
  const heads = new Map<string, bigint>();
  for (const n of opts.nodes) {
    const s = await getJson<{ height: string }>(`${n.url}/v1/status`);
    if (!s) throw new Error(`${n.id} does not answer`);
    heads.set(n.id, BigInt(s.height));
  }
  const height = opts.nodes.filter((n) => n.final).reduce((m, n) => (heads.get(n.id)! > m ? heads.get(n.id)! : m), 0n);
  const ref = new Map<bigint, BlockJson>();
  const r: AuditResult = { height, heights: heads, divergent: [], badCertificates: [], signersByEpoch: new Map(), blocksByEpoch: new Map(), acknowledged: opts.acked.length, found: 0, lost: [], blocksCompared: 0, certificatesVerified: 0 };
  const validators = new Map(opts.book.epochs.map((e) => [e.version, validatorsOf(e.members)]));

  for (const n of opts.nodes) {
    const top = heads.get(n.id)!;
    if (n.final && top !== height) r.divergent.push(`${n.id}: head ${top}, the others ${height}`);
    const heights: bigint[] = [];
    for (let h = 1n; h <= top; h++) heights.push(h);
    await pool(heights, 12, async (h) => {
      const b = await getJson<BlockJson>(`${n.url}/v1/blocks/${h}`);
      if (!b) {
        r.divergent.push(`${n.id}: no block ${h} (head ${top})`);
        return;
      }
      r.blocksCompared++;
      const known = ref.get(h);
      if (!known) ref.set(h, b);
      else if (known.hash !== b.hash) r.divergent.push(`${n.id}: block ${h} is ${b.hash}, another node's ${known.hash}`);
      checkCertificate(n.id, b, h);
    });
  }
  for (let h = 2n; h <= height; h++) {
    const cur = ref.get(h);
    const prev = ref.get(h - 1n);
    if (cur && prev && cur.header.prevHash !== prev.hash) r.divergent.push(`block ${h}'s prevHash ${cur.header.prevHash} is not block ${h - 1n}'s hash ${prev.hash}`);
  }
  for (let h = 1n; h <= height; h++) {
    const e = opts.book.epochOf(h);
    const span = r.blocksByEpoch.get(e.version);
    if (!span) r.blocksByEpoch.set(e.version, { first: h, last: h, count: 1 });
    else {
      span.last = h;
      span.count++;
    }
  }

  function checkCertificate(node: string, b: BlockJson, h: bigint): void {
    const where = `${node} block ${h}`;
    try {
      const headerBytes = fromHex(b.headerBytes);
      if (toHex(sha256(headerBytes)) !== b.hash) return void r.badCertificates.push(`${where}: header bytes do not hash to the block hash`);
      const header = decode<BlockHeader>("BlockHeader", headerBytes);
      if (!b.certificate) return void r.badCertificates.push(`${where}: no commit certificate`);
      const cert = certificateFromJson(b.certificate);
      const epoch = opts.book.epochOf(h);
      const set = validators.get(epoch.version)!;
      const digest = batchDigest(sha256, { chainId: header.chainId, height: header.height, time: header.time, txsRoot: header.txsRoot });
      const check = verifyCommitCertificate(cert, set, nodeCrypto.verify, { chainId: opts.chainId, seq: h, digest, epoch: epoch.version });
      if (!check.ok) return void r.badCertificates.push(`${where} (epoch ${epoch.version} expected, certificate names ${cert.epoch ?? 0n}): ${check.reason}`);
      r.certificatesVerified++;
      let signers = r.signersByEpoch.get(epoch.version);
      if (!signers) r.signersByEpoch.set(epoch.version, (signers = new Set()));
      for (const c of cert.commits) signers.add(set[c.replica]!.id);
    } catch (err) {
      r.badCertificates.push(`${where}: ${(err as Error).message}`);
    }
  }

  // Acknowledged transactions: one listing per (node, height) that holds some.
  const byHeight = new Map<bigint, Acked[]>();
  for (const a of opts.acked) {
    let list = byHeight.get(a.height);
    if (!list) byHeight.set(a.height, (list = []));
    list.push(a);
  }
  const foundEverywhere = new Map<string, number>();
  const needed = new Map<string, number>();
  for (const n of opts.nodes) {
    const client = createClient({ url: n.url, signer: opts.auditor, timeoutMs: 15_000 });
    const top = heads.get(n.id)!;
    const hs = [...byHeight.keys()].filter((h) => h <= top);
    for (const h of hs) for (const a of byHeight.get(h)!) needed.set(a.hash, (needed.get(a.hash) ?? 0) + 1);
    if (n.final) for (const h of byHeight.keys()) if (h > top) for (const a of byHeight.get(h)!) r.lost.push(`${n.id}: ${a.hash} acknowledged at height ${h}, above its head ${top}`);
    await pool(hs, 12, async (h) => {
      const codes = new Map<string, string>();
      let cursor: string | undefined;
      do {
        const page = await client.getBlockTxs(h, { limit: 1000, ...(cursor ? { cursor } : {}) });
        for (const item of page.items) codes.set(item.txHash, item.code);
        cursor = page.cursor;
      } while (cursor);
      for (const a of byHeight.get(h)!) {
        const code = codes.get(a.hash);
        if (code === a.code) foundEverywhere.set(a.hash, (foundEverywhere.get(a.hash) ?? 0) + 1);
        else r.lost.push(`${n.id}: ${a.hash} acknowledged at height ${h} with ${a.code}: ${code === undefined ? "not in the block" : `code ${code}`}`);
      }
    });
  }
  for (const a of opts.acked) if ((foundEverywhere.get(a.hash) ?? 0) === (needed.get(a.hash) ?? 0) && needed.has(a.hash)) r.found++;
  return r;
}

/**
 * Commit gaps from the load's acknowledgements: across a switch at E, the time between the last
 * acknowledged commit at or below E and the first above it; and the longest time between two
 * consecutive acknowledgements within [from, to] (ms since the epoch).
 */
export function commitGaps(acked: readonly Acked[], switchAt: bigint, from: number, to: number): { acrossMs: number | undefined; longestMs: number; acksAfter: number } {
  let lastBelow: number | undefined;
  let firstAbove: number | undefined;
  let acksAfter = 0;
  for (const a of acked) {
    if (a.height <= switchAt) lastBelow = lastBelow === undefined || a.at > lastBelow ? a.at : lastBelow;
    else {
      acksAfter++;
      firstAbove = firstAbove === undefined || a.at < firstAbove ? a.at : firstAbove;
    }
  }
  const times = acked.map((a) => a.at).filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  let longest = times.length > 0 ? Math.max(times[0]! - from, to - times.at(-1)!) : to - from;
  for (let k = 1; k < times.length; k++) longest = Math.max(longest, times[k]! - times[k - 1]!);
  return { acrossMs: lastBelow !== undefined && firstAbove !== undefined ? Math.max(0, firstAbove - lastBelow) : undefined, longestMs: longest, acksAfter };
}

// A small in-memory chain for the ledger tests: genesis parties with deterministic keys, blocks
// executed with executeBlock on MemoryState, committed tx hashes tracked the way the store must
// (takesTxHash), and transactions built and signed through the SDK exactly as a client would, then
// decoded from their wire bytes as a node would.
import { nodeKeyPossessionProof } from "../sdk/transactions/key-possession.js";
import { createHash } from "node:crypto";
import { nodeCrypto } from "../node/crypto.js";
import { accessKeys, executeBlock, recordsCreatedIn, genesisWrites, takesTxHash, type BlockContext, type LedgerDeps, type LedgerParams } from "../node/ledger/execute.js";
import { decodeDeclaration, decodeDocumentRecord, decodeParty, decodeReceivable, encodeReceipt } from "../node/ledger/records.js";
import type { ValidatorMember } from "../node/ledger/governance.js";
import { KEY, MemoryState, type StateReader, type WriteSet } from "../node/ledger/state.js";
import { buildTxBody } from "../sdk/builders.js";
import { fromUtf8, toHex, utf8 } from "../sdk/bytes.js";
import { fingerprintInvoice } from "../sdk/fingerprint.js";
import { signerFromSeed, signTransactionSync, type LocalSigner } from "../sdk/signer.js";
import { decodeTx, signTx, verifyTxSignature, type Tx } from "../sdk/tx.js";
import type { Declaration, DocumentRecord, Party, Receipt, Receivable, Role } from "../sdk/types.js";
import type { TxBody } from "../sdk/tx.js";
import type { TxPayload } from "../sdk/transactions/index.js";

export const CHAIN_ID = "tradeledger-test";
/** 2026-10-01T00:00:00Z */
export const T0 = 1_790_812_800_000n;
export const DAY = 86_400_000n;

export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(typeof data === "string" ? utf8(data) : data).digest());
}

/** A deterministic 32-byte value for a label (document hashes, fingerprints, seeds). */
export const h32 = (label: string): Uint8Array => sha256(`test/${label}`);

/** A real ed25519 public key for a label (a random 32-byte value is often not a curve point). */
export const pk32 = (label: string): Uint8Array => nodeCrypto.publicKeyFromSeed(h32(`key/${label}`));
/** The node-key possession proof of pk32(label) for `partyId`'s validator (a ROTATE_KEY carries it). */
export const nodeKeyProof = (label: string, partyId: string, chainId = CHAIN_ID): Uint8Array =>
  nodeKeyPossessionProof(chainId, partyId, pk32(label), (m) => nodeCrypto.sign(h32(`key/${label}`), m));

export interface TestParty {
  id: string;
  role: Role;
  seed: Uint8Array;
  signer: LocalSigner;
  party: Party;
}

export function makeParty(id: string, role: Role, country = "CN"): TestParty {
  const seed = h32(`seed/${id}`);
  const signer = signerFromSeed(id, seed, nodeCrypto);
  return {
    id,
    role,
    seed,
    signer,
    party: { id, role, name: `${id} Ltd.`, country, publicKey: signer.publicKey, lei: "", registeredBy: "", registeredAt: 0n },
  };
}

/** The invoice fingerprint of DESIGN.md §3 (sdk/fingerprint.ts): "INV-001" and "inv 001" collide. */
export function invoiceFingerprint(sellerId: string, buyerId: string, invoiceNumber: string, currency: string): Uint8Array {
  return fingerprintInvoice({ sellerId, buyerId, invoiceNumber, currency });
}

export interface SignOptions {
  createdAt?: bigint;
  nonce?: Uint8Array;
  chainId?: string;
}

export class TestChain {
  readonly state = new MemoryState();
  readonly committed = new Set<string>();
  readonly parties = new Map<string, TestParty>();
  readonly deps: LedgerDeps;
  height = 0n;
  time: bigint;
  private nonceCounter = 0;

  constructor(parties: TestParty[], opts: { time?: bigint; params?: Partial<LedgerParams>; verify?: boolean; validators?: ValidatorMember[] } = {}) {
    for (const p of parties) this.parties.set(p.id, p);
    this.state.apply(genesisWrites(parties.map((p) => p.party), opts.validators));
    this.time = opts.time ?? T0;
    this.deps = {
      crypto: nodeCrypto,
      txLookup: { hasCommittedTx: (h) => this.committed.has(h) },
      ...(opts.params ? { params: opts.params } : {}),
      ...(opts.verify === false ? { verifySignature: () => true } : {}),
    };
  }

  party(id: string): TestParty {
    const p = this.parties.get(id);
    if (!p) throw new Error(`test party ${id} unknown`);
    return p;
  }

  /** Adds a key pair the chain does not know yet (to be onboarded by registerParty). */
  offChainParty(id: string, role: Role = "ENTERPRISE"): TestParty {
    const p = makeParty(id, role);
    this.parties.set(id, p);
    return p;
  }

  nextNonce(): Uint8Array {
    return sha256(`nonce/${this.nonceCounter++}`).subarray(0, 16);
  }

  /** Builds (validated by the SDK), signs and wire-decodes a transaction by `signerId`. */
  sign(signerId: string, payload: TxPayload, opts: SignOptions = {}): Tx {
    const p = this.party(signerId);
    const body = buildTxBody(payload, {
      chainId: opts.chainId ?? CHAIN_ID,
      signer: p.signer,
      createdAt: opts.createdAt ?? this.time,
      nonce: opts.nonce ?? this.nextNonce(),
    });
    return decodeTx(nodeCrypto, signTransactionSync(p.signer, body, nodeCrypto).bytes);
  }

  /** Signs a body as given, bypassing the SDK's validation (for MALFORMED tests). */
  signRaw(signerId: string, payload: TxPayload, overrides: Partial<TxBody> = {}): Tx {
    const p = this.party(signerId);
    const body: TxBody = { chainId: CHAIN_ID, signer: signerId, createdAt: this.time, nonce: this.nextNonce(), payload, ...overrides };
    return decodeTx(nodeCrypto, signTx(nodeCrypto, body, p.seed).bytes);
  }

  blockContext(time = this.time): BlockContext {
    return { chainId: CHAIN_ID, height: this.height + 1n, time, proposer: "bank-a" };
  }

  /** Executes and commits a block at the current time, then advances the clock by a second. */
  block(txs: Tx[], time = this.time): { receipts: Receipt[]; writes: WriteSet } {
    const ctx = this.blockContext(time);
    const result = executeBlock(this.state, txs, ctx, this.deps);
    this.state.apply(result.writes);
    result.receipts.forEach((r, i) => {
      if (takesTxHash(r.code)) this.committed.add(txs[i]!.hashHex);
    });
    this.height = ctx.height;
    this.time = time + 1000n;
    return result;
  }

  /** One transaction in its own block; returns its receipt. */
  run(tx: Tx): Receipt {
    return this.block([tx]).receipts[0]!;
  }

  /** Signs and runs a payload in its own block. */
  submit(signerId: string, payload: TxPayload, opts: SignOptions = {}): Receipt {
    return this.run(this.sign(signerId, payload, opts));
  }

  receivable(id: string): Receivable {
    const b = this.state.get(KEY.receivable(id));
    if (!b) throw new Error(`no receivable ${id}`);
    return decodeReceivable(b);
  }
  declaration(fp: Uint8Array): Declaration | undefined {
    const b = this.state.get(KEY.declaration(toHex(fp)));
    return b && decodeDeclaration(b);
  }
  document(hash: Uint8Array): DocumentRecord | undefined {
    const b = this.state.get(KEY.document(toHex(hash)));
    return b && decodeDocumentRecord(b);
  }
  fingerprintHolder(fp: Uint8Array): string | undefined {
    const b = this.state.get(KEY.fingerprint(toHex(fp)));
    return b && fromUtf8(b);
  }
  partyRecord(id: string): Party | undefined {
    const b = this.state.get(KEY.party(id));
    return b && decodeParty(b);
  }

  /** SHA-256 over the sorted (key, value) entries: equal iff the states are byte-identical. */
  stateHash(): string {
    return stateHash(this.state);
  }
}

export function stateHash(state: MemoryState): string {
  const h = createHash("sha256");
  for (const key of [...state.map.keys()].sort()) {
    const value = state.map.get(key)!;
    h.update(`${key.length}:${key}:${value.length}:`);
    h.update(value);
  }
  return h.digest("hex");
}

/** The keys a block must prefetch: accessKeys of each tx, iterated to a fixpoint against `base`. */
export function prefetchKeys(base: StateReader, txs: Tx[]): Set<string> {
  const fetched = new Map<string, Uint8Array | undefined>();
  const loaded = (k: string) => fetched.get(k);
  for (let round = 0; ; round++) {
    let added = 0;
    const created = recordsCreatedIn(txs, loaded);
    for (const tx of txs) {
      for (const k of accessKeys(tx, loaded, created)) {
        if (!fetched.has(k)) {
          fetched.set(k, base.get(k));
          added++;
        }
      }
    }
    if (added === 0) return new Set(fetched.keys());
    if (round > 10) throw new Error("accessKeys does not reach a fixpoint");
  }
}

/** A reader over `base` that fails the test if a key outside `allowed` is read. */
export function guardedReader(base: StateReader, allowed: Set<string>, onMiss: (key: string) => void): StateReader {
  return {
    get(key) {
      if (!allowed.has(key)) onMiss(key);
      return base.get(key);
    },
  };
}

export const codes = (receipts: Receipt[]) => receipts.map((r) => r.code);

/** splitmix32-style PRNG of the property tests: a seed fully determines the run (a failing seed replays exactly). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x9e3779b9) >>> 0;
    let z = this.s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }
  int(n: number): number {
    return this.next() % n;
  }
  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  /** uniform in [1, max] */
  amount(max: bigint): bigint {
    return this.between(1n, max);
  }
  /** uniform in [lo, hi] */
  between(lo: bigint, hi: bigint): bigint {
    if (hi <= lo) return lo;
    return lo + ((BigInt(this.next()) << 32n) | BigInt(this.next())) % (hi - lo + 1n);
  }
}

/** A set with O(1) add, delete and uniform random pick. */
export class Pool {
  private readonly ids: string[] = [];
  private readonly at = new Map<string, number>();
  get size(): number {
    return this.ids.length;
  }
  add(id: string): void {
    if (this.at.has(id)) return;
    this.at.set(id, this.ids.length);
    this.ids.push(id);
  }
  delete(id: string): void {
    const i = this.at.get(id);
    if (i === undefined) return;
    const last = this.ids.pop()!;
    this.at.delete(id);
    if (last !== id) {
      this.ids[i] = last;
      this.at.set(last, i);
    }
  }
  pick(rng: Rng): string | undefined {
    return this.ids.length === 0 ? undefined : this.ids[rng.int(this.ids.length)];
  }
}

/** A signature check that verifies each (tx, signature, key) once, like node/driver/sigcache.ts. */
export function cachedVerifier(): (x: Tx, publicKey: Uint8Array) => boolean {
  const cache = new Map<string, boolean>();
  return (x, pk) => {
    const key = `${x.hashHex}/${toHex(x.signature)}/${toHex(pk)}`;
    let v = cache.get(key);
    if (v === undefined) cache.set(key, (v = verifyTxSignature(nodeCrypto, pk, x)));
    return v;
  };
}

/** A block as a property test recorded it, to replay from genesis. */
export interface RecordedBlock {
  time: bigint;
  txs: Tx[];
}

/** Replays recorded blocks on a fresh chain from genesis; returns the state hash and every receipt's bytes. */
export function replayBlocks(c: TestChain, blocks: readonly RecordedBlock[], depsOf?: (c: TestChain) => LedgerDeps): { hash: string; receipts: string[] } {
  const deps = depsOf ? depsOf(c) : c.deps;
  const receipts: string[] = [];
  for (const b of blocks) {
    const ctx: BlockContext = { chainId: CHAIN_ID, height: c.height + 1n, time: b.time, proposer: "bank-a" };
    const res = executeBlock(c.state, b.txs, ctx, deps);
    c.state.apply(res.writes);
    res.receipts.forEach((r, i) => {
      if (takesTxHash(r.code)) c.committed.add(b.txs[i]!.hashHex);
      receipts.push(toHex(encodeReceipt(r)));
    });
    c.height = ctx.height;
  }
  return { hash: c.stateHash(), receipts };
}

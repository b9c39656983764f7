// A real node behind the RPC, without the network: the real NodeApi (node/service.ts) over the real
// query model and executor (node/query, node/chain/chain.ts) on a real Store (LevelDB in a temp dir), the
// real Mempool and signature cache, and a tiny in-process block producer that takes admitted
// transactions from the mempool and executes them through Chain.executeBlock, with a commit
// certificate signed by 3 of 4 real ed25519 validator keys over sdk/commit.ts commitSigningBytes
// (digest = batchDigest over the block's txs root), stored with the block. So every read,
// wait=commit and event-stream path of the RPC runs on real code; only PBFT and p2p are replaced.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { batchDigest, checkpointSigningBytes, commitSigningBytes, epochSigningChainId, quorumSize, type CommitCertificate, type Validator } from "../sdk/commit.js";
import type { CheckpointCertificate } from "../sdk/certified.js";
import { toHex, utf8 } from "../sdk/bytes.js";
import { tx } from "../sdk/builders.js";
import { createClient, type TradeLedgerClient } from "../sdk/client.js";
import { LedgerError } from "../sdk/errors.js";
import { fingerprintDeclaration, fingerprintInvoice } from "../sdk/fingerprint.js";
import { hashDocument, type DocumentCommitment } from "../sdk/hashing/document-hash.js";
import { decimalToMinorUnits } from "../sdk/hashing/verify-document.js";
import { signerFromSeed, type LocalSigner } from "../sdk/signer.js";
import type { Party, Role } from "../sdk/types.js";
import { txBodyFormatError } from "../sdk/validate.js";
import type { Tx } from "../sdk/tx.js";
import { Chain, type ExecutedBlock } from "../node/chain/chain.js";
import type { LedgerParams } from "../node/ledger/execute.js";
import { nodeCrypto } from "../node/crypto.js";
import { Mempool } from "../node/driver/mempool.js";
import { PartyKeys } from "../node/parties.js";
import { LedgerQuery } from "../node/query/query.js";
import { NodeService } from "../node/service.js";
import { SignatureCache } from "../node/driver/sigcache.js";
import { Store } from "../node/store/store.js";
import { rfc6962Root } from "../node/store/hash.js";
import { createRpcServer, type RpcOptions, type RpcServer } from "../rpc/server.js";
import { silentLogger } from "../node/log.js";
import type { NodeMetrics } from "../node/metrics.js";
import type { StableCheckpoint } from "../consensus/types.js";

export const CHAIN_ID = "tradeledger-rpc-test";

const seedOf = (label: string): Uint8Array => new Uint8Array(createHash("sha256").update(utf8(`rpc-harness/${label}`)).digest());

export interface HarnessParty {
  id: string;
  role: Role;
  seed: Uint8Array;
  seedHex: string;
  signer: LocalSigner;
}

/** The devnet's sample parties (config/devnet.ts), with deterministic keys. */
export const PARTIES: { id: string; role: Role; country: string }[] = [
  { id: "bank-a", role: "BANK", country: "DE" },
  { id: "bank-b", role: "BANK", country: "CN" },
  { id: "customs", role: "CUSTOMS", country: "CN" },
  { id: "core-enterprise", role: "ENTERPRISE", country: "CN" },
  { id: "exporter-hz-textiles", role: "ENTERPRISE", country: "CN" },
  { id: "exporter-sz-electronics", role: "ENTERPRISE", country: "CN" },
  { id: "auditor", role: "AUDITOR", country: "CN" },
  { id: "regulator", role: "REGULATOR", country: "CN" },
];

const VALIDATOR_IDS = ["bank-a", "bank-b", "customs", "core-enterprise"];

export interface HarnessOptions {
  /** produce a block as soon as transactions are admitted (default true) */
  autoProduce?: boolean;
  /** receives the driver's block hooks, as node/driver/driver.ts would call them */
  metrics?: NodeMetrics;
  /** the genesis validator set in ledger state (governance, docs/governance.md), as a node's genesis has it */
  governance?: boolean;
  /** ledger parameters (e.g. a small checkpointInterval and watermarkWindow, so that epochs end soon) */
  ledgerParams?: Partial<LedgerParams>;
  /** the chain id (default CHAIN_ID): another network run by the same parties and validator keys */
  chainId?: string;
}

export class RpcHarness {
  readonly chainId: string;
  readonly parties: Record<string, HarnessParty> = {};
  readonly validators: Validator[];
  readonly validatorSeeds: Uint8Array[];
  /** false: the node reports it is not ready (as while starting or halted) */
  ready = true;
  autoProduce: boolean;
  /**
   * certify every block as it is executed, as the validators' idle-tip CHECKPOINTs would (default
   * true); false leaves blocks uncertified until certify(height) is called
   */
  autoCertify = true;
  /** added to the wall clock for block times: lets tests move "now" past due dates */
  timeOffsetMs = 0;
  /**
   * The validator-set epoch whose set signs the blocks and checkpoints made from now on, and that
   * set's node key seeds in replica order (docs/governance.md §5): a test switches it at an epoch's end.
   */
  signing: { epoch: bigint; seeds: Uint8Array[] };
  /** the NodeApi the RPC is served from */
  readonly api: NodeService;
  private producing: Promise<unknown> = Promise.resolve();
  private scheduled = false;
  readonly blocks: ExecutedBlock[] = [];
  private readonly metrics: NodeMetrics | undefined;

  private constructor(
    readonly dir: string,
    readonly store: Store,
    readonly chain: Chain,
    readonly query: LedgerQuery,
    readonly mempool: Mempool,
    opts: HarnessOptions,
  ) {
    this.chainId = opts.chainId ?? CHAIN_ID;
    this.autoProduce = opts.autoProduce ?? true;
    this.metrics = opts.metrics;
    for (const p of PARTIES) {
      const seed = seedOf(`party/${p.id}`);
      this.parties[p.id] = { id: p.id, role: p.role, seed, seedHex: toHex(seed), signer: signerFromSeed(p.id, seed) };
    }
    this.validatorSeeds = VALIDATOR_IDS.map((id) => seedOf(`node/${id}`));
    this.validators = VALIDATOR_IDS.map((id, i) => ({ id, publicKey: nodeCrypto.publicKeyFromSeed(this.validatorSeeds[i]!) }));
    this.signing = { epoch: 0n, seeds: this.validatorSeeds };
    this.api = new NodeService({
      chainId: this.chainId,
      nodeId: "bank-a",
      mode: "validator",
      validators: this.validators,
      version: "test",
      query,
      mempool,
      // no p2p: nothing to gossip to, no peers
      network: { publishTx: () => 0, connectedPeers: () => [] },
      consensus: () => ({ running: this.ready, view: 0n, primary: "bank-a", viewActive: true, syncing: false }),
      onTransactionsAvailable: () => {
        if (this.autoProduce) this.schedule();
      },
      logger: silentLogger,
    });
  }

  static async create(opts: HarnessOptions = {}): Promise<RpcHarness> {
    const chainId = opts.chainId ?? CHAIN_ID;
    const dir = mkdtempSync(join(tmpdir(), "tl-rpc-"));
    const store = await Store.open(join(dir, "db"), { sync: false });
    const parties: Party[] = PARTIES.map((p) => ({
      id: p.id,
      role: p.role,
      name: `${p.id} (test)`,
      country: p.country,
      publicKey: nodeCrypto.publicKeyFromSeed(seedOf(`party/${p.id}`)),
      lei: "",
      registeredBy: "",
      registeredAt: 0n,
    }));
    const sigCache = new SignatureCache(nodeCrypto);
    const chain = await Chain.open(
      store,
      {
        chainId,
        parties,
        stateTreeDepth: 8,
        genesisTime: BigInt(Date.now() - 60_000),
        ...(opts.governance ? { validators: VALIDATOR_IDS.map((id) => ({ partyId: id, nodePublicKey: nodeCrypto.publicKeyFromSeed(seedOf(`node/${id}`)) })) } : {}),
      },
      // Tests move block time forward (overdue); the ledger's age bound would expire the transactions.
      { verifySignature: (tx, key) => sigCache.verify(tx, key), params: { txMaxAgeMs: 10n * 365n * 86_400_000n, ...opts.ledgerParams } },
    );
    const query = new LedgerQuery(store, chain, nodeCrypto);
    const keys = new PartyKeys(query);
    const mempool = new Mempool(
      { maxTxs: 10_000, maxBytes: 64 * 1024 * 1024, txMaxAgeMs: 3_600_000, txMaxFutureMs: 300_000 },
      {
        crypto: nodeCrypto,
        sigCache,
        chainId,
        partyKey: (id) => keys.key(id),
        retiredKeys: (id) => keys.retired(id),
        isCommitted: (h) => query.hasCommittedTx(Buffer.from(h, "hex")),
        checkFormat: (tx) => txBodyFormatError(tx.body),
      },
    );
    const h = new RpcHarness(dir, store, chain, query, mempool, opts);
    // as the driver does: parties registered and keys rotated by a block reach admission
    h.api.onBlock((b) => void keys.onReceipts(b.executed.receipts));
    return h;
  }

  party(id: string): HarnessParty {
    const p = this.parties[id];
    if (!p) throw new Error(`no harness party ${id}`);
    return p;
  }

  /** What an auditor pins: the genesis's chain id and validators (as in genesis.json). */
  genesis(): { chainId: string; validators: { id: string; nodePublicKey: string }[] } {
    return { chainId: this.chainId, validators: this.validators.map((v) => ({ id: v.id, nodePublicKey: toHex(v.publicKey) })) };
  }

  // ---- the block producer ---------------------------------------------------------------------

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.produce();
    });
  }

  /** Executes every pending transaction as one block (none: no block). Serialised. */
  produce(): Promise<ExecutedBlock | undefined> {
    const run = this.producing.then(() => this.produceNow());
    this.producing = run.catch(() => undefined);
    return run;
  }

  private async produceNow(): Promise<ExecutedBlock | undefined> {
    const txs = this.mempool.reap(1000, 8 * 1024 * 1024);
    if (txs.length === 0) return undefined;
    return this.executeBlock(txs);
  }

  /** Executes `txs` as the next block (bypassing the mempool: forged or replayed copies too). */
  async executeBlock(txs: Tx[], opts: { signers?: number[]; view?: bigint } = {}): Promise<ExecutedBlock> {
    const height = this.chain.height + 1n;
    const wall = BigInt(Date.now() + this.timeOffsetMs);
    const time = wall > this.chain.headTime ? wall : this.chain.headTime;
    const view = opts.view ?? 0n;
    const digest = batchDigest(nodeCrypto.sha256, { chainId: this.chainId, height, time, txsRoot: rfc6962Root(txs.map((t) => t.hash)) });
    const { epoch, seeds } = this.signing;
    const signingChain = epochSigningChainId(this.chainId, epoch);
    const certificate: CommitCertificate = {
      chainId: this.chainId,
      ...(epoch !== 0n ? { epoch } : {}),
      view,
      seq: height,
      digest,
      commits: (opts.signers ?? this.quorum()).map((replica) => ({ replica, signature: nodeCrypto.sign(seeds[replica]!, commitSigningBytes(signingChain, view, height, digest, replica)) })),
    };
    const started = performance.now();
    const executed = await this.chain.executeBlock({ height, time, proposer: "bank-a", view, txs, certificate });
    this.metrics?.blockCommitted(executed, (performance.now() - started) / 1000);
    this.mempool.removeCommitted(txs.map((t) => t.hashHex));
    this.blocks.push(executed);
    if (this.autoCertify) await this.certify(height);
    this.api.blockCommitted({ executed, txs, certificate });
    return executed;
  }

  /**
   * Stores a checkpoint certificate for block `height`: CHECKPOINT signatures of `signers` (default
   * 3 of 4, a quorum) over (chainId, height, its time, its hash), as consensus would gather them.
   */
  async certify(height: bigint, signers: number[] = this.quorum()): Promise<CheckpointCertificate> {
    const header = await this.query.getHeader(height);
    if (!header) throw new Error(`no block ${height}`);
    const { epoch, seeds } = this.signing;
    const signingChain = epochSigningChainId(this.chainId, epoch);
    const c: CheckpointCertificate = {
      ...(epoch !== 0n ? { epoch } : {}),
      seq: height,
      timestamp: header.header.time,
      blockHash: header.hash,
      signatures: signers.map((replica) => ({ replica, signature: nodeCrypto.sign(seeds[replica]!, checkpointSigningBytes(signingChain, height, header.header.time, header.hash, replica)) })),
    };
    await this.store.putCheckpointCertificate(c);
    return c;
  }

  /** Empty blocks up to `height`, signed (and certified) by the current signing set. */
  async advanceTo(height: bigint): Promise<void> {
    while (this.chain.height < height) await this.executeBlock([]);
  }

  /**
   * The stable checkpoint at `seq` as consensus hands it to the node's epoch runner at a switch
   * (onEpochEnded): the signing set's quorum of CHECKPOINTs, certified in the store too.
   */
  async stableCheckpoint(seq: bigint): Promise<StableCheckpoint> {
    const c = await this.certify(seq);
    return { seq, timestamp: c.timestamp, stateDigest: c.blockHash, proof: c.signatures.map((s) => ({ type: "checkpoint", seq, timestamp: c.timestamp, stateDigest: c.blockHash, replica: s.replica, signature: s.signature })) };
  }

  /** The first quorum of the signing set's replicas (3 of 4 at genesis). */
  quorum(): number[] {
    return Array.from({ length: quorumSize(this.signing.seeds.length) }, (_, i) => i);
  }

  /** Waits until every admitted transaction is in a block. */
  async settle(): Promise<void> {
    while (this.mempool.size > 0) await this.produce();
    await this.producing;
  }

  // ---- an RPC server on top --------------------------------------------------------------------------

  async serve(opts: Partial<RpcOptions> = {}): Promise<{ server: RpcServer; url: string }> {
    const server = createRpcServer(this.api, {
      host: "127.0.0.1",
      port: 0,
      maxBodyBytes: 256 * 1024,
      rateLimitPerMinute: 100_000,
      logger: silentLogger,
      crypto: nodeCrypto,
      checkResponses: true,
      ...opts,
    });
    const { url } = await server.start();
    return { server, url };
  }

  async close(): Promise<void> {
    this.api.close();
    await this.producing;
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// ---- documents ----------------------------------------------------------------------------------

const SAMPLES = new URL("../../examples/documents/", import.meta.url);

/** A sample document from examples/documents (copies of /work/shared/samples). */
export function sample(name: "commercial-invoice" | "export-declaration" | "bill-of-lading" | "packing-list"): Record<string, any> {
  return JSON.parse(readFileSync(new URL(`${name}.json`, SAMPLES), "utf8"));
}

/** The default dates of a test invoice, relative to the wall clock the harness's blocks run on (the sample's own dates pass). */
export const DEFAULT_ISSUE_DATE = day(-1);
export const DEFAULT_DUE_DATE = day(90);

/** A variant of the sample invoice: its own invoice number, seller, amount (major units) and dates (issued yesterday, due in 90 days unless given). */
export function invoice(n: string, o: { seller?: string; amount?: string; currency?: string; issueDate?: string; dueDate?: string } = {}): Record<string, any> {
  const doc = sample("commercial-invoice");
  doc.invoiceNumber = `INV-2026/${n}`;
  doc.issueDate = DEFAULT_ISSUE_DATE;
  doc.dueDate = DEFAULT_DUE_DATE;
  if (o.seller) doc.seller.partyId = o.seller;
  if (o.amount) doc.totalAmount = o.amount;
  if (o.currency) doc.currency = o.currency;
  if (o.issueDate) doc.issueDate = o.issueDate;
  if (o.dueDate) doc.dueDate = o.dueDate;
  return doc;
}

/** The registerReceivable payload of an invoice, as the CLI builds it. */
export function registerPayload(doc: Record<string, any>): { payload: ReturnType<typeof tx.registerReceivable>; commitment: DocumentCommitment } {
  const commitment = hashDocument(doc);
  const amount = decimalToMinorUnits(doc.totalAmount, doc.currency);
  if (amount === null) throw new Error(`bad amount ${doc.totalAmount}`);
  const payload = tx.registerReceivable({
    documentHash: commitment.root,
    fingerprint: fingerprintInvoice({ sellerId: doc.seller.partyId, buyerId: doc.buyer.identifier, invoiceNumber: doc.invoiceNumber, currency: doc.currency }),
    buyerId: doc.buyer.identifier,
    amount,
    currency: doc.currency,
    issueDate: doc.issueDate,
    dueDate: doc.dueDate,
  });
  return { payload, commitment };
}

/** An attestation of a variant of the sample declaration (its own number) for `receivableIds`. */
export function attestPayload(n: string, o: { exporter: string; amount: string; currency?: string; receivableIds: string[] }): ReturnType<typeof tx.attestShipment> {
  const doc = sample("export-declaration");
  doc.declarationNumber = `3104202610${n.padStart(8, "0")}`;
  const currency = o.currency ?? "USD";
  return tx.attestShipment({
    declarationFingerprint: fingerprintDeclaration({ country: "CN", declarationNumber: doc.declarationNumber }),
    declarationHash: hashDocument(doc).root,
    exporterId: o.exporter,
    declaredValue: decimalToMinorUnits(o.amount, currency)!,
    currency,
    exportDate: doc.exportDate,
    receivableIds: o.receivableIds,
  });
}

/** "YYYY-MM-DD" of today (UTC) plus `days`. */
export function day(days = 0): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A harness serving its RPC on a free port, stopped at the test's teardown, and a signed client per
 * genesis party: the setup every RPC test file starts with.
 */
export async function servedHarness(t: { teardown(fn: () => unknown): void }, opts: HarnessOptions = {}): Promise<{ h: RpcHarness; url: string; as: (partyId: string) => TradeLedgerClient }> {
  const h = await RpcHarness.create(opts);
  const { server, url } = await h.serve();
  t.teardown(async () => {
    await server.stop();
    await h.close();
  });
  return { h, url, as: (id) => createClient({ url, signer: h.party(id).signer }) };
}

/**
 * A validator-set change (docs/governance.md §4) decided through the RPC: proposed by bank-a,
 * approved by bank-b and customs (3 approvals, a quorum of the 4 genesis validators and of 5).
 * Returns the deciding block's height; throws if the change was not decided.
 */
export async function decideValidatorChange(as: (partyId: string) => TradeLedgerClient, change: "ADD" | "REMOVE", partyId: string, nodePublicKey: Uint8Array): Promise<bigint> {
  const proposed = await as("bank-a").submit(tx.proposeValidatorChange({ change, nodePublicKey, partyId }));
  await as("bank-b").submit(tx.approveValidatorChange({ proposalId: proposed.txHash }));
  const decided = await as("customs").submit(tx.approveValidatorChange({ proposalId: proposed.txHash }));
  if (!decided.receipt.events.some((e) => e.type === "validatorSetChanged")) throw new Error(`the ${change} of ${partyId} was not decided`);
  return BigInt(decided.height);
}

/** The LedgerError a rejected submission or read throws (fails the test if it resolves). */
export async function ledgerErrorOf(p: Promise<unknown>): Promise<LedgerError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LedgerError) return err;
    throw err;
  }
  throw new Error("expected a LedgerError");
}

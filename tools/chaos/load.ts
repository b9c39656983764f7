// The campaign's steady signed load: workers play whole trade-finance flows through the SDK, the way
// exporters, customs and banks use the ledger - an exporter registers a receivable, customs attests
// the shipment, a bank finances it, a second bank tries to finance it again (DOUBLE_FINANCING, a
// rejection that is still ordered and receipted), the first bank records repayment, the exporter
// anchors the bill of lading. Every transaction is submitted with wait=commit; the ones a node
// acknowledges as committed are recorded with their height and result code: those must never be
// lost. A failed submission (node killed, paused, partitioned, commit wait timed out) is resubmitted
// with the same signed bytes to another node - idempotent, since a node answers a resubmission of a
// committed transaction with its receipt - until it is acknowledged or the flow gives up on it.
import { randomBytes } from "node:crypto";
import { buildTxBody, tx, type PayloadOf } from "../../sdk/builders.js";
import { createClient, TxPendingError, type CommittedTx, type TradeLedgerClient } from "../../sdk/client.js";
import { LedgerError } from "../../sdk/errors.js";
import { signTransaction, type Signer } from "../../sdk/signer.js";
import type { TxPayload } from "../../sdk/transactions/index.js";
import { nodeCrypto } from "../../node/crypto.js";
import { sleep } from "../cluster.js";

export interface Acked {
  hash: string;
  height: bigint;
  code: string;
  /** the node that acknowledged it */
  node: number;
  at: number;
}

export interface LoadTarget {
  url(i: number): string;
  /** nodes a client may use right now (running, honest, reachable as far as the campaign knows) */
  available(): number[];
  signer(partyId: string): Signer;
  chainId: string;
}

export interface LoadOptions {
  workers: number;
  /** per-attempt commit wait, ms */
  commitWaitMs?: number;
  /** give up on one transaction after this long, ms (its outcome is then unknown, never acked) */
  giveUpMs?: number;
  /** the random source (seeded by the campaign) */
  rand: () => number;
}

const EXPORTERS = ["exporter-hz-textiles", "exporter-sz-electronics"];
const BANKS = ["bank-a", "bank-b"];

export class TradeLoad {
  readonly acked: Acked[] = [];
  /** receipts with a code the flow did not expect (a bug: the ledger is deterministic) */
  readonly unexpected: string[] = [];
  stats = { submitted: 0, resubmissions: 0, gaveUp: 0, flows: 0 };
  private running = true;
  private aborted = false;
  private paused = false;
  private readonly idle: boolean[] = [];
  private readonly loops: Promise<void>[] = [];
  private readonly clients = new Map<number, TradeLedgerClient>();
  private lastAckAt = Date.now();

  constructor(
    private readonly target: LoadTarget,
    private readonly opts: LoadOptions,
  ) {}

  start(): void {
    for (let w = 0; w < this.opts.workers; w++) {
      this.idle.push(false);
      this.loops.push(this.worker(w));
    }
  }

  /** Stops starting new transactions and waits (up to timeoutMs) until none is in flight. */
  async pause(timeoutMs = 60_000): Promise<boolean> {
    this.paused = true;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.idle.every(Boolean)) return true;
      await sleep(50);
    }
    return false;
  }

  resume(): void {
    this.paused = false;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** true while some worker has a transaction in flight */
  get busy(): boolean {
    return this.idle.some((i) => !i);
  }

  get msSinceLastAck(): number {
    return Date.now() - this.lastAckAt;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.paused = false;
    await Promise.all(this.loops);
  }

  /** Stops at once, abandoning what is in flight (a test that failed and tears its network down). */
  abort(): Promise<void> {
    this.aborted = true;
    return this.stop();
  }

  private client(i: number): TradeLedgerClient {
    let c = this.clients.get(i);
    if (!c) {
      c = createClient({ url: this.target.url(i), timeoutMs: 5000 });
      this.clients.set(i, c);
    }
    return c;
  }

  private async worker(w: number): Promise<void> {
    const exporter = EXPORTERS[w % EXPORTERS.length]!;
    const bank = BANKS[w % BANKS.length]!;
    const rival = BANKS[(w + 1) % BANKS.length]!;
    while (this.running) {
      if (this.paused) {
        this.idle[w] = true;
        await sleep(50);
        continue;
      }
      this.idle[w] = false;
      try {
        await this.flow(w, exporter, bank, rival);
        this.stats.flows++;
      } catch {
        // a step was given up (outcome unknown): start a new flow
      }
      this.idle[w] = true;
    }
    this.idle[w] = true;
  }

  private async flow(w: number, exporter: string, bank: string, rival: string): Promise<void> {
    const face = 1_000_000n + BigInt(Math.floor(this.opts.rand() * 1000)) * 100n;
    const today = new Date().toISOString().slice(0, 10);
    const due = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
    const reg = await this.step(w, exporter, tx.registerReceivable({ documentHash: rand32(), fingerprint: rand32(), buyerId: `BUYER-${w}`, amount: face, currency: "USD", issueDate: today, dueDate: due }), "OK");
    if (!this.running || this.paused) return;
    const receivableId = reg.receipt.target;
    await this.step(w, "customs", tx.attestShipment({ declarationFingerprint: rand32(), declarationHash: rand32(), exporterId: exporter, declaredValue: face, currency: "USD", exportDate: today, receivableIds: [receivableId] }), "OK");
    if (!this.running || this.paused) return;
    const financed = (face * 6n) / 10n;
    const fin = await this.step(w, bank, tx.financeReceivable({ receivableId, amount: financed, currency: "USD" }), "OK");
    if (!this.running || this.paused) return;
    await this.step(w, rival, tx.financeReceivable({ receivableId, amount: face / 2n, currency: "USD" }), "DOUBLE_FINANCING");
    if (!this.running || this.paused) return;
    await this.step(w, bank, tx.recordRepayment({ receivableId, financingId: fin.txHash, amount: financed }), "OK");
    if (!this.running || this.paused) return;
    await this.step(w, exporter, tx.anchorDocument({ documentHash: rand32(), documentType: "BILL_OF_LADING", receivableId }), "OK");
  }

  /** Signs once, then submits (and resubmits the same bytes elsewhere) until acknowledged. */
  private async step(w: number, signerId: string, payload: TxPayload, expect: string): Promise<CommittedTx> {
    const signer = this.target.signer(signerId);
    const signed = await signTransaction(signer, buildTxBody(payload, { chainId: this.target.chainId, signer }), nodeCrypto);
    const deadline = Date.now() + (this.opts.giveUpMs ?? 120_000);
    let attempt = 0;
    for (;;) {
      if (this.aborted) break;
      const nodes = this.target.available();
      if (nodes.length === 0) {
        if (Date.now() > deadline) break;
        await sleep(200);
        continue;
      }
      const i = nodes[(w + attempt) % nodes.length]!;
      if (attempt > 0) this.stats.resubmissions++;
      attempt++;
      this.stats.submitted++;
      try {
        const committed = await this.client(i).submitSigned(signed, { wait: "commit", timeoutMs: this.opts.commitWaitMs ?? 10_000 });
        this.record(committed, i, expect, signerId, payload.type);
        return committed;
      } catch (err) {
        if (err instanceof LedgerError && err.receipt && !(err instanceof TxPendingError)) {
          // Ordered and receipted, with a rejection code: committed all the same.
          const committed = await this.lookup(i, signed.hashHex);
          if (committed) {
            this.record(committed, i, expect, signerId, payload.type);
            return committed;
          }
        }
        if (Date.now() > deadline) break;
        await sleep(100 + Math.floor(this.opts.rand() * 200));
      }
    }
    this.stats.gaveUp++;
    throw new Error(`gave up on ${payload.type} ${signed.hashHex}`);
  }

  private async lookup(i: number, hash: string): Promise<CommittedTx | undefined> {
    try {
      const c = createClient({ url: this.target.url(i), timeoutMs: 5000, signer: this.target.signer("auditor") });
      const t = await c.getTx(hash);
      return { txHash: hash, ok: t.receipt.code === "OK", code: t.receipt.code, height: t.height, index: t.index, time: t.time, blockHash: t.blockHash, receipt: t.receipt };
    } catch {
      return undefined;
    }
  }

  private record(c: CommittedTx, node: number, expect: string, signer: string, type: string): void {
    const code = c.receipt.code;
    this.acked.push({ hash: c.txHash, height: BigInt(c.height), code, node, at: Date.now() });
    this.lastAckAt = Date.now();
    if (code !== expect) this.unexpected.push(`${type} by ${signer} ${c.txHash} at height ${c.height}: ${code}, expected ${expect}`);
  }
}

function rand32(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

export type { PayloadOf };

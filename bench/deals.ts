// The network benchmark's workload: trade deals that move through their lifecycle
// (register -> attest -> finance -> repay), each step a real transaction signed by the party the
// ledger requires, plus fraudulent attempts slipped in between the steps of some deals:
//   - a re-spelled duplicate invoice ("INV-000123" registered again as "inv 000123" under a new
//     document hash: the SDK's normalised fingerprint is the same) -> DUPLICATE_RECEIVABLE,
//   - financing a registered receivable before customs attested it -> NOT_ATTESTED,
//   - a second bank financing a fully financed receivable -> DOUBLE_FINANCING.
// A deal's steps go out one at a time (the next only after the previous one's receipt), so the
// state every fraudulent attempt meets is known and its code can be checked exactly.
//
// Every step of a deal is signed when the deal is built: the receivable id is the hash of the
// registering transaction and the financing id the hash of the financing one, both known before
// anything is submitted. Building deals before a measurement keeps signing out of the window.
import { createHash, randomBytes } from "node:crypto";
import { toHex } from "../sdk/bytes.js";
import { buildTxBody, tx } from "../sdk/builders.js";
import type { Crypto } from "../sdk/crypto.js";
import { fingerprintDeclaration, fingerprintInvoice } from "../sdk/fingerprint.js";
import { signTx } from "../sdk/tx.js";
import type { ResultCode, Role } from "../sdk/types.js";
import type { TxPayload } from "../sdk/transactions/index.js";
import { prng } from "../tools/prng.js";

export interface BenchParty {
  id: string;
  /** every devnet role; the deals use ENTERPRISE (exporters), BANK and CUSTOMS parties */
  role: Role;
  seed: Uint8Array;
}

export type StepKind = "register" | "attest" | "finance" | "repay" | "fraud-duplicate-invoice" | "fraud-not-attested" | "fraud-double-financing";

export interface Step {
  kind: StepKind;
  /** the HTTP body of POST /v1/txs: {"tx":"<SignedTx hex>"} */
  body: Buffer;
  /** the SignedTx bytes (an entry of a POST /v1/txs/batch body) */
  tx: Uint8Array;
  hashHex: string;
  /** the receipt code the ledger must give */
  expect: ResultCode;
}

export interface Deal {
  no: number;
  steps: Step[];
  /** index of the next step to submit */
  next: number;
}

export interface DealFactoryOptions {
  crypto: Crypto;
  chainId: string;
  parties: BenchParty[];
  /** share of fraudulent attempts among all transactions (default 0.05) */
  fraudRate?: number;
  /** distinguishes invoice numbers of separate runs against one chain */
  runTag?: string;
}


const DAY_MS = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const sha256 = (s: string) => new Uint8Array(createHash("sha256").update(s).digest());

export class DealFactory {
  private readonly rand = prng(0x7e5d1);
  private readonly exporters: BenchParty[];
  private readonly banks: BenchParty[];
  private readonly customs: BenchParty;
  private readonly seeds: Map<string, Uint8Array>;
  private readonly perDealFraud: number;
  private readonly runTag: string;
  private nonce = 0n;
  private count = 0;
  readonly stats = { deals: 0, steps: 0, fraud: 0 };

  constructor(private readonly opts: DealFactoryOptions) {
    this.exporters = opts.parties.filter((p) => p.role === "ENTERPRISE");
    this.banks = opts.parties.filter((p) => p.role === "BANK");
    const customs = opts.parties.find((p) => p.role === "CUSTOMS");
    if (this.exporters.length === 0 || this.banks.length < 2 || !customs) throw new Error("the bench needs an ENTERPRISE, two BANKs and a CUSTOMS party");
    this.customs = customs;
    this.seeds = new Map(opts.parties.map((p) => [p.id, p.seed]));
    // Four legitimate steps per deal and three kinds of fraud: each kind joins a deal with the
    // probability that makes fraud `fraudRate` of all transactions.
    const rate = opts.fraudRate ?? 0.05;
    this.perDealFraud = (4 * rate) / (1 - rate) / 3;
    this.runTag = opts.runTag ?? toHex(randomBytes(4));
  }

  private sign(signer: string, payload: TxPayload, kind: StepKind, expect: ResultCode): Step {
    const nonce = new Uint8Array(16);
    new DataView(nonce.buffer).setBigUint64(8, ++this.nonce);
    nonce.set(sha256(this.runTag).subarray(0, 8));
    const body = buildTxBody(payload, { chainId: this.opts.chainId, signer, createdAt: BigInt(Date.now()), nonce });
    const t = signTx(this.opts.crypto, body, this.seeds.get(signer)!);
    this.stats.steps++;
    if (kind.startsWith("fraud")) this.stats.fraud++;
    return { kind, body: Buffer.from(`{"tx":"${toHex(t.bytes)}"}`), tx: t.bytes, hashHex: t.hashHex, expect };
  }

  private pick<T>(xs: T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  /** A new deal with every step signed. */
  build(): Deal {
    const no = ++this.count;
    this.stats.deals++;
    const exporter = this.pick(this.exporters);
    const [bank, otherBank] = this.rand() < 0.5 ? [this.banks[0]!, this.banks[1]!] : [this.banks[1]!, this.banks[0]!];
    const now = Date.now();
    const amount = BigInt(10_000 + Math.floor(this.rand() * 990_000)) * 100n;
    const currency = this.rand() < 0.7 ? "USD" : "EUR";
    const buyerId = `DE-HRB-${200_000 + (no % 9973)}`;
    const invoiceNumber = `INV-${this.runTag}-${String(no).padStart(7, "0")}`;
    const fingerprint = fingerprintInvoice({ sellerId: exporter.id, buyerId, invoiceNumber, currency });
    const invoice = (documentHash: Uint8Array, fp: Uint8Array): TxPayload =>
      tx.registerReceivable({ documentHash, fingerprint: fp, buyerId, amount, currency, issueDate: isoDate(now), dueDate: isoDate(now + 90 * DAY_MS) });

    const steps: Step[] = [];
    const register = this.sign(exporter.id, invoice(sha256(`invoice/${this.runTag}/${no}`), fingerprint), "register", "OK");
    const receivableId = register.hashHex;
    steps.push(register);
    const fraud = () => this.rand() < this.perDealFraud;
    if (fraud()) {
      steps.push(this.sign(bank.id, tx.financeReceivable({ receivableId, amount, currency }), "fraud-not-attested", "NOT_ATTESTED"));
    }
    steps.push(
      this.sign(
        this.customs.id,
        tx.attestShipment({
          declarationFingerprint: fingerprintDeclaration({ country: "CN", declarationNumber: `3101${this.runTag}${String(no).padStart(10, "0")}` }),
          declarationHash: sha256(`declaration/${this.runTag}/${no}`),
          exporterId: exporter.id,
          declaredValue: amount,
          currency,
          exportDate: isoDate(now),
          receivableIds: [receivableId],
        }),
        "attest",
        "OK",
      ),
    );
    const finance = this.sign(bank.id, tx.financeReceivable({ receivableId, amount, currency }), "finance", "OK");
    steps.push(finance);
    if (fraud()) {
      steps.push(this.sign(otherBank.id, tx.financeReceivable({ receivableId, amount: amount / 2n, currency }), "fraud-double-financing", "DOUBLE_FINANCING"));
    }
    steps.push(this.sign(bank.id, tx.recordRepayment({ receivableId, financingId: finance.hashHex, amount }), "repay", "OK"));
    if (fraud()) {
      // The same invoice, its number re-spelled, under a new document hash: while the receivable
      // is live, or after it settled (a settled receivable's fingerprint stays taken for good).
      const respelled = invoiceNumber.toLowerCase().replace(/-/g, " ");
      const fp = fingerprintInvoice({ sellerId: exporter.id, buyerId: buyerId.toLowerCase(), invoiceNumber: respelled, currency });
      const copy = this.sign(exporter.id, invoice(sha256(`invoice-copy/${this.runTag}/${no}`), fp), "fraud-duplicate-invoice", "DUPLICATE_RECEIVABLE");
      if (this.rand() < 0.5) steps.splice(1, 0, copy);
      else steps.push(copy);
    }
    return { no, steps, next: 0 };
  }
}

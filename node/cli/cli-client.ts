// Client commands of the `tradeledger` CLI (DESIGN §5), over the SDK: register, attest, finance,
// repay, cancel, anchor, check, show, history, exposure, rejections. node/cli/cli.ts adds them to its
// program with addClientCommands(program).
//
// Conventions (docs/api.md, "CLI"):
//   - keys: `.devnet/keys/<party>.json` by default (--devnet <dir>, --party <id>, --key <file>);
//   - node: --url, else $TRADELEDGER_URL, else the first node of .devnet/network.json, else :7001;
//   - documents are JSON files hashed with sdk/hashing/; their salts are kept next to them in
//     `<file>.salts.json` (mode 0600) and reused, so a document always hashes the same; the salts
//     are what the exporter shares with a lender together with the document;
//   - amounts are never floats: --amount takes major units as a decimal string ("76250.00"),
//     converted exactly with the currency's ISO 4217 exponent (more decimals than it has is an
//     error), --minor takes minor units ("7625000"); exactly one of them;
//   - output is JSON on stdout; a failure is `{ "error": { code, message, receipt? } }` on stderr
//     and exit code 1 (2 for a usage error).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import {
  createClient,
  decimalToMinorUnits,
  hashDocument,
  LedgerError,
  loadSigner,
  toJsonView,
  tx,
  validatorSetFromGenesis,
  verifyDocument,
  verifyHistory,
  type DocumentKind,
  type Signer,
  type TradeLedgerClient,
} from "../../sdk/index.js";

export interface ClientCommandOptions {
  /** default devnet folder (keys/, network.json, genesis.json); default ".devnet" */
  devnetDir?: string;
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** called with the exit code on failure; default sets process.exitCode */
  exit?: (code: number) => void;
  env?: NodeJS.ProcessEnv;
}

interface CommonOptions {
  url?: string;
  party?: string;
  key?: string;
  devnet?: string;
}

class UsageError extends Error {}

export function addClientCommands(program: Command, options: ClientCommandOptions = {}): Command {
  const out = options.out ?? ((t: string) => void process.stdout.write(t));
  const err = options.err ?? ((t: string) => void process.stderr.write(t));
  const exit = options.exit ?? ((code: number) => void (process.exitCode = code));
  const env = options.env ?? process.env;

  const print = (value: unknown) => out(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? toJsonView(v) : v), 2) + "\n");

  const devnetOf = (o: CommonOptions) => resolve(o.devnet ?? options.devnetDir ?? ".devnet");

  const urlOf = (o: CommonOptions): string => {
    if (o.url) return o.url;
    if (env.TRADELEDGER_URL) return env.TRADELEDGER_URL;
    const network = join(devnetOf(o), "network.json");
    if (existsSync(network)) {
      const n = readJson(network) as { nodes?: { rpcUrl?: string }[] };
      if (n.nodes?.[0]?.rpcUrl) return n.nodes[0].rpcUrl;
    }
    return "http://127.0.0.1:7001";
  };

  const signerOf = (o: CommonOptions, defaultParty: string | undefined, what: string): Signer => {
    const party = o.party ?? defaultParty;
    if (!party) throw new UsageError(`${what}: pass --party <id> (the signing party)`);
    const file = o.key ? resolve(o.key) : join(devnetOf(o), "keys", `${party}.json`);
    if (!existsSync(file)) throw new UsageError(`no key file ${file} for ${party}: run \`npm start\` to create the devnet, or pass --key <file>`);
    return loadSigner(readFileSync(file, "utf8"), party);
  };

  const clientOf = (o: CommonOptions, signer: Signer): TradeLedgerClient => createClient({ url: urlOf(o), signer });

  /** Adds the shared options and wraps the action: JSON errors on stderr, exit codes. */
  const command = (name: string, description: string, defaultParty?: string) =>
    program
      .command(name)
      .description(description)
      .option("--url <url>", "a node's RPC URL (default: $TRADELEDGER_URL, else the devnet's first node)")
      .option("--party <id>", `the party that signs${defaultParty ? ` (default ${defaultParty})` : ""}`)
      .option("--key <file>", "its key file (default <devnet>/keys/<party>.json)")
      .option("--devnet <dir>", "devnet folder with keys/, network.json and genesis.json", options.devnetDir ?? ".devnet");

  const run =
    <A extends unknown[]>(fn: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      try {
        await fn(...args);
      } catch (e) {
        if (e instanceof UsageError) {
          err(JSON.stringify({ error: { code: "USAGE", message: e.message } }, null, 2) + "\n");
          exit(2);
          return;
        }
        const le = e instanceof LedgerError ? e : undefined;
        const body = le
          ? { error: { code: le.code, message: le.message, ...(le.status ? { status: le.status } : {}), ...(le.receipt ? { receipt: toJsonView(le.receipt) } : {}) } }
          : { error: { code: "INTERNAL", message: (e as Error).message } };
        err(JSON.stringify(body, null, 2) + "\n");
        exit(1);
      }
    };

  command("register", "register an invoice (a JSON document) as a receivable; its salts are kept in <file>.salts.json")
    .argument("<invoice>", "the commercial invoice, JSON (examples/documents/commercial-invoice.json)")
    .action(
      run(async (file: string, o: CommonOptions) => {
        const doc = readJson(file) as Record<string, any>;
        const currency = str(doc.currency, "currency");
        const amount = decimalToMinorUnits(doc.totalAmount, currency);
        if (amount === null) throw new UsageError(`totalAmount ${JSON.stringify(doc.totalAmount)} is not an exact decimal amount of ${currency}`);
        const signer = signerOf(o, doc.seller?.partyId, "register");
        const { commitment, saltsFile } = hashWithSalts(file, doc);
        const fingerprint = fingerprintOf(doc, commitment.salts, commitment.rootHex, "invoice");
        const payload = tx.registerReceivable({
          documentHash: commitment.root,
          fingerprint,
          buyerId: str(doc.buyer?.identifier, "buyer.identifier"),
          amount,
          currency,
          issueDate: str(doc.issueDate, "issueDate"),
          dueDate: str(doc.dueDate, "dueDate"),
        });
        const r = await clientOf(o, signer).submit(payload, signer);
        print({ receivableId: r.receipt.target, txHash: r.txHash, height: r.height, documentHash: commitment.rootHex, fingerprint, saltsFile });
      }),
    );

  command("attest", "attest an export declaration (JSON) and link it to receivables of its exporter", "customs")
    .argument("<declaration>", "the export declaration, JSON (examples/documents/export-declaration.json)")
    .requiredOption("--receivable <ids...>", "receivable ids the declaration backs")
    .action(
      run(async (file: string, o: CommonOptions & { receivable: string[] }) => {
        const doc = readJson(file) as Record<string, any>;
        const signer = signerOf(o, "customs", "attest");
        const { commitment, saltsFile } = hashWithSalts(file, doc);
        const currency = str(doc.declaredValue?.currency, "declaredValue.currency");
        const declaredValue = decimalToMinorUnits(doc.declaredValue?.amount, currency);
        if (declaredValue === null) throw new UsageError(`declaredValue.amount ${JSON.stringify(doc.declaredValue?.amount)} is not an exact decimal amount of ${currency}`);
        const payload = tx.attestShipment({
          declarationFingerprint: fingerprintOf(doc, commitment.salts, commitment.rootHex, "declaration"),
          declarationHash: commitment.root,
          exporterId: str(doc.exporter?.partyId, "exporter.partyId"),
          declaredValue,
          currency,
          exportDate: str(doc.exportDate, "exportDate"),
          receivableIds: o.receivable,
        });
        const r = await clientOf(o, signer).submit(payload, signer);
        print({ txHash: r.txHash, height: r.height, attested: o.receivable, declarationHash: commitment.rootHex, saltsFile });
      }),
    );

  command("finance", "finance an attested receivable", "bank-a")
    .argument("<receivableId>")
    .option("--amount <major>", "amount in major units, decimal (e.g. 76250.00)")
    .option("--minor <units>", "amount in minor units (e.g. 7625000)")
    .option("--currency <code>", "ISO 4217 code (default: the receivable's)")
    .action(
      run(async (id: string, o: CommonOptions & AmountOptions & { currency?: string }) => {
        const signer = signerOf(o, "bank-a", "finance");
        const client = clientOf(o, signer);
        const r = await client.getReceivable(id);
        const currency = o.currency ?? r.receivable.currency;
        const amount = amountOf(o, currency);
        const done = await client.submit(tx.financeReceivable({ receivableId: id, amount, currency }), signer);
        print({ financingId: done.txHash, height: done.height, receivableId: id, amount: amount.toString(), currency, liveFinanced: eventField(done.receipt.events, "liveFinanced") });
      }),
    );

  command("repay", "record a repayment of one of the bank's financings", "bank-a")
    .argument("<receivableId>")
    .option("--financing <id>", "the financing (default: the bank's only open financing of the receivable)")
    .option("--amount <major>", "amount in major units, decimal")
    .option("--minor <units>", "amount in minor units")
    .option("--full", "repay what is outstanding on the financing")
    .action(
      run(async (id: string, o: CommonOptions & AmountOptions & { financing?: string; full?: boolean }) => {
        const signer = signerOf(o, "bank-a", "repay");
        const client = clientOf(o, signer);
        const r = await client.getReceivable(id);
        const open = r.receivable.financings.filter((f) => f.bankId === signer.partyId && BigInt(f.amount) > BigInt(f.repaid));
        let financingId = o.financing;
        if (!financingId) {
          if (open.length !== 1) throw new UsageError(`${signer.partyId} has ${open.length} open financings of ${id}; pass --financing <id> (${open.map((f) => f.id).join(", ") || "none"})`);
          financingId = open[0]!.id;
        }
        const f = r.receivable.financings.find((x) => x.id === financingId);
        let amount: bigint;
        if (o.full) {
          if (o.amount !== undefined || o.minor !== undefined) throw new UsageError("--full and an amount exclude each other");
          if (!f) throw new UsageError(`no financing ${financingId} on ${id}`);
          amount = BigInt(f.amount) - BigInt(f.repaid);
        } else amount = amountOf(o, r.receivable.currency);
        const done = await client.submit(tx.recordRepayment({ receivableId: id, financingId, amount }), signer);
        print({ txHash: done.txHash, height: done.height, receivableId: id, financingId, amount: amount.toString(), settled: done.receipt.events.some((e) => e.type === "receivableSettled") });
      }),
    );

  command("cancel", "cancel a receivable (exporter; only while nothing is financed)")
    .argument("<receivableId>")
    .option("--reason <text>", "why", "")
    .action(
      run(async (id: string, o: CommonOptions & { reason: string }) => {
        const signer = signerOf(o, undefined, "cancel");
        const done = await clientOf(o, signer).submit(tx.cancelReceivable({ receivableId: id, reason: o.reason }), signer);
        print({ txHash: done.txHash, height: done.height, cancelled: id });
      }),
    );

  command("anchor", "anchor another trade document (bill of lading, packing list...) by hash")
    .argument("<document>", "the document, JSON with a documentType")
    .option("--type <TYPE>", "document type (default: the document's documentType)")
    .option("--receivable <id>", "link it to a receivable")
    .action(
      run(async (file: string, o: CommonOptions & { type?: string; receivable?: string }) => {
        const doc = readJson(file) as Record<string, any>;
        const signer = signerOf(o, undefined, "anchor");
        const type = o.type ?? str(doc.documentType, "documentType");
        const { commitment, saltsFile } = hashWithSalts(file, doc);
        const bl = type === "BILL_OF_LADING" ? fingerprintOf(doc, commitment.salts, commitment.rootHex, "billOfLading") : undefined;
        const done = await clientOf(o, signer).submit(
          tx.anchorDocument({ documentHash: commitment.root, documentType: type, ...(o.receivable ? { receivableId: o.receivable } : {}), ...(bl ? { billOfLadingFingerprint: bl } : {}) }),
          signer,
        );
        print({ txHash: done.txHash, height: done.height, documentHash: commitment.rootHex, documentType: type, saltsFile });
      }),
    );

  command("check", "a lender's check of an invoice against the ledger before financing (verifyDocument)", "bank-a")
    .argument("<receivableId>")
    .argument("<invoice>", "the invoice JSON the exporter sent")
    .option("--salts <file>", "its salts (default <invoice>.salts.json)")
    .action(
      run(async (id: string, file: string, o: CommonOptions & { salts?: string }) => {
        const signer = signerOf(o, "bank-a", "check");
        const r = await clientOf(o, signer).getReceivable(id);
        const saltsFile = o.salts ?? `${file}.salts.json`;
        if (!existsSync(saltsFile)) throw new UsageError(`no salts file ${saltsFile}: the exporter shares it with the document`);
        const rec = r.receivable;
        const result = verifyDocument(readJson(file), readJson(saltsFile) as Record<string, string>, {
          documentHash: rec.documentHash,
          fingerprint: rec.fingerprint,
          exporterId: rec.exporterId,
          buyerId: rec.buyerId,
          currency: rec.currency,
          amount: BigInt(rec.amount),
          issueDate: rec.issueDate,
          dueDate: rec.dueDate,
        });
        print({ receivableId: id, document: result, ledger: { status: rec.status, liveFinanced: r.liveFinanced, available: r.available, overdue: r.overdue, financeable: r.financeable } });
        if (!result.ok) exit(1);
      }),
    );

  command("show", "a receivable's current state", "auditor")
    .argument("<receivableId>")
    .action(
      run(async (id: string, o: CommonOptions) => {
        print(await clientOf(o, signerOf(o, "auditor", "show")).getReceivable(id));
      }),
    );

  command("history", "a receivable's history; --verify checks it against the genesis validator set", "auditor")
    .argument("<receivableId>")
    .option("--verify", "verify inclusion proofs and commit certificates (verifyHistory)")
    .option("--genesis <file>", "the genesis whose validators to trust (default <devnet>/genesis.json)")
    .action(
      run(async (id: string, o: CommonOptions & { verify?: boolean; genesis?: string }) => {
        const client = clientOf(o, signerOf(o, "auditor", "history"));
        const history = await client.getFullHistory(id, { proofs: o.verify ?? false });
        if (!o.verify) return print(history);
        const genesis = o.genesis ?? join(devnetOf(o), "genesis.json");
        const report = verifyHistory(history, validatorSetFromGenesis(readJson(genesis)));
        const { blocks: _blocks, ...shown } = history;
        print({ ...shown, items: history.items.map(({ proof: _p, ...e }) => e), verification: report });
        if (!report.ok) exit(1);
      }),
    );

  command("exposure", "an exporter's exposure across all banks", "auditor")
    .argument("<partyId>")
    .action(
      run(async (id: string, o: CommonOptions) => {
        print(await clientOf(o, signerOf(o, "auditor", "exposure")).getExposure(id));
      }),
    );

  command("rejections", "rejected transactions (auditors: all; others: their own)", "auditor")
    .option("--code <code>", "e.g. DOUBLE_FINANCING")
    .option("--signer <id>")
    .option("--target <id>", "a receivable id, document hash or party id")
    .option("--limit <n>", "page size", "50")
    .option("--cursor <cursor>", "from a previous page")
    .action(
      run(async (o: CommonOptions & { code?: string; signer?: string; target?: string; limit: string; cursor?: string }) => {
        const client = clientOf(o, signerOf(o, "auditor", "rejections"));
        print(
          await client.getRejections({
            ...(o.code ? { code: o.code as never } : {}),
            ...(o.signer ? { signer: o.signer } : {}),
            ...(o.target ? { target: o.target } : {}),
            ...(o.cursor ? { cursor: o.cursor } : {}),
            limit: Number(o.limit),
          }),
        );
      }),
    );

  return program;
}

interface AmountOptions {
  amount?: string;
  minor?: string;
}

/** --amount (major units, exact with the ISO 4217 exponent) or --minor (minor units): never floats. */
export function amountOf(o: AmountOptions, currency: string): bigint {
  if ((o.amount === undefined) === (o.minor === undefined)) throw new UsageError("pass exactly one of --amount <major units, e.g. 76250.00> or --minor <minor units, e.g. 7625000>");
  if (o.minor !== undefined) {
    if (!/^[1-9][0-9]{0,19}$/.test(o.minor)) throw new UsageError(`--minor ${o.minor}: a positive integer count of minor units`);
    return BigInt(o.minor);
  }
  const v = decimalToMinorUnits(o.amount, currency);
  if (v === null) throw new UsageError(`--amount ${o.amount}: not an exact amount of ${currency} (a decimal with at most the currency's ISO 4217 decimals; use --minor for currencies without an exponent)`);
  if (v === 0n) throw new UsageError("--amount must be greater than 0");
  return v;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not JSON: ${(e as Error).message}`);
  }
}

function str(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") throw new UsageError(`the document has no ${field}`);
  return value;
}

/** Hashes a document, reusing `<file>.salts.json` if present, else writing it (mode 0600). */
function hashWithSalts(file: string, doc: unknown): { commitment: ReturnType<typeof hashDocument>; saltsFile: string } {
  const saltsFile = join(dirname(resolve(file)), `${basename(file)}.salts.json`);
  if (existsSync(saltsFile)) {
    const salts = readJson(saltsFile) as Record<string, string>;
    return { commitment: hashDocument(doc, { salts }), saltsFile };
  }
  const commitment = hashDocument(doc);
  writeFileSync(saltsFile, JSON.stringify(commitment.salts, null, 2) + "\n", { mode: 0o600, flag: "wx" });
  return { commitment, saltsFile };
}

/**
 * A document's fingerprint exactly as a lender's verifyDocument recomputes it from the document's
 * own fields (docs/hashing.md §6), so the anchored value always passes the lender's check.
 */
function fingerprintOf(doc: unknown, salts: Record<string, string>, rootHex: string, kind: DocumentKind): string {
  const v = verifyDocument(doc, salts, { documentHash: rootHex }, kind);
  if (v.fingerprint === null) throw new UsageError(`cannot fingerprint the ${kind}: ${v.problems.map((p) => p.message).join("; ")}`);
  return v.fingerprint;
}

function eventField(events: readonly Record<string, unknown>[], field: string): unknown {
  for (const e of events) if (field in e) return e[field];
  return undefined;
}

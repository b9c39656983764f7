// Client commands of the `tradeledger` CLI (DESIGN §5), over the SDK: register, attest, finance,
// repay, cancel, anchor, check, show, history, exposure, rejections; the digital-warrant steps
// (DESIGN §7, docs/warrants.md): grant-line, adjust-line, issue-warrant, transfer-warrant,
// offer-warrant, withdraw-offer, decline-offer, finance-warrant, confirm-payment; title documents
// and pledges (DESIGN §8, docs/titles.md): attest-stock, issue-title, transfer-title, offer-pledge,
// accept-pledge, release-pledge, surrender-title, show-title, show-lot, titles; and the buyer's word
// (DESIGN §9, docs/ledger.md): acknowledge, dispute, resolve-dispute, notify-assignment, and
// `finance --require-ack`; supervision (DESIGN §11, docs/supervision.md): alerts, rule set|retire|list; governance (DESIGN §12,
// docs/governance.md): governance propose|approve|status. node/cli/cli.ts adds them to its program with addClientCommands(program).
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
//   - output (node/cli/output.ts): JSON on stdout with --json or whenever stdout is not a terminal,
//     a readable outline at a terminal; times are ISO 8601 UTC in both; a failure is
//     `{ "error": { code, message, receipt? } }` on stderr (`error: [CODE] message` at a terminal)
//     and exit code 1 (2 for a usage error);
//   - node commands: status, block, tx, events (follow the stream), party register/show, and
//     sign-request (the x-tl-* headers of a signed read, or a ready curl command).
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { keyFileInfo, loadGenesis, loadKeyFile, loadNodeConfig, writeKeyFile } from "../../config/load.js";
import { nodeCrypto } from "../crypto.js";
import { readPassphrase } from "../keys/passphrase.js";
import { basename, dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { isoTime, outputFormat, render, renderLine, type OutputFormat } from "./output.js";
import {
  createClient,
  decimalToMinorUnits,
  fingerprintBillOfLading,
  FingerprintError,
  fingerprintWarehouseReceipt,
  hashDocument,
  LedgerError,
  loadSigner,
  paginate,
  signerFromSeed,
  MalformedError,
  PARTY_ID_RE,
  randomBytes,
  REQUEST_NONCE_BYTES,
  sha256,
  signedReadHeaders,
  toHex,
  toJsonView,
  tx,
  utf8,
  validatorSetFromGenesis,
  verifyDocument,
  scoreParty,
  indicatorsFromJson,
  EXAMPLE_SCORECARD,
  HISTORY_KINDS,
  type HistoryKind,
  type TrustedValidators,
  type ValidatorSet,
  type VerificationReport,
  verifyHistory,
  keyPossessionProof,
  nodeKeyPossessionProof,
  type DocumentKind,
  type Signer,
  type TitleKind,
  type TradeLedgerClient,
  type LedgerEventType,
} from "../../sdk/index.js";
import { ALERT_EVENT, EVENT_TYPES, REJECTED_EVENT } from "../../sdk/api/primitives.js";
import { verifyValidatorSets } from "../../sdk/epochs.js";
import { evidenceLinks, signEvidence, verifyEvidence, type EvidenceBundle } from "../../sdk/evidence.js";
import type { HistoryPageJson } from "../../sdk/api/routes.js";
import type { TxEntryJson, TxJson } from "../../sdk/api/schemas.js";

export interface ClientCommandOptions {
  /** default devnet folder (keys/, network.json, genesis.json); default ".devnet" */
  devnetDir?: string;
  out?: (text: string) => void;
  err?: (text: string) => void;
  /** called with the exit code on failure; default sets process.exitCode */
  exit?: (code: number) => void;
  env?: NodeJS.ProcessEnv;
  /** is the output a terminal (text rather than JSON without --json); default process.stdout.isTTY */
  tty?: boolean;
  /** ends a following command (events) when aborted; default: SIGINT/SIGTERM end it */
  signal?: AbortSignal;
}

interface CommonOptions {
  url?: string;
  party?: string;
  key?: string;
  devnet?: string;
  json?: boolean;
}

class UsageError extends Error {}

/** The chain of validator sets a node served does not verify from the genesis set: nothing is verified against it. */
class ValidatorSetsError extends Error {}

export function addClientCommands(program: Command, options: ClientCommandOptions = {}): Command {
  const out = options.out ?? ((t: string) => void process.stdout.write(t));
  const err = options.err ?? ((t: string) => void process.stderr.write(t));
  const exit = options.exit ?? ((code: number) => void (process.exitCode = code));
  const env = options.env ?? process.env;

  const isTty = options.tty ?? process.stdout.isTTY === true;
  // The format of the command running now (set by run() from its --json).
  let format: OutputFormat = outputFormat(undefined, isTty);
  const print = (value: unknown) => out(render(value, format));

  const devnetOf = (o: CommonOptions) => resolve(o.devnet ?? options.devnetDir ?? env.TRADELEDGER_DEVNET ?? ".devnet");

  /**
   * The nodes to use: --url (comma-separated for several), else $TRADELEDGER_URL (the same), else
   * every node of the devnet's network.json (the client fails over between them), else :7001.
   */
  const urlsOf = (o: CommonOptions): string[] => {
    const given = o.url ?? env.TRADELEDGER_URL;
    if (given) return given.split(",").map((u) => u.trim()).filter((u) => u !== "");
    const network = join(devnetOf(o), "network.json");
    if (existsSync(network)) {
      const n = readJson(network) as { nodes?: { rpcUrl?: string }[] };
      const urls = (n.nodes ?? []).map((x) => x.rpcUrl).filter((u): u is string => typeof u === "string");
      if (urls.length > 0) return urls;
    }
    return ["http://127.0.0.1:7001"];
  };

  const signerOf = (o: CommonOptions, defaultParty: string | undefined, what: string): Signer => {
    const party = o.party ?? defaultParty;
    if (!party) throw new UsageError(`${what}: pass --party <id> (the signing party)`);
    const file = o.key ? resolve(o.key) : join(devnetOf(o), "keys", `${party}.json`);
    if (!existsSync(file)) throw new UsageError(`no key file ${file} for ${party}: run \`npm start\` to create the devnet, or pass --key <file>`);
    const info = keyFileInfo(file);
    if (!info.encrypted) return loadSigner(readFileSync(file, "utf8"), party);
    if (info.partyId && info.partyId !== party) throw new UsageError(`${file} is ${info.partyId}'s key, not ${party}'s`);
    // An encrypted key is opened when the first signature is needed (its passphrase may be asked for).
    let opened: Promise<Signer> | undefined;
    const open = async () => signerFromSeed(party, loadKeyFile(file, await readPassphrase({ env, what: `${party}'s key ${file}` })).seed, nodeCrypto);
    return { partyId: party, publicKey: info.publicKey, sign: async (m: Uint8Array) => (await (opened ??= open())).sign(m) };
  };

  const clientOf = (o: CommonOptions, signer?: Signer): TradeLedgerClient => createClient({ url: urlsOf(o), ...(signer ? { signer } : {}) });

  /** The validators to trust: --genesis, else the devnet's genesis.json. */
  const validatorsOf = (o: CommonOptions & { genesis?: string }) => validatorSetFromGenesis(readJson(o.genesis ?? join(devnetOf(o), "genesis.json")));

  /**
   * The chain of validator sets (docs/governance.md §5): the links the node serves, each proven from
   * the genesis set above; a chain whose set never changed is the genesis set alone.
   */
  const trustedOf = async (o: CommonOptions & { genesis?: string }, client: TradeLedgerClient): Promise<TrustedValidators> => {
    const sets = verifyValidatorSets(validatorsOf(o), (await client.getValidatorSets()).links);
    if (!sets.ok) {
      const p = sets.problems[0]!;
      throw new ValidatorSetsError(`the chain of validator sets served does not verify from the genesis set: ${p.code} ${p.message}`);
    }
    return sets.chain;
  };

  /** An object's whole history checked against the validators (client.verifiedHistory), for the commands' --verify. */
  const verifiedHistory: VerifiedHistory = {
    validators: trustedOf,
    print: (value, verdict) => {
      print({ ...value, verification: verdict });
      if (!verdict.ok) exit(1);
    },
  };

  /** Adds the shared options and wraps the action: JSON errors on stderr, exit codes. */
  const command = (name: string, description: string, defaultParty?: string, parent: Command = program) =>
    parent
      .command(name)
      .description(description)
      .option("--url <urls>", "a node's RPC URL, or several comma-separated (failover) (default: $TRADELEDGER_URL, else the devnet's nodes)")
      .option("--party <id>", `the party that signs${defaultParty ? ` (default ${defaultParty})` : ""}`)
      .option("--key <file>", "its key file (default <devnet>/keys/<party>.json)")
      .option("--devnet <dir>", `devnet folder with keys/, network.json and genesis.json (default: ${options.devnetDir ?? "$TRADELEDGER_DEVNET, else .devnet"})`)
      .option("--json", "print JSON (the default when the output is not a terminal)");

  const run =
    <A extends unknown[]>(fn: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      // commander passes (...arguments, options, command)
      format = outputFormat(args[args.length - 2] as { json?: boolean } | undefined, isTty);
      const fail = (body: { error: { code: string; message: string } & Record<string, unknown> }, code: number) => {
        err(format === "json" ? render(body, "json") : `error: [${body.error.code}] ${body.error.message}\n${body.error.receipt ? render({ receipt: body.error.receipt }, "text") : ""}`);
        exit(code);
      };
      try {
        await fn(...args);
      } catch (e) {
        if (e instanceof UsageError) return fail({ error: { code: "USAGE", message: e.message } }, 2);
        if (e instanceof ValidatorSetsError) return fail({ error: { code: "VALIDATOR_SETS_UNPROVEN", message: e.message } }, 1);
        const le = e instanceof LedgerError ? e : undefined;
        const body = le
          ? { error: { code: le.code, message: le.message, ...(le.status ? { status: le.status } : {}), ...(le.receipt ? { receipt: toJsonView(le.receipt) } : {}) } }
          : { error: { code: "INTERNAL", message: (e as Error).message } };
        fail(body, 1);
      }
    };

  command("register", "register an invoice (a JSON document) as a receivable; its salts are kept in <file>.salts.json")
    .argument("<invoice>", "the commercial invoice, JSON (examples/documents/commercial-invoice.json)")
    .option("--buyer-party <id>", "the buyer's party id when the buyer is on the network (a warrant's obligor or sender: docs/warrants.md)")
    .action(
      run(async (file: string, o: CommonOptions & { buyerParty?: string }) => {
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
          ...(o.buyerParty !== undefined ? { buyerPartyId: o.buyerParty } : {}),
        });
        const r = await clientOf(o, signer).submit(payload, signer);
        print({ receivableId: r.receipt.target, txHash: r.txHash, height: r.height, documentHash: commitment.rootHex, fingerprint, saltsFile, ...(o.buyerParty ? { buyerPartyId: o.buyerParty } : {}) });
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
    .option("--require-ack", "only up to what the buyer acknowledged (DESIGN.md §9): live + amount ≤ the acknowledged amount, else NOT_ACKNOWLEDGED")
    .action(
      run(async (id: string, o: CommonOptions & AmountOptions & { currency?: string; requireAck?: boolean }) => {
        const signer = signerOf(o, "bank-a", "finance");
        const client = clientOf(o, signer);
        const r = await client.getReceivable(id);
        const currency = o.currency ?? r.receivable.currency;
        const amount = amountOf(o, currency);
        const done = await client.submit(tx.financeReceivable({ receivableId: id, amount, currency, ...(o.requireAck ? { requireAcknowledgement: true } : {}) }), signer);
        print({
          financingId: done.txHash,
          height: done.height,
          receivableId: id,
          amount: amount.toString(),
          currency,
          ...(o.requireAck ? { requireAcknowledgement: true } : {}),
          liveFinanced: eventField(done.receipt.events, "liveFinanced"),
        });
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

  command("history", "the history of a receivable (or, with --kind, a piece, warrant, credit line, title or lot); --verify proves it complete against the validator sets proven from the genesis", "auditor")
    .argument("<id>")
    .option("--kind <kind>", `the object's kind: ${HISTORY_KINDS.join(", ")}`, "receivable")
    .option("--verify", "verify every entry's proofs and certificates, and that no entry is missing up to a certified height (verifyHistory / verifyObjectHistory)")
    .option("--genesis <file>", "the genesis whose validators to trust (default <devnet>/genesis.json)")
    .action(
      run(async (id: string, o: CommonOptions & { kind: string; verify?: boolean; genesis?: string }) => {
        const kind = historyKindOf(o.kind, id);
        const client = clientOf(o, signerOf(o, "auditor", "history"));
        if (!o.verify) return print(kind === "receivable" ? await client.getFullHistory(id, { proofs: false }) : await client.getFullHistoryOf(kind, id, { proofs: false }));
        const { history, verdict } = await client.verifiedHistory(kind, id, await verifiedHistory.validators(o, client));
        const { blocks: _blocks, signerKeys: _keys, complete: _complete, ...shown } = history;
        verifiedHistory.print({ ...shown, items: history.items.map(({ proof: _p, ...e }) => e) }, verdict);
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

  addNodeCommands({ command, run, signerOf, clientOf, print, out, devnetOf, urlsOf, program, signal: options.signal, format: () => format });
  addWarrantCommands(command, run, signerOf, clientOf, print);
  addTitleCommands(command, run, signerOf, clientOf, print, verifiedHistory);
  addBuyerCommands(command, run, signerOf, clientOf, print);
  addSupervisionCommands(program, command, run, signerOf, clientOf, print);
  addValidatorChangeCommands(program, command, run, signerOf, clientOf, print);
  addLendingCommands(command, run, signerOf, clientOf, print, exit, devnetOf, trustedOf);
  addGovernanceCommands({ command, run, signerOf, clientOf, print, out, devnetOf, urlsOf, program, signal: options.signal, format: () => format }, env);
  addEvidenceCommands(program, command, run, signerOf, clientOf, print, exit, validatorsOf);
  return program;
}

// ---- digital warrants (DESIGN.md §7, docs/warrants.md) ------------------------------------------

type CommandFactory = (name: string, description: string, defaultParty?: string, parent?: Command) => Command;
type Runner = <A extends unknown[]>(fn: (...args: A) => Promise<void>) => (...args: A) => Promise<void>;

/** One output of a transfer as typed: `party:amount[:tradeRef]`. */
export interface OutputSpec {
  to: string;
  amount: string;
  tradeRef: string;
}

/**
 * Parses repeated `--to party:amount:tradeRef` (the recipient, the amount in major units — or minor
 * units with --minor — and the recipient's receivable on the sender; a bank's sale of a financed
 * piece to another bank has no tradeRef: `party:amount`).
 */
export function parseOutputs(specs: readonly string[] | undefined): OutputSpec[] {
  if (!specs || specs.length === 0) throw new UsageError("pass at least one --to <party:amount:tradeRef>");
  return specs.map((spec, i) => {
    const parts = spec.split(":");
    if (parts.length < 2 || parts.length > 3 || parts.some((p, n) => p === "" && n < 2)) {
      throw new UsageError(`--to ${JSON.stringify(spec)} (output ${i}): expected party:amount:tradeRef, e.g. tier2-foam:40000.00:<receivable id> (party:amount between banks)`);
    }
    const [to, amount, tradeRef = ""] = parts as [string, string, string?];
    if (tradeRef !== "" && !/^[0-9a-f]{64}$/.test(tradeRef)) throw new UsageError(`--to ${spec} (output ${i}): the tradeRef is a receivable id, 64 lower-case hex digits`);
    return { to, amount, tradeRef };
  });
}

/** Exactly one of a major-units decimal and a minor-units integer, for the option pair `name`. */
function moneyOf(major: string | undefined, minor: string | undefined, currency: string | undefined, name: string, minorName: string): bigint {
  if ((major === undefined) === (minor === undefined)) throw new UsageError(`pass exactly one of --${name} <major units, e.g. 76250.00> or --${minorName} <minor units, e.g. 7625000>`);
  if (minor !== undefined) {
    if (!/^[1-9][0-9]{0,19}$/.test(minor)) throw new UsageError(`--${minorName} ${minor}: a positive integer count of minor units`);
    return BigInt(minor);
  }
  if (!currency) throw new UsageError(`--${name} ${major}: pass --currency <code> to convert major units (or give --${minorName})`);
  const v = decimalToMinorUnits(major, currency);
  if (v === null) throw new UsageError(`--${name} ${major}: not an exact amount of ${currency} (a decimal with at most the currency's ISO 4217 decimals)`);
  if (v === 0n) throw new UsageError(`--${name} must be greater than 0`);
  return v;
}

/** A piece's or a credit line's record as the caller may read it; undefined when it cannot (absent, or not visible to it). */
async function readRecord(client: TradeLedgerClient, kind: "piece" | "creditLine", id: string): Promise<{ currency: string; expiryDate?: string; limit?: string } | undefined> {
  try {
    return kind === "piece" ? (await client.getPiece(id)).piece : (await client.getCreditLine(id)).creditLine;
  } catch (e) {
    if (e instanceof LedgerError && (e.code === "NOT_FOUND" || e.code === "FORBIDDEN" || e.status === 404 || e.status === 403)) return undefined;
    throw e;
  }
}

/** The currency major units are converted with: --currency, else the record's (when reads exist). */
async function currencyOf(o: { currency?: string }, client: TradeLedgerClient, kind: "piece" | "creditLine", id: string): Promise<string | undefined> {
  if (o.currency) return o.currency;
  return (await readRecord(client, kind, id))?.currency;
}

function eventsOf(receipt: { events: readonly Record<string, unknown>[] }, type: string): Record<string, any>[] {
  return receipt.events.filter((e) => e.type === type) as Record<string, any>[];
}

function addWarrantCommands(
  command: CommandFactory,
  run: Runner,
  signerOf: (o: CommonOptions, defaultParty: string | undefined, what: string) => Signer,
  clientOf: (o: CommonOptions, signer: Signer) => TradeLedgerClient,
  print: (value: unknown) => void,
): void {
  type MoneyOpts = { amount?: string; minor?: string; currency?: string };

  command("grant-line", "grant a core enterprise a credit line for its digital warrants (bank)", "bank-a")
    .argument("<lineId>", "a new credit line id (a-z, 0-9, '-')")
    .requiredOption("--obligor <id>", "the core enterprise (ENTERPRISE) that issues warrants on the line")
    .requiredOption("--currency <code>", "ISO 4217 code of the line")
    .option("--amount <major>", "the limit in major units, decimal (e.g. 2000000.00)")
    .option("--minor <units>", "the limit in minor units")
    .requiredOption("--expiry <date>", "expiry date YYYY-MM-DD: no warrant is issued on the line after it")
    .action(
      run(async (lineId: string, o: CommonOptions & MoneyOpts & { obligor: string; expiry: string }) => {
        const signer = signerOf(o, "bank-a", "grant-line");
        const limit = moneyOf(o.amount, o.minor, o.currency, "amount", "minor");
        const done = await clientOf(o, signer).submit(tx.grantCreditLine({ lineId, obligor: o.obligor, currency: o.currency!, limit, expiryDate: o.expiry }), signer);
        print({ lineId: done.receipt.target, txHash: done.txHash, height: done.height, bank: signer.partyId, obligor: o.obligor, currency: o.currency, limit: limit.toString(), expiryDate: o.expiry });
      }),
    );

  command("adjust-line", "raise or lower a credit line's limit (never below its outstanding) or move its expiry (the granting bank)", "bank-a")
    .argument("<lineId>")
    .option("--amount <major>", "the new limit in major units (with --currency)")
    .option("--minor <units>", "the new limit in minor units")
    .option("--currency <code>", "the line's currency, to convert --amount")
    .option("--expiry <date>", "the expiry date YYYY-MM-DD (required: the line keeps no expiry you do not pass)")
    .action(
      run(async (lineId: string, o: CommonOptions & MoneyOpts & { expiry?: string }) => {
        const signer = signerOf(o, "bank-a", "adjust-line");
        const client = clientOf(o, signer);
        let expiry = o.expiry;
        let currency = o.currency;
        if (!expiry || (!currency && o.amount !== undefined)) {
          const line = await readRecord(client, "creditLine", lineId); // defaults from the line
          expiry ??= typeof line?.expiryDate === "string" ? line.expiryDate : undefined;
          currency ??= typeof line?.currency === "string" ? line.currency : undefined;
        }
        if (!expiry) throw new UsageError("adjust-line: pass --expiry <YYYY-MM-DD> (the adjustment sets both the limit and the expiry)");
        const limit = moneyOf(o.amount, o.minor, currency, "amount", "minor");
        const done = await client.submit(tx.adjustCreditLine({ lineId, limit, expiryDate: expiry }), signer);
        const e = eventsOf(done.receipt, "creditLineAdjusted")[0];
        print({ lineId, txHash: done.txHash, height: done.height, limit: limit.toString(), expiryDate: expiry, outstanding: e?.outstanding });
      }),
    );

  command("issue-warrant", "issue a digital warrant on your credit line to a supplier, backed by its invoices on you (the obligor)")
    .requiredOption("--line <id>", "your credit line")
    .requiredOption("--holder <id>", "the supplier (ENTERPRISE) the warrant is issued to")
    .requiredOption("--currency <code>", "ISO 4217 code (the line's)")
    .option("--amount <major>", "face amount in major units, decimal")
    .option("--minor <units>", "face amount in minor units")
    .requiredOption("--maturity <date>", "maturity date YYYY-MM-DD (after today, within the genesis maxWarrantTenorDays)")
    .requiredOption("--source <ids...>", "the holder's receivables registered on you (register --buyer-party <you>): the trade background")
    .action(
      run(async (o: CommonOptions & MoneyOpts & { line: string; holder: string; maturity: string; source: string[] }) => {
        const signer = signerOf(o, undefined, "issue-warrant");
        const amount = moneyOf(o.amount, o.minor, o.currency, "amount", "minor");
        const done = await clientOf(o, signer).submit(
          tx.issueWarrant({ lineId: o.line, holder: o.holder, amount, currency: o.currency!, maturityDate: o.maturity, sources: o.source }),
          signer,
        );
        const issued = eventsOf(done.receipt, "warrantIssued")[0];
        // The warrant's id, and its first piece's, is the issuing transaction's hash (receipt.target).
        print({ warrantId: done.receipt.target, pieceId: done.receipt.target, txHash: done.txHash, height: done.height, holder: o.holder, amount: amount.toString(), currency: o.currency, maturityDate: o.maturity, lineOutstanding: issued?.lineOutstanding });
      }),
    );

  command("transfer-warrant", "pass a warrant piece on: one new piece per --to, the remainder stays with you (the holder)")
    .argument("<pieceId>")
    .option("--to <party:amount:tradeRef>", "an output (repeat, at most 16): recipient, amount (major units; minor with --minor-amounts), the recipient's receivable on you; a bank selling a financed piece: party:amount", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option("--currency <code>", "the piece's currency, to convert major units")
    .option("--minor-amounts", "the amounts in --to are minor units")
    .action(
      run(async (pieceId: string, o: CommonOptions & { to: string[]; currency?: string; minorAmounts?: boolean }) => {
        const signer = signerOf(o, undefined, "transfer-warrant");
        const client = clientOf(o, signer);
        const specs = parseOutputs(o.to);
        const currency = o.minorAmounts ? undefined : await currencyOf(o, client, "piece", pieceId);
        if (!o.minorAmounts && !currency) throw new UsageError("transfer-warrant: pass --currency <code> (the piece's) to convert the amounts in --to, or --minor-amounts");
        const outputs = specs.map((s, i) => ({
          to: s.to,
          amount: o.minorAmounts ? moneyOf(undefined, s.amount, undefined, `to[${i}] amount`, `to[${i}] amount`) : moneyOf(s.amount, undefined, currency, `to[${i}] amount`, "minor-amounts"),
          tradeRef: s.tradeRef,
        }));
        const done = await client.submit(tx.transferWarrant({ pieceId, outputs }), signer);
        // New piece ids: pieceIdOf(txHash, i) for output i, i = outputs.length for the remainder.
        const pieces = eventsOf(done.receipt, "pieceCreated").map((e) => ({ pieceId: e.pieceId, holder: e.holderId, amount: e.amount, depth: e.depth, tradeRef: e.tradeRef || undefined }));
        print({ spent: pieceId, txHash: done.txHash, height: done.height, pieces });
      }),
    );

  command("offer-warrant", "offer a HELD piece to one bank for financing; it is frozen until financed, declined or withdrawn (the holder)")
    .argument("<pieceId>")
    .requiredOption("--bank <id>", "the bank")
    .action(
      run(async (pieceId: string, o: CommonOptions & { bank: string }) => {
        const signer = signerOf(o, undefined, "offer-warrant");
        const done = await clientOf(o, signer).submit(tx.offerWarrant({ pieceId, bank: o.bank }), signer);
        print({ pieceId, status: "OFFERED", bank: o.bank, txHash: done.txHash, height: done.height });
      }),
    );

  command("withdraw-offer", "take back the offer of a piece; it is HELD again (the holder)")
    .argument("<pieceId>")
    .action(
      run(async (pieceId: string, o: CommonOptions) => {
        const signer = signerOf(o, undefined, "withdraw-offer");
        const done = await clientOf(o, signer).submit(tx.withdrawOffer({ pieceId }), signer);
        print({ pieceId, status: "HELD", txHash: done.txHash, height: done.height });
      }),
    );

  command("decline-offer", "decline a piece offered to the bank; it is HELD again by its holder (the offered bank)", "bank-a")
    .argument("<pieceId>")
    .action(
      run(async (pieceId: string, o: CommonOptions) => {
        const signer = signerOf(o, "bank-a", "decline-offer");
        const done = await clientOf(o, signer).submit(tx.declineOffer({ pieceId }), signer);
        print({ pieceId, status: "HELD", declinedBy: signer.partyId, txHash: done.txHash, height: done.height });
      }),
    );

  command("finance-warrant", "buy a piece offered to the bank for an advance; the bank becomes its holder, FINANCED (the offered bank)", "bank-a")
    .argument("<pieceId>")
    .option("--amount <major>", "the advance paid to the seller, major units (at most the piece's amount)")
    .option("--minor <units>", "the advance in minor units")
    .option("--currency <code>", "the piece's currency, to convert --amount")
    .action(
      run(async (pieceId: string, o: CommonOptions & MoneyOpts) => {
        const signer = signerOf(o, "bank-a", "finance-warrant");
        const client = clientOf(o, signer);
        const currency = o.amount !== undefined ? await currencyOf(o, client, "piece", pieceId) : undefined;
        const advance = moneyOf(o.amount, o.minor, currency, "amount", "minor");
        const done = await client.submit(tx.financeWarrant({ pieceId, advance }), signer);
        const e = eventsOf(done.receipt, "pieceFinanced")[0];
        print({ pieceId, status: "FINANCED", bank: signer.partyId, seller: e?.sellerId, advance: advance.toString(), txHash: done.txHash, height: done.height });
      }),
    );

  command("confirm-payment", "confirm the obligor paid your piece (at maturity, or early if it pays early): SETTLED (the holder)")
    .argument("<pieceId>")
    .action(
      run(async (pieceId: string, o: CommonOptions) => {
        const signer = signerOf(o, undefined, "confirm-payment");
        const done = await clientOf(o, signer).submit(tx.confirmWarrantPayment({ pieceId }), signer);
        const paid = eventsOf(done.receipt, "piecePaid")[0];
        print({
          pieceId,
          status: "SETTLED",
          warrantId: paid?.warrantId,
          amount: paid?.amount,
          lineOutstanding: paid?.lineOutstanding,
          warrantSettled: eventsOf(done.receipt, "warrantSettled").length > 0,
          txHash: done.txHash,
          height: done.height,
        });
      }),
    );
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

// ---- evidence bundles (docs/explorer.md "Evidence bundles", docs/api.md §6) -------------------------

/** The most rejections one bundle holds (as the explorer's export). */
const EVIDENCE_MAX_REJECTIONS = 2000;

/**
 * `evidence export`: the rejections of a query compiled into a signed tradeledger-evidence/v2 bundle
 * with the epoch links it needs, checked as its reader will (the genesis set alone) before it is
 * written. `evidence verify`: a bundle checked offline, with the genesis file and nothing else.
 */
function addEvidenceCommands(
  program: Command,
  command: CommandFactory,
  run: Runner,
  signerOf: (o: CommonOptions, defaultParty: string | undefined, what: string) => Signer,
  clientOf: (o: CommonOptions, signer?: Signer) => TradeLedgerClient,
  print: (value: unknown) => void,
  exit: (code: number) => void,
  genesisOf: (o: CommonOptions & { genesis?: string }) => ValidatorSet,
): void {
  const evidence = program.command("evidence").description("signed evidence bundles of the ledger's refusals: export from a node, verify offline with the genesis file");
  command("export", "compile the rejections of a query into a signed evidence bundle (tradeledger-evidence/v2) that verifies offline with the genesis file alone", "auditor", evidence)
    .requiredOption("--out <file>", "where to write the bundle (JSON)")
    .option("--code <code>", "e.g. DOUBLE_FINANCING")
    .option("--signer <id>")
    .option("--target <id>", "a receivable id, document hash or party id")
    .option("--genesis <file>", "the genesis file the links are proven from (default <devnet>/genesis.json)")
    .action(
      run(async (o: CommonOptions & { out: string; code?: string; signer?: string; target?: string; genesis?: string }) => {
        const signer = signerOf(o, "auditor", "evidence export");
        const client = clientOf(o, signer);
        const genesis = genesisOf(o);
        const query: Record<string, string> = {};
        for (const k of ["code", "signer", "target"] as const) if (o[k]) query[k] = o[k]!;
        const rejections: TxEntryJson[] = [];
        for await (const r of paginate((cursor) => client.getRejections({ ...query, limit: 500, ...(cursor ? { cursor } : {}) } as never))) {
          rejections.push(r);
          if (rejections.length >= EVIDENCE_MAX_REJECTIONS) break;
        }
        if (rejections.length === 0) throw new UsageError(`no rejection matches ${JSON.stringify(query)}: nothing to compile`);
        const transactions: TxJson[] = [];
        const histories = new Map<string, HistoryPageJson>();
        for (const r of rejections) {
          transactions.push(await client.getTx(r.txHash, { waitCertifiedMs: 10_000 }));
          if (/^[0-9a-f]{64}$/.test(r.target) && !histories.has(r.target)) {
            try {
              histories.set(r.target, await client.getFullHistory(r.target, { waitCertifiedMs: 10_000 }));
            } catch (e) {
              // the target is a document hash or an id that never became a receivable
              if (!(e instanceof LedgerError) || (e.status !== 404 && e.status !== 403)) throw e;
            }
          }
        }
        // the links the node serves, proven from the genesis set; the bundle carries those it needs
        const served = (await client.getValidatorSets()).links;
        const sets = verifyValidatorSets(genesis, served);
        if (!sets.ok) throw new ValidatorSetsError(`the chain of validator sets served does not verify from the genesis set: ${sets.problems[0]!.code} ${sets.problems[0]!.message}`);
        const parts = { transactions, histories: [...histories.values()] };
        const bundle = await signEvidence(signer, { chainId: genesis.chainId, compiledBy: signer.partyId, compiledAt: new Date().toISOString(), query, rejections, ...parts, links: evidenceLinks(parts, served) });
        const check = verifyEvidence(bundle, genesis);
        if (!check.ok) throw new Error(`the bundle does not verify with the genesis set: ${check.problems.slice(0, 3).map((p) => `${p.code}${p.cause ? ` (${p.cause})` : ""} ${p.message}`).join("; ")}`);
        writeFileSync(o.out, JSON.stringify(bundle, null, 1) + "\n");
        print({ file: o.out, format: bundle.format, compiledBy: bundle.compiledBy, publicKey: bundle.publicKey, rejections: rejections.length, proven: check.proven, histories: check.histories, links: bundle.links.length, epochs: check.epochs, verified: true });
      }),
    );
  evidence
    .command("verify")
    .description("verify an evidence bundle offline: the compiler's signature, the chain of validator sets from the genesis file (v2: with the bundle's own links), every transaction and history with its epoch's set; exit 1 unless it verifies")
    .argument("<file>", "the bundle (tradeledger-evidence/v2, or v1)")
    .option("--genesis <file>", "the genesis file (default <devnet>/genesis.json)")
    .option("--devnet <dir>", "devnet folder with genesis.json")
    .option("--compiler-key <hex>", "the compiler's public key as you know it (else the bundle's own is only shown)")
    .option("--json", "print JSON (the default when the output is not a terminal)")
    .action(
      run(async (file: string, o: CommonOptions & { genesis?: string; compilerKey?: string }) => {
        const bundle = readJson(file) as EvidenceBundle;
        const check = verifyEvidence(bundle, genesisOf(o), o.compilerKey !== undefined ? { compilerKey: o.compilerKey } : {});
        const b = bundle as Partial<EvidenceBundle> | null;
        print({ file, format: b?.format ?? null, chainId: b?.chainId ?? null, compiledBy: b?.compiledBy ?? null, publicKey: b?.publicKey ?? null, compiledAt: b?.compiledAt ?? null, links: Array.isArray(b?.links) ? b.links.length : null, ...check });
        if (!check.ok) exit(1);
      }),
    );
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

// ---- shared by the title and buyer commands -------------------------------------------------------

const HEX64_RE = /^[0-9a-f]{64}$/;
const QUANTITY_RE = /^(?:0|[1-9][0-9]{0,19})$/;
const U64_MAX = 2n ** 64n - 1n;

/** What the history commands' --verify uses: the verdict on an object's whole history, and how it is printed (exit 1 unless ok). */
interface VerifiedHistory {
  /** the validators to trust: the chain of sets the node serves, proven from --genesis (else the devnet's genesis.json) */
  validators(o: CommonOptions & { genesis?: string }, client: TradeLedgerClient): Promise<TrustedValidators>;
  print(value: object, verdict: VerificationReport): void;
}

/** `--kind` of the history command, with the id checked for that kind. */
function historyKindOf(kind: string, id: string): HistoryKind {
  if (!(HISTORY_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind ${kind}: one of ${HISTORY_KINDS.join(", ")}`);
  if (kind === "line" || kind === "lot") {
    if (!PARTY_ID_RE.test(id)) throw new UsageError(`${kind} id ${JSON.stringify(id)}: 2-63 characters of a-z, 0-9 and '-'`);
  } else idOf(id, `${kind} id`);
  return kind as HistoryKind;
}

/** A title or receivable id (a transaction hash) given on the command line. */
function idOf(value: string, what: string): string {
  if (!HEX64_RE.test(value)) throw new UsageError(`${what} ${JSON.stringify(value)}: 64 lower-case hex digits (the hash of the transaction that created it)`);
  return value;
}

/** A quantity of goods: a whole count of the lot's unit (tonnes, kilograms, ...), never a decimal. */
export function quantityOf(value: string | undefined, opts: { allowZero: boolean; option?: string }): bigint {
  const name = opts.option ?? "--quantity";
  if (value === undefined) throw new UsageError(`pass ${name} <n> (a whole count of the lot's unit)`);
  if (!QUANTITY_RE.test(value)) throw new UsageError(`${name} ${value}: a whole count of the lot's unit (e.g. 1000 for 1,000 TNE); no sign, decimals or exponent`);
  const q = BigInt(value);
  if (q > U64_MAX) throw new UsageError(`${name} ${value}: above 2^64-1`);
  if (q === 0n && !opts.allowZero) throw new UsageError(`${name} must be greater than 0`);
  return q;
}

/** A title kind as typed: warehouse-receipt (wr) or bill-of-lading (bl), any case. */
export function titleKindOf(value: string | undefined): TitleKind {
  const k = (value ?? "warehouse-receipt").toLowerCase().replace(/_/g, "-");
  if (k === "warehouse-receipt" || k === "wr") return "WAREHOUSE_RECEIPT";
  if (k === "bill-of-lading" || k === "bl") return "BILL_OF_LADING";
  throw new UsageError(`--kind ${value}: warehouse-receipt (wr) or bill-of-lading (bl)`);
}

/**
 * The payee account's hash a notice of assignment carries: SHA-256 of the account as the bank
 * gives it to the buyer, with spaces removed and letters upper-cased (an IBAN's print form and its
 * electronic form give one hash); the account itself stays off the ledger.
 */
export function payeeAccountHashOf(account: string): Uint8Array {
  const normal = account.replace(/\s+/g, "").toUpperCase();
  if (normal === "") throw new UsageError("--account: the payee account the buyer is to pay (e.g. an IBAN)");
  return sha256(utf8(normal));
}

/** Runs a builder: a payload the ledger would refuse as MALFORMED is a usage error, before signing. */
function built<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof MalformedError || e instanceof FingerprintError) throw new UsageError(e.message);
    throw e;
  }
}

/** A record the caller may read, or undefined when it is absent or not visible to it. */
async function readable<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof LedgerError && (e.code === "NOT_FOUND" || e.code === "FORBIDDEN" || e.status === 404 || e.status === 403)) return undefined;
    throw e;
  }
}

function pageOf(o: { limit?: string; cursor?: string }): { limit?: number; cursor?: string } {
  if (o.limit !== undefined && !/^[1-9][0-9]{0,3}$/.test(o.limit)) throw new UsageError(`--limit ${o.limit}: 1 to 1000`);
  const limit = o.limit === undefined ? undefined : Number(o.limit);
  if (limit !== undefined && limit > 1000) throw new UsageError(`--limit ${o.limit}: 1 to 1000`);
  return { ...(limit !== undefined ? { limit } : {}), ...(o.cursor ? { cursor: o.cursor } : {}) };
}

// ---- title documents and pledges (DESIGN.md §8, docs/titles.md) -----------------------------------

function addTitleCommands(
  command: CommandFactory,
  run: Runner,
  signerOf: (o: CommonOptions, defaultParty: string | undefined, what: string) => Signer,
  clientOf: (o: CommonOptions, signer: Signer) => TradeLedgerClient,
  print: (value: unknown) => void,
  verifiedHistory: VerifiedHistory,
): void {
  type MoneyOpts = { amount?: string; minor?: string; currency?: string };

  command("attest-stock", "state what one of your lots holds now (a custodian): the first attestation creates the lot, later ones set its quantity, never below its live titles")
    .argument("<lotId>", "the lot id you choose (2-63 of a-z, 0-9, '-')")
    .option("--quantity <n>", "what the lot holds now, a whole count of its unit (0: emptied)")
    .option("--hs-code <code>", "the goods' Harmonized System code, 6-10 digits (default: the lot's, once attested)")
    .option("--unit <code>", "UN/ECE Recommendation 20 unit code: TNE, KGM, ... (default: the lot's)")
    .option("--description <file>", "the goods' description, a JSON document hashed like every document (salts in <file>.salts.json)")
    .option("--description-hash <hex>", "or the description's 32-byte document hash")
    .action(
      run(async (lotId: string, o: CommonOptions & { quantity?: string; hsCode?: string; unit?: string; description?: string; descriptionHash?: string }) => {
        if (!PARTY_ID_RE.test(lotId)) throw new UsageError(`lot id ${JSON.stringify(lotId)}: 2-63 characters of a-z, 0-9 and '-', starting with a letter or digit`);
        const quantity = quantityOf(o.quantity, { allowZero: true });
        if (o.description !== undefined && o.descriptionHash !== undefined) throw new UsageError("--description and --description-hash exclude each other");
        const signer = signerOf(o, undefined, "attest-stock");
        const client = clientOf(o, signer);
        let descriptionHash: string | Uint8Array | undefined = o.descriptionHash;
        let saltsFile: string | undefined;
        if (o.description !== undefined) {
          const h = hashWithSalts(o.description, readJson(o.description));
          descriptionHash = h.commitment.root;
          saltsFile = h.saltsFile;
        }
        let { hsCode, unit } = o;
        if (hsCode === undefined || unit === undefined || descriptionHash === undefined) {
          // A later attestation keeps the lot's goods: take what is not given from the lot.
          const lot = (await readable(() => client.getLot(lotId, { limit: 1 })))?.lot;
          if (!lot) throw new UsageError(`attest-stock: ${lotId} is a new lot (or not yours): pass --hs-code, --unit and --description <file> (or --description-hash)`);
          hsCode ??= lot.goods.hsCode;
          unit ??= lot.goods.unit;
          descriptionHash ??= lot.goods.descriptionHash;
        }
        const payload = built(() => tx.attestStock({ lotId, goods: { hsCode: hsCode!, unit: unit!, descriptionHash: descriptionHash! }, quantity }));
        const done = await client.submit(payload, signer);
        const e = eventsOf(done.receipt, "stockAttested")[0];
        print({
          lotId,
          custodian: signer.partyId,
          goods: { hsCode, unit, descriptionHash: toHex(payload.goods.descriptionHash) },
          quantity: quantity.toString(),
          titled: e?.titled,
          ...(saltsFile ? { saltsFile } : {}),
          txHash: done.txHash,
          height: done.height,
        });
      }),
    );

  command("issue-title", "issue a warehouse receipt or a bill of lading over part of your lot to an enterprise (the custodian); never beyond the lot's attested stock")
    .requiredOption("--lot <id>", "your lot")
    .requiredOption("--holder <id>", "the enterprise (ENTERPRISE) it is issued to")
    .option("--quantity <n>", "how much of the lot it represents, a whole count of the lot's unit")
    .option("--kind <kind>", "warehouse-receipt (default) or bill-of-lading")
    .option("--number <ref>", "the document number printed on it (receipt number; B/L number with --scac): its fingerprint")
    .option("--scac <code>", "a bill of lading's carrier code (SCAC)")
    .option("--fingerprint <hex>", "the document's fingerprint computed elsewhere, instead of --number")
    .action(
      run(async (o: CommonOptions & { lot: string; holder: string; quantity?: string; kind?: string; number?: string; scac?: string; fingerprint?: string }) => {
        const kind = titleKindOf(o.kind);
        const quantity = quantityOf(o.quantity, { allowZero: false });
        if ((o.number === undefined) === (o.fingerprint === undefined)) throw new UsageError("pass exactly one of --number <the document number> or --fingerprint <64 hex digits>");
        if (o.fingerprint !== undefined && !HEX64_RE.test(o.fingerprint)) throw new UsageError(`--fingerprint ${o.fingerprint}: 64 lower-case hex digits`);
        if (kind === "BILL_OF_LADING" && o.number !== undefined && o.scac === undefined) throw new UsageError("a bill of lading's fingerprint names its carrier: pass --scac <carrier code> with --number");
        if (kind === "WAREHOUSE_RECEIPT" && o.scac !== undefined) throw new UsageError("--scac is for a bill of lading (--kind bill-of-lading)");
        const signer = signerOf(o, undefined, "issue-title");
        const fingerprint =
          o.fingerprint ??
          toHex(
            built(() =>
              kind === "WAREHOUSE_RECEIPT"
                ? fingerprintWarehouseReceipt({ custodianId: signer.partyId, receiptNumber: o.number! })
                : fingerprintBillOfLading({ carrierScac: o.scac!, blNumber: o.number! }),
            ),
          );
        const payload = built(() => tx.issueTitle({ kind, fingerprint, lotId: o.lot, quantity, holder: o.holder }));
        const done = await clientOf(o, signer).submit(payload, signer);
        const e = eventsOf(done.receipt, "titleIssued")[0];
        // The title's id is the issuing transaction's hash (receipt.target).
        print({
          titleId: done.receipt.target,
          kind,
          ...(o.number !== undefined ? { number: o.number } : {}),
          fingerprint,
          lotId: o.lot,
          custodian: signer.partyId,
          holder: o.holder,
          quantity: quantity.toString(),
          lotTitled: e?.lotTitled,
          status: "HELD",
          txHash: done.txHash,
          height: done.height,
        });
      }),
    );

  command("transfer-title", "pass a free title (not offered or pledged) to another enterprise (the holder)")
    .argument("<titleId>")
    .requiredOption("--to <id>", "the new holder (ENTERPRISE)")
    .action(
      run(async (titleId: string, o: CommonOptions & { to: string }) => {
        idOf(titleId, "title id");
        const signer = signerOf(o, undefined, "transfer-title");
        const done = await clientOf(o, signer).submit(built(() => tx.transferTitle({ titleId, to: o.to })), signer);
        print({ titleId, status: "HELD", from: signer.partyId, holder: o.to, txHash: done.txHash, height: done.height });
      }),
    );

  command("offer-pledge", "offer a free title to one bank as security; it is frozen until the bank accepts or the pledge is released (the holder)")
    .argument("<titleId>")
    .requiredOption("--bank <id>", "the bank")
    .requiredOption("--currency <code>", "ISO 4217 code of the secured amount")
    .option("--amount <major>", "the amount it secures, major units, decimal (e.g. 5000000.00)")
    .option("--minor <units>", "the amount in minor units")
    .requiredOption("--expiry <date>", "the pledge's last day, YYYY-MM-DD (the bank accepts before it)")
    .action(
      run(async (titleId: string, o: CommonOptions & MoneyOpts & { bank: string; expiry: string }) => {
        idOf(titleId, "title id");
        const securedAmount = moneyOf(o.amount, o.minor, o.currency, "amount", "minor");
        const signer = signerOf(o, undefined, "offer-pledge");
        const payload = built(() => tx.offerPledge({ titleId, bank: o.bank, securedAmount, currency: o.currency!, expiryDate: o.expiry }));
        const done = await clientOf(o, signer).submit(payload, signer);
        print({ titleId, status: "PLEDGE_OFFERED", holder: signer.partyId, bank: o.bank, securedAmount: securedAmount.toString(), currency: o.currency, expiryDate: o.expiry, txHash: done.txHash, height: done.height });
      }),
    );

  command("accept-pledge", "accept a title offered to the bank in pledge: PLEDGED until the bank releases it (the offered bank)", "bank-a")
    .argument("<titleId>")
    .action(
      run(async (titleId: string, o: CommonOptions) => {
        idOf(titleId, "title id");
        const signer = signerOf(o, "bank-a", "accept-pledge");
        const done = await clientOf(o, signer).submit(built(() => tx.acceptPledge({ titleId })), signer);
        const e = eventsOf(done.receipt, "pledgeAccepted")[0];
        print({ titleId, status: "PLEDGED", bank: signer.partyId, holder: e?.holderId, txHash: done.txHash, height: done.height });
      }),
    );

  command("release-pledge", "release a pledge (the pledgee bank), or withdraw an offer no bank accepted yet (the holder, with --party): the title is free again", "bank-a")
    .argument("<titleId>")
    .action(
      run(async (titleId: string, o: CommonOptions) => {
        idOf(titleId, "title id");
        const signer = signerOf(o, "bank-a", "release-pledge");
        const done = await clientOf(o, signer).submit(built(() => tx.releasePledge({ titleId })), signer);
        const e = eventsOf(done.receipt, "pledgeReleased")[0];
        print({ titleId, status: "HELD", bank: e?.bankId, holder: e?.holderId, releasedBy: signer.partyId, wasAccepted: e?.wasAccepted, txHash: done.txHash, height: done.height });
      }),
    );

  command("surrender-title", "the goods were delivered against a free title: SURRENDERED, its quantity on the lot and its fingerprint free again (the issuing custodian)")
    .argument("<titleId>")
    .action(
      run(async (titleId: string, o: CommonOptions) => {
        idOf(titleId, "title id");
        const signer = signerOf(o, undefined, "surrender-title");
        const done = await clientOf(o, signer).submit(built(() => tx.surrenderTitle({ titleId })), signer);
        const e = eventsOf(done.receipt, "titleSurrendered")[0];
        print({ titleId, status: "SURRENDERED", lotId: e?.lotId, holder: e?.holderId, quantity: e?.quantity, lotTitled: e?.lotTitled, txHash: done.txHash, height: done.height });
      }),
    );

  command("show-title", "a title document with its pledge history (its custodian, holder, pledgee bank, auditors); --verify proves its history complete", "auditor")
    .argument("<titleId>")
    .option("--verify", "verify the title's whole history against the genesis validator set (every entry proven, none missing up to a certified height) and the pledges shown against it (verifyTitlePledges)")
    .option("--genesis <file>", "the genesis whose validators to trust (default <devnet>/genesis.json)")
    .action(
      run(async (titleId: string, o: CommonOptions & { verify?: boolean; genesis?: string }) => {
        idOf(titleId, "title id");
        const client = clientOf(o, signerOf(o, "auditor", "show-title"));
        if (!o.verify) return print(await client.getTitle(titleId));
        // the title's history proven complete, and the pledges shown re-derived from it
        const { title, verdict } = await client.verifiedTitle(titleId, await verifiedHistory.validators(o, client));
        verifiedHistory.print(title, verdict);
      }),
    );

  command("show-lot", "a lot with a page of its titles: all of them for its custodian and auditors, a holder's own for a holder", "auditor")
    .argument("<lotId>")
    .option("--limit <n>", "page size (1-1000)")
    .option("--cursor <cursor>", "from a previous page")
    .option("--verify", "verify the lot's whole history (attestations, every title issued on or surrendered from it) against the genesis validator set (verifyObjectHistory)")
    .option("--genesis <file>", "the genesis whose validators to trust (default <devnet>/genesis.json)")
    .action(
      run(async (lotId: string, o: CommonOptions & { limit?: string; cursor?: string; verify?: boolean; genesis?: string }) => {
        if (!PARTY_ID_RE.test(lotId)) throw new UsageError(`lot id ${JSON.stringify(lotId)}: 2-63 characters of a-z, 0-9 and '-'`);
        const page = pageOf(o);
        const client = clientOf(o, signerOf(o, "auditor", "show-lot"));
        const lot = await client.getLot(lotId, page);
        if (!o.verify) return print(lot);
        verifiedHistory.print(lot, (await client.verifiedHistory("lot", lotId, await verifiedHistory.validators(o, client))).verdict);
      }),
    );

  command("titles", "the live titles a party holds (for a bank: those offered or pledged to it); read as the party itself unless --party")
    .argument("<partyId>")
    .option("--status <status>", "HELD, PLEDGE_OFFERED or PLEDGED")
    .option("--lot <id>", "only titles on this lot")
    .option("--limit <n>", "page size (1-1000)")
    .option("--cursor <cursor>", "from a previous page")
    .action(
      run(async (partyId: string, o: CommonOptions & { status?: string; lot?: string; limit?: string; cursor?: string }) => {
        const statuses = ["HELD", "PLEDGE_OFFERED", "PLEDGED"] as const;
        const status = o.status?.toUpperCase().replace(/-/g, "_");
        if (status !== undefined && !statuses.includes(status as (typeof statuses)[number])) throw new UsageError(`--status ${o.status}: one of ${statuses.join(", ")} (a surrendered title is no one's any more)`);
        const page = pageOf(o);
        const client = clientOf(o, signerOf(o, partyId, "titles"));
        print(await client.listTitles(partyId, { ...page, ...(status ? { status: status as (typeof statuses)[number] } : {}), ...(o.lot ? { lot: o.lot } : {}) }));
      }),
    );
}

// ---- the buyer's word (DESIGN.md §9, docs/ledger.md) ----------------------------------------------

function addBuyerCommands(
  command: CommandFactory,
  run: Runner,
  signerOf: (o: CommonOptions, defaultParty: string | undefined, what: string) => Signer,
  clientOf: (o: CommonOptions, signer: Signer) => TradeLedgerClient,
  print: (value: unknown) => void,
): void {
  command("acknowledge", "confirm you owe a receivable (its buyer): how much, and when; a later acknowledgement replaces it, never below what banks finance")
    .argument("<receivableId>")
    .option("--amount <major>", "what you owe, major units, decimal (at most the invoice's face value)")
    .option("--minor <units>", "what you owe in minor units")
    .option("--due <date>", "when you will pay, YYYY-MM-DD (default: the invoice's due date)")
    .action(
      run(async (id: string, o: CommonOptions & AmountOptions & { due?: string }) => {
        idOf(id, "receivable id");
        const signer = signerOf(o, undefined, "acknowledge");
        const client = clientOf(o, signer);
        // The buyer reads the receivable it owes: its currency, and the invoice's due date by default.
        const r = (await client.getReceivable(id)).receivable;
        const amount = amountOf(o, r.currency);
        const dueDate = o.due ?? r.dueDate;
        const done = await client.submit(built(() => tx.acknowledgeReceivable({ receivableId: id, amount, dueDate })), signer);
        print({ receivableId: id, buyer: signer.partyId, acknowledgedAmount: amount.toString(), currency: r.currency, dueDate, faceValue: r.amount, txHash: done.txHash, height: done.height });
      }),
    );

  command("dispute", "dispute a receivable you are the buyer of: no bank may finance it (DISPUTED) until you resolve it")
    .argument("<receivableId>")
    .requiredOption("--reason <text>", "why (1-500 characters; recorded on the ledger, seen by the exporter and its banks)")
    .action(
      run(async (id: string, o: CommonOptions & { reason: string }) => {
        idOf(id, "receivable id");
        const signer = signerOf(o, undefined, "dispute");
        const done = await clientOf(o, signer).submit(built(() => tx.disputeReceivable({ receivableId: id, reason: o.reason })), signer);
        print({ receivableId: id, disputed: true, buyer: signer.partyId, reason: o.reason, txHash: done.txHash, height: done.height });
      }),
    );

  command("resolve-dispute", "withdraw your dispute of a receivable (its buyer): it may be financed again")
    .argument("<receivableId>")
    .action(
      run(async (id: string, o: CommonOptions) => {
        idOf(id, "receivable id");
        const signer = signerOf(o, undefined, "resolve-dispute");
        const done = await clientOf(o, signer).submit(built(() => tx.resolveDispute({ receivableId: id })), signer);
        print({ receivableId: id, disputed: false, buyer: signer.partyId, txHash: done.txHash, height: done.height });
      }),
    );

  command("notify-assignment", "tell a receivable's buyer, on the ledger, to pay the bank's account (a bank that finances it); only that bank may change it while it finances it", "bank-a")
    .argument("<receivableId>")
    .option("--account <account>", "the payee account (e.g. an IBAN); only its SHA-256 goes on the ledger (spaces removed, upper-cased)")
    .option("--account-hash <hex>", "or the account's hash, 64 hex digits")
    .action(
      run(async (id: string, o: CommonOptions & { account?: string; accountHash?: string }) => {
        idOf(id, "receivable id");
        if ((o.account === undefined) === (o.accountHash === undefined)) throw new UsageError("pass exactly one of --account <the payee account> or --account-hash <64 hex digits>");
        if (o.accountHash !== undefined && !HEX64_RE.test(o.accountHash)) throw new UsageError(`--account-hash ${o.accountHash}: 64 lower-case hex digits (SHA-256 of the account)`);
        const payeeAccountHash = o.accountHash ?? toHex(payeeAccountHashOf(o.account!));
        const signer = signerOf(o, "bank-a", "notify-assignment");
        const done = await clientOf(o, signer).submit(built(() => tx.notifyAssignment({ receivableId: id, payeeAccountHash })), signer);
        const e = eventsOf(done.receipt, "assignmentNotified")[0];
        print({ receivableId: id, payeeBankId: signer.partyId, payeeAccountHash, buyerPartyId: e?.buyerPartyId || undefined, txHash: done.txHash, height: done.height });
      }),
    );

}

// ---- supervision (DESIGN.md §11, docs/supervision.md) ----------------------------------------------

function addSupervisionCommands(
  program: Command,
  command: CommandFactory,
  run: Runner,
  signerOf: (o: CommonOptions, defaultParty: string | undefined, what: string) => Signer,
  clientOf: (o: CommonOptions, signer: Signer) => TradeLedgerClient,
  print: (value: unknown) => void,
): void {
  command("alerts", "supervision alerts (regulators and auditors: all; others: the alerts naming them)", "regulator")
    .option("--rule <id>", "alerts of this rule")
    .option("--of <party>", "alerts naming this party")
    .option("--from-height <n>", "first block height (inclusive)")
    .option("--to-height <n>", "last block height (inclusive)")
    .option("--limit <n>", "page size", "50")
    .option("--cursor <cursor>", "from a previous page")
    .action(
      run(async (o: CommonOptions & { rule?: string; of?: string; fromHeight?: string; toHeight?: string; limit: string; cursor?: string }) => {
        for (const [name, v] of [["--from-height", o.fromHeight], ["--to-height", o.toHeight]] as const) {
          if (v !== undefined && !/^(0|[1-9][0-9]{0,19})$/.test(v)) throw new UsageError(`${name} ${v}: a block height`);
        }
        const client = clientOf(o, signerOf(o, "regulator", "alerts"));
        print(
          await client.getAlerts({
            ...(o.rule ? { rule: o.rule } : {}),
            ...(o.of ? { party: o.of } : {}),
            ...(o.fromHeight ? { fromHeight: o.fromHeight } : {}),
            ...(o.toHeight ? { toHeight: o.toHeight } : {}),
            ...(o.cursor ? { cursor: o.cursor } : {}),
            limit: Number(o.limit),
          }),
        );
      }),
    );

  const rule = program.command("rule").description("supervision rules (a REGULATOR): set, retire, list (docs/supervision.md)");
  // The shared options of every client command (--url, --party, --key, --devnet, --json), under `rule`.
  const sub = (name: string, description: string) => command(name, description, "regulator", rule);
  const intOf = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    if (!/^[0-9]{1,9}$/.test(v)) throw new UsageError(`--${name} ${v}: a whole number`);
    return Number(v);
  };

  sub("set", "set a supervision rule, or replace the active rule of that id")
    .argument("<ruleId>")
    .requiredOption("--kind <kind>", "CONCENTRATION, LARGE_EXPOSURE, VELOCITY, CYCLE, VALUE_MISMATCH, REJECTION_BURST, OVERDUE_AGE or PLEDGE_CONFLICT")
    .option("--severity <severity>", "ALERT (record an alert) or BLOCK (reject the transaction)", "ALERT")
    .option("--basis-points <n>", "CONCENTRATION, VALUE_MISMATCH: the threshold in basis points (25% = 2500)")
    .option("--currency <code>", "CONCENTRATION, LARGE_EXPOSURE: the currency of the book")
    .option("--amount <major>", "LARGE_EXPOSURE: the limit; CONCENTRATION: the smallest book it applies to (major units, e.g. 1000000.00)")
    .option("--minor <units>", "or that amount in minor units")
    .option("--hours <n>", "VELOCITY: financed less than this many hours after registration")
    .option("--count <n>", "REJECTION_BURST: this many rejections ...")
    .option("--window-minutes <n>", "REJECTION_BURST: ... within this many minutes")
    .option("--days <n>", "OVERDUE_AGE: more than this many days past due")
    .action(
      run(async (ruleId: string, o: CommonOptions & { kind: string; severity: string; basisPoints?: string; currency?: string; amount?: string; minor?: string; hours?: string; count?: string; windowMinutes?: string; days?: string }) => {
        const params: Record<string, unknown> = {};
        const put = (k: string, v: unknown) => v !== undefined && (params[k] = v);
        put("basisPoints", intOf(o.basisPoints, "basis-points"));
        put("currency", o.currency);
        if (o.amount !== undefined || o.minor !== undefined) params.amount = amountOf(o, o.currency ?? "USD");
        put("hours", intOf(o.hours, "hours"));
        put("count", intOf(o.count, "count"));
        put("windowMinutes", intOf(o.windowMinutes, "window-minutes"));
        put("days", intOf(o.days, "days"));
        const signer = signerOf(o, "regulator", "rule set");
        const payload = built(() => tx.setRule({ ruleId, kind: o.kind as never, severity: o.severity as never, params: params as never }));
        const done = await clientOf(o, signer).submit(payload, signer);
        print({ ruleId, kind: payload.kind, severity: payload.severity, params: toJsonView(payload.params), setBy: signer.partyId, txHash: done.txHash, height: done.height });
      }),
    );

  sub("retire", "retire an active supervision rule")
    .argument("<ruleId>")
    .action(
      run(async (ruleId: string, o: CommonOptions) => {
        const signer = signerOf(o, "regulator", "rule retire");
        const done = await clientOf(o, signer).submit(built(() => tx.retireRule({ ruleId })), signer);
        print({ ruleId, retired: true, txHash: done.txHash, height: done.height });
      }),
    );

  sub("list", "the active supervision rules (any registered party)")
    .action(
      run(async (o: CommonOptions) => {
        print(await clientOf(o, signerOf(o, "regulator", "rule list")).getRules());
      }),
    );
}

// ---- governance (DESIGN.md §12, docs/governance.md): validator-set changes -----------------------

function addValidatorChangeCommands(
  program: Command,
  command: CommandFactory,
  run: Runner,
  signerOf: (o: CommonOptions, defaultParty: string | undefined, what: string) => Signer,
  clientOf: (o: CommonOptions, signer: Signer) => TradeLedgerClient,
  print: (value: unknown) => void,
): void {
  const governance = program.command("governance").description("validator-set changes by 2f + 1 of the current validators' parties: propose, approve, status (docs/governance.md)");
  const sub = (name: string, description: string) => command(name, description, undefined, governance);
  const statusOf = async (client: TradeLedgerClient, proposal: string | undefined) => {
    const { governance: g, asOf } = await client.getGovernance(proposal ? { proposal } : {});
    return { ...g, n: g.validators.length, asOf };
  };

  sub("propose", "propose adding or removing one validator, or a new node key for one (rotate); you must run a current validator; your approval counts")
    .argument("<change>", "add, remove or rotate")
    .requiredOption("--node-key <hex>", "the validator's ed25519 node public key, 64 hex digits (its genesis/node-key nodePublicKey); for rotate its current key")
    .requiredOption("--validator-party <id>", "the party that runs that validator")
    .option("--new-node-key <hex>", "rotate only: the node public key it signs with from the switch on (tradeledger keys generate --node)")
    .option("--new-node-key-proof <hex>", "rotate only: that key's possession proof, 128 hex digits (its operator's `tradeledger keys node-possession`)")
    .action(
      run(async (change: string, o: CommonOptions & { nodeKey: string; validatorParty: string; newNodeKey?: string; newNodeKeyProof?: string }) => {
        const kind = change === "rotate" ? "ROTATE_KEY" : change.toUpperCase();
        if (kind !== "ADD" && kind !== "REMOVE" && kind !== "ROTATE_KEY") throw new UsageError(`governance propose ${change}: add, remove or rotate`);
        if (kind === "ROTATE_KEY" && (o.newNodeKey === undefined || o.newNodeKeyProof === undefined))
          throw new UsageError("governance propose rotate: --new-node-key and --new-node-key-proof are required (the new key's operator prints both: tradeledger keys node-possession)");
        if (kind !== "ROTATE_KEY" && (o.newNodeKey !== undefined || o.newNodeKeyProof !== undefined)) throw new UsageError(`governance propose ${change}: --new-node-key and --new-node-key-proof are for rotate only`);
        const signer = signerOf(o, undefined, "governance propose");
        const client = clientOf(o, signer);
        const newKey = o.newNodeKey !== undefined ? { newNodePublicKey: o.newNodeKey } : {};
        const proof = o.newNodeKeyProof !== undefined ? { newNodeKeyProof: o.newNodeKeyProof } : {};
        const done = await client.submit(built(() => tx.proposeValidatorChange({ change: kind, nodePublicKey: o.nodeKey, partyId: o.validatorParty, ...newKey, ...proof })), signer);
        const status = await statusOf(client, done.txHash);
        print({ proposalId: done.txHash, change: kind, partyId: o.validatorParty, nodePublicKey: o.nodeKey, ...newKey, approvals: status.proposal?.approvals ?? [], needed: status.approvalsNeeded, height: done.height });
      }),
    );

  sub("approve", "approve an open validator-set proposal (you must run a current validator); 2f + 1 decide it")
    .argument("<proposalId>")
    .action(
      run(async (proposalId: string, o: CommonOptions) => {
        idOf(proposalId, "proposal id");
        const signer = signerOf(o, undefined, "governance approve");
        const client = clientOf(o, signer);
        const done = await client.submit(built(() => tx.approveValidatorChange({ proposalId })), signer);
        const decided = eventsOf(done.receipt, "validatorSetChanged")[0];
        const approved = eventsOf(done.receipt, "validatorChangeApproved")[0];
        print({
          proposalId,
          approver: signer.partyId,
          approvals: approved?.approvals,
          needed: approved?.needed,
          decided: decided !== undefined,
          ...(decided ? { validators: decided.validators, version: decided.version } : {}),
          txHash: done.txHash,
          height: done.height,
        });
      }),
    );

  sub("status", "the validator set in ledger state (n, f, approvals needed) and, with an id, one proposal")
    .argument("[proposalId]")
    .action(
      run(async (proposalId: string | undefined, o: CommonOptions) => {
        if (proposalId !== undefined) idOf(proposalId, "proposal id");
        print(await statusOf(clientOf(o, signerOf(o, undefined, "governance status")), proposalId));
      }),
    );
}

// ---- the node, its blocks, transactions and events; parties; signed requests for curl -------------

interface NodeCommandDeps {
  command: (name: string, description: string, defaultParty?: string, parent?: Command) => Command;
  run: Runner;
  signerOf: (o: CommonOptions, defaultParty: string | undefined, what: string) => Signer;
  clientOf: (o: CommonOptions, signer?: Signer) => TradeLedgerClient;
  print: (value: unknown) => void;
  out: (text: string) => void;
  devnetOf: (o: CommonOptions) => string;
  urlsOf: (o: CommonOptions) => string[];
  program: Command;
  signal: AbortSignal | undefined;
  format: () => OutputFormat;
}

const HEIGHT_RE = /^(?:latest|[1-9][0-9]{0,19})$/;

/** A shell word: single-quoted unless it is plainly safe (POSIX sh). */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The x-tl-* headers of a signed request and the curl command that sends it (docs/security.md):
 * the signature binds the chain, the party, the time, a fresh nonce, the method and the target
 * exactly as sent (path and query, as the URL serialises them), so the command is for one use
 * within MAX_CLOCK_SKEW_MS.
 */
export async function signRequest(
  signer: Signer,
  req: { chainId: string; method: string; url: string; body?: string; time?: bigint; nonce?: Uint8Array },
): Promise<{ method: string; url: string; target: string; headers: Record<string, string>; curl: string }> {
  const method = req.method.toUpperCase();
  if (method !== "GET" && method !== "POST") throw new UsageError(`method ${req.method}: GET or POST`);
  const url = new URL(req.url);
  const target = url.pathname + url.search;
  const headers: Record<string, string> = await signedReadHeaders(signer, {
    chainId: req.chainId,
    time: req.time ?? BigInt(Date.now()),
    nonce: req.nonce ?? randomBytes(REQUEST_NONCE_BYTES),
    method,
    target,
  });
  if (req.body !== undefined) headers["content-type"] = "application/json";
  const words = ["curl", "-sS", "-w", "\\n", ...(method === "GET" ? [] : ["-X", method])];
  for (const [k, v] of Object.entries(headers)) words.push("-H", `${k}: ${v}`);
  if (req.body !== undefined) words.push("--data-raw", req.body);
  words.push(url.toString());
  return { method, url: url.toString(), target, headers, curl: words.map(shellQuote).join(" ") };
}

function addNodeCommands(d: NodeCommandDeps): void {
  const { command, run, signerOf, clientOf, print, out } = d;

  command("status", "the node's status: chain, head block and its time, PBFT view, peers, mempool, readiness")
    .action(
      run(async (o: CommonOptions) => {
        const client = clientOf(o);
        const s = await client.status();
        if (d.format() === "json") return print(s);
        print({
          node: `${s.nodeId} (${s.mode}) at ${client.url}`,
          chainId: s.chainId,
          height: s.height,
          headTime: s.headTime,
          headHash: s.headHash,
          ...(s.view !== undefined ? { view: `${s.view} (primary ${s.primary}${s.viewActive ? "" : ", changing view"})` } : {}),
          ready: s.ready,
          syncing: s.syncing,
          ...(s.halted ? { halted: s.halted } : {}),
          peers: s.peers.map((p) => `${p.id}${p.validator ? " (validator)" : ""}`),
          validators: s.validators.map((v) => v.id),
          mempool: `${s.mempool.txs} transactions, ${s.mempool.bytes} bytes`,
          version: s.version,
        });
      }),
    );

  command("block", "a block header with its hash and commit certificate; --txs lists its transactions (signed read)", "auditor")
    .argument("<height>", "a height, or latest")
    .option("--txs", "also list the block's transactions the party may see")
    .action(
      run(async (height: string, o: CommonOptions & { txs?: boolean }) => {
        if (!HEIGHT_RE.test(height)) throw new UsageError(`block ${JSON.stringify(height)}: a height >= 1 or latest`);
        const client = o.txs ? clientOf(o, signerOf(o, "auditor", "block --txs")) : clientOf(o);
        const b = await client.getBlock(height === "latest" ? "latest" : BigInt(height));
        const txs: unknown[] = [];
        if (o.txs) {
          let cursor: string | undefined;
          do {
            const page = await client.getBlockTxs(BigInt(b.height), { limit: 1000, ...(cursor ? { cursor } : {}) });
            txs.push(...page.items);
            cursor = page.cursor;
          } while (cursor);
        }
        if (d.format() === "json") return print({ ...b, ...(o.txs ? { txs } : {}) });
        print({
          height: b.height,
          hash: b.hash,
          time: b.header.time,
          proposer: b.header.proposer,
          view: b.header.view,
          txCount: b.header.txCount,
          prevHash: b.header.prevHash,
          txsRoot: b.header.txsRoot,
          receiptsRoot: b.header.receiptsRoot,
          stateRoot: b.header.stateRoot,
          certificate: b.certificate ? `${b.certificate.commits.length} validator signatures (replicas ${b.certificate.commits.map((c) => c.replica).join(", ")}), view ${b.certificate.view}` : "none",
          ...(o.txs ? { txs } : {}),
        });
      }),
    );

  command("tx", "a committed transaction: its receipt, block, signer and payload (signed read)", "auditor")
    .argument("<hash>", "the transaction hash (a receipt's txHash)")
    .action(
      run(async (hash: string, o: CommonOptions) => {
        idOf(hash, "transaction hash");
        const t = await clientOf(o, signerOf(o, "auditor", "tx")).getTx(hash);
        if (d.format() === "json") return print(t);
        print({
          txHash: t.txHash,
          type: t.type,
          signer: t.signer,
          height: t.height,
          index: t.index,
          time: t.time,
          createdAt: t.body.createdAt,
          result: t.receipt.code,
          ...(t.receipt.message ? { message: t.receipt.message } : {}),
          target: t.receipt.target,
          payload: t.body.payload,
          events: t.receipt.events,
          blockHash: t.blockHash,
          certificate: t.certificate ? `${t.certificate.commits.length} validator signatures` : "none",
        });
      }),
    );

  command("events", "follow the committed ledger events the party may see (server-sent events), one line each; Ctrl-C stops", "auditor")
    .option("--receivable <id>", "only events of this receivable")
    .option("--involving <party>", "only events involving this party")
    .option("--type <types>", "only these event types, comma-separated (e.g. receivableFinanced,txRejected)")
    .option("--from <height>", "replay committed blocks from this height first")
    .option("--max <n>", "stop after n events")
    .action(
      run(async (o: CommonOptions & { receivable?: string; involving?: string; type?: string; from?: string; max?: string }) => {
        if (o.from !== undefined && !/^[0-9]{1,20}$/.test(o.from)) throw new UsageError(`--from ${o.from}: a block height`);
        if (o.max !== undefined && !/^[1-9][0-9]{0,9}$/.test(o.max)) throw new UsageError(`--max ${o.max}: a positive count`);
        if (o.receivable !== undefined) idOf(o.receivable, "--receivable");
        const types = o.type?.split(",").map((x) => x.trim()).filter((x) => x !== "");
        const known: readonly string[] = [...EVENT_TYPES, REJECTED_EVENT, ALERT_EVENT];
        for (const t of types ?? []) if (!known.includes(t)) throw new UsageError(`--type ${t}: not an event type (${known.join(", ")})`);
        const client = clientOf(o, signerOf(o, "auditor", "events"));
        const stop = new AbortController();
        const onSignal = () => stop.abort();
        if (d.signal) d.signal.addEventListener("abort", onSignal);
        else {
          process.once("SIGINT", onSignal);
          process.once("SIGTERM", onSignal);
        }
        const max = o.max === undefined ? Infinity : Number(o.max);
        let n = 0;
        try {
          const stream = client.events(
            { ...(o.receivable ? { receivable: o.receivable } : {}), ...(o.involving ? { party: o.involving } : {}), ...(types?.length ? { types: types as LedgerEventType[] } : {}) },
            { signal: stop.signal, ...(o.from !== undefined ? { fromHeight: BigInt(o.from) } : {}) },
          );
          for await (const e of stream) {
            if (d.format() === "json") out(renderLine(e));
            else {
              const what = e.rejection ? `${e.rejection.code} ${e.rejection.target}`.trim() : e.receivableId;
              out(`${isoTime(e.time)}  ${e.height}:${e.index}  ${e.type}  ${e.signer}${what ? `  ${what}` : ""}\n`);
            }
            if (++n >= max) break;
          }
        } finally {
          if (d.signal) d.signal.removeEventListener("abort", onSignal);
          else {
            process.off("SIGINT", onSignal);
            process.off("SIGTERM", onSignal);
          }
        }
      }),
    );

  const party = d.program.command("party").description("parties: register (a bank onboards an enterprise or a custodian after KYC), show");
  command("register", "register a party (a bank onboards an exporter or another enterprise, or a custodian, after KYC)", "bank-a", party)
    .argument("<id>", "the new party's id (2-63 characters of a-z, 0-9 and '-')")
    .requiredOption("--name <name>", "its legal name")
    .requiredOption("--country <code>", "ISO 3166-1 alpha-2, e.g. CN")
    .option("--role <role>", "ENTERPRISE (default) or CUSTODIAN", "ENTERPRISE")
    .option("--public-key <hex>", "its ed25519 public key, 64 hex digits (`tradeledger keys show <its key file>` prints it)")
    .option("--public-key-file <file>", "or a JSON file with its publicKey (the output of keys show --json)")
    .option("--lei <lei>", "its ISO 17442 LEI")
    .action(
      run(async (id: string, o: CommonOptions & { name: string; country: string; role: string; publicKey?: string; publicKeyFile?: string; lei?: string }) => {
        if ((o.publicKey === undefined) === (o.publicKeyFile === undefined)) throw new UsageError("pass exactly one of --public-key <64 hex digits> or --public-key-file <file>: the new party's key (it keeps the seed; the bank never sees it)");
        const publicKey = o.publicKey ?? (readJson(o.publicKeyFile!) as { publicKey?: unknown }).publicKey;
        if (typeof publicKey !== "string" || !HEX64_RE.test(publicKey)) throw new UsageError(`${o.publicKeyFile ? `${o.publicKeyFile}: publicKey` : "--public-key"}: 64 lower-case hex digits`);
        const role = o.role.toUpperCase();
        const signer = signerOf(o, "bank-a", "party register");
        const payload = built(() => tx.registerParty({ id, role: role as never, name: o.name, country: o.country, publicKey, ...(o.lei ? { lei: o.lei } : {}) }));
        const done = await clientOf(o, signer).submit(payload, signer);
        print({ partyId: id, role, name: o.name, country: o.country, publicKey, ...(o.lei ? { lei: o.lei } : {}), registeredBy: signer.partyId, txHash: done.txHash, height: done.height, time: done.time });
      }),
    );
  command("show", "a registered party: role, name, country, key, who onboarded it and when", "auditor", party)
    .argument("<id>")
    .action(
      run(async (id: string, o: CommonOptions) => {
        print(await clientOf(o, signerOf(o, "auditor", "party show")).getParty(id));
      }),
    );

  command("sign-request", "sign a read for curl: prints the x-tl-* headers, `name: value` lines (valid once, for 60 s), or with --curl a ready curl command; JSON only with --json")
    .argument("<method>", "GET (reads) or POST")
    .argument("<path>", "the path and query, e.g. /v1/receivables?exporter=exporter-hz-textiles")
    .option("--data <body>", "a request body (JSON) for the curl command; the signature covers the method and the path with its query, not a body")
    .option("--curl", "print a ready curl command instead of the headers")
    .option("--chain-id <id>", "the chain id (default: the devnet's genesis.json, else the node's status)")
    .action(
      run(async (method: string, path: string, o: CommonOptions & { data?: string; curl?: boolean; chainId?: string }) => {
        if (!path.startsWith("/")) throw new UsageError(`path ${JSON.stringify(path)}: starts with / (e.g. /v1/status)`);
        const signer = signerOf(o, undefined, "sign-request");
        const base = d.urlsOf(o)[0]!;
        let chainId = o.chainId;
        const genesis = join(d.devnetOf(o), "genesis.json");
        if (!chainId && existsSync(genesis)) chainId = str((readJson(genesis) as { chainId?: unknown }).chainId, "chainId");
        chainId ??= (await clientOf(o).status()).chainId;
        const signed = await signRequest(signer, { chainId, method, url: new URL(path, base + "/").toString(), ...(o.data !== undefined ? { body: o.data } : {}) });
        // Text unless --json, even into a pipe: the headers go to curl -H @file, the command to eval.
        if (o.curl) {
          if (o.json) return print({ command: signed.curl, url: signed.url, headers: signed.headers });
          return out(signed.curl + "\n");
        }
        if (o.json) return print(signed.headers);
        out(Object.entries(signed.headers).map(([k, v]) => `${k}: ${v}`).join("\n") + "\n");
      }),
    );
}

/** Before, during and after lending (DESIGN.md §10-§11, docs/lending.md). */
function addLendingCommands(
  command: CommandFactory,
  run: Runner,
  signerOf: (o: CommonOptions, defaultParty: string | undefined, what: string) => Signer,
  clientOf: (o: CommonOptions, signer: Signer) => TradeLedgerClient,
  print: (value: unknown) => void,
  exit: (code: number) => void,
  devnetOf: (o: CommonOptions) => string,
  trustedOf: (o: CommonOptions & { genesis?: string }, client: TradeLedgerClient) => Promise<TrustedValidators>,
): void {
  command("propose-extension", "propose a later due date for a receivable (the one bank with live financing on it)", "bank-a")
    .argument("<receivableId>")
    .requiredOption("--due <YYYY-MM-DD>", "the new due date")
    .action(
      run(async (id: string, o: CommonOptions & { due: string }) => {
        idOf(id, "receivable id");
        const signer = signerOf(o, "bank-a", "propose-extension");
        const done = await clientOf(o, signer).submit(built(() => tx.proposeExtension({ receivableId: id, newDueDate: o.due })), signer);
        print({ receivableId: id, proposedBy: signer.partyId, newDueDate: o.due, txHash: done.txHash, height: done.height });
      }),
    );

  command("accept-extension", "accept the pending proposal of a new due date (the exporter)", "exporter-hz-textiles")
    .argument("<receivableId>")
    .requiredOption("--due <YYYY-MM-DD>", "the proposed due date, restated")
    .action(
      run(async (id: string, o: CommonOptions & { due: string }) => {
        idOf(id, "receivable id");
        const signer = signerOf(o, "exporter-hz-textiles", "accept-extension");
        const done = await clientOf(o, signer).submit(built(() => tx.acceptExtension({ receivableId: id, newDueDate: o.due })), signer);
        print({ receivableId: id, dueDate: o.due, txHash: done.txHash, height: done.height });
      }),
    );

  command("write-off", "write off what is outstanding on the bank's financing (a loss); the receivable becomes DEFAULTED", "bank-a")
    .argument("<receivableId>")
    .requiredOption("--financing <id>", "the financing (its finance transaction's hash)")
    .action(
      run(async (id: string, o: CommonOptions & { financing: string }) => {
        idOf(id, "receivable id");
        idOf(o.financing, "financing id");
        const signer = signerOf(o, "bank-a", "write-off");
        const done = await clientOf(o, signer).submit(built(() => tx.writeOff({ receivableId: id, financingId: o.financing })), signer);
        print({ receivableId: id, financingId: o.financing, events: done.receipt.events, txHash: done.txHash, height: done.height });
      }),
    );

  command("propose-piece-extension", "propose a later due date for a FINANCED warrant piece (the bank holding it)", "bank-b")
    .argument("<pieceId>")
    .requiredOption("--due <YYYY-MM-DD>", "the new due date")
    .action(
      run(async (id: string, o: CommonOptions & { due: string }) => {
        idOf(id, "piece id");
        const signer = signerOf(o, "bank-b", "propose-piece-extension");
        const done = await clientOf(o, signer).submit(built(() => tx.proposePieceExtension({ pieceId: id, newDueDate: o.due })), signer);
        print({ pieceId: id, proposedBy: signer.partyId, newDueDate: o.due, txHash: done.txHash, height: done.height });
      }),
    );

  command("accept-piece-extension", "accept the pending proposal of a new due date for a piece (the warrant's obligor)", "carmaker")
    .argument("<pieceId>")
    .requiredOption("--due <YYYY-MM-DD>", "the proposed due date, restated")
    .action(
      run(async (id: string, o: CommonOptions & { due: string }) => {
        idOf(id, "piece id");
        const signer = signerOf(o, "carmaker", "accept-piece-extension");
        const done = await clientOf(o, signer).submit(built(() => tx.acceptPieceExtension({ pieceId: id, newDueDate: o.due })), signer);
        print({ pieceId: id, dueDate: o.due, txHash: done.txHash, height: done.height });
      }),
    );

  command("write-off-piece", "write off a FINANCED warrant piece the bank holds (a loss); the piece becomes DEFAULTED", "bank-b")
    .argument("<pieceId>")
    .action(
      run(async (id: string, o: CommonOptions) => {
        idOf(id, "piece id");
        const signer = signerOf(o, "bank-b", "write-off-piece");
        const done = await clientOf(o, signer).submit(built(() => tx.writeOffPiece({ pieceId: id })), signer);
        print({ pieceId: id, events: done.receipt.events, txHash: done.txHash, height: done.height });
      }),
    );

  command("attest-financials", "attest a party's financial figures for a period (a BANK or AUDITOR)", "auditor")
    .argument("<partyId>")
    .requiredOption("--from <YYYY-MM-DD>", "first day of the period")
    .requiredOption("--to <YYYY-MM-DD>", "last day of the period")
    .requiredOption("--currency <code>", "the statement's currency")
    .requiredOption("--figure <name=minor>", "a figure in minor units (repeatable), e.g. revenue=125000000 net_income=-300000", (v: string, acc: string[]) => [...acc, v], [] as string[])
    .requiredOption("--document-hash <hex>", "document hash of the statement (tradeledger hash <file>)")
    .action(
      run(async (partyId: string, o: CommonOptions & { from: string; to: string; currency: string; figure: string[]; documentHash: string }) => {
        const figures = o.figure.map((f) => {
          const m = /^([a-z][a-z0-9_]*)=(-?[0-9]+)$/.exec(f);
          if (!m) throw new UsageError(`--figure ${f}: name=minor-units, e.g. revenue=125000000`);
          return { name: m[1]!, amount: m[2]! };
        });
        const signer = signerOf(o, "auditor", "attest-financials");
        const done = await clientOf(o, signer).submit(
          built(() => tx.attestFinancials({ partyId, periodStart: o.from, periodEnd: o.to, currency: o.currency, figures, documentHash: o.documentHash })),
          signer,
        );
        print({ partyId, attestedBy: signer.partyId, txHash: done.txHash, height: done.height });
      }),
    );

  command("consent", "let a bank read your credit indicators and financial attestations until a date (a past date revokes)", "exporter-hz-textiles")
    .argument("<bank>")
    .requiredOption("--until <YYYY-MM-DD>", "the last day the bank may read")
    .action(
      run(async (bank: string, o: CommonOptions & { until: string }) => {
        const signer = signerOf(o, "exporter-hz-textiles", "consent");
        const done = await clientOf(o, signer).submit(built(() => tx.grantConsent({ bank, expiryDate: o.until })), signer);
        print({ partyId: signer.partyId, bank, expiryDate: o.until, txHash: done.txHash, height: done.height });
      }),
    );

  command("indicators", "a party's credit indicators (the party, a consenting bank, auditors, regulators); --score applies the example scorecard", "auditor")
    .argument("<partyId>")
    .option("--score", "apply the example scorecard of docs/lending.md (advice, computed here)")
    .action(
      run(async (id: string, o: CommonOptions & { score?: boolean }) => {
        const ind = await clientOf(o, signerOf(o, "auditor", "indicators")).getIndicators(id);
        const { inputs: _inputs, ...shown } = ind;
        if (!o.score) return print(shown);
        print({ ...shown, score: toJsonView(scoreParty(indicatorsFromJson(ind), EXAMPLE_SCORECARD)) });
      }),
    );

  command("report", "a report bound to certified state: aging (buckets, NPL ratio) or concentration; checked with verifyReport against the genesis validators", "auditor")
    .argument("<kind>", "aging | concentration")
    .option("--bank <id>", "one bank (a bank reads only its own book)")
    .option("--genesis <file>", "the genesis whose validators to trust (default <devnet>/genesis.json)")
    .option("--wait-ms <ms>", "wait this long for the report's block to be certified", "5000")
    .action(
      run(async (kind: string, o: CommonOptions & { bank?: string; genesis?: string; waitMs: string }) => {
        if (kind !== "aging" && kind !== "concentration") throw new UsageError(`report ${kind}: aging or concentration`);
        const waitMs = Number(o.waitMs);
        if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > 30_000) throw new UsageError(`--wait-ms ${o.waitMs}: an integer of ms, 0..30000`);
        const client = clientOf(o, signerOf(o, "auditor", "report"));
        const validators = await trustedOf(o, client);
        const { report, verdict: check } = await client.verifiedReport(kind, validators, { ...(o.bank !== undefined ? { bank: o.bank } : {}), waitMs });
        const { inputs, certified: _certified, ...shown } = report;
        print({ ...shown, inputs: inputs.map((i) => i.key), verification: { ok: check.ok, boundTo: check.boundTo, problems: check.problems } });
        if (!check.ok) exit(1);
      }),
    );
}

// ---- governance: observers and party keys (DESIGN.md §12, docs/governance.md) ----------------

function addGovernanceCommands(d: NodeCommandDeps, env: NodeJS.ProcessEnv): void {
  const { command, run, signerOf, clientOf, print } = d;
  const hex64 = (v: string | undefined, what: string): string => {
    if (typeof v !== "string" || !HEX64_RE.test(v)) throw new UsageError(`${what}: 64 lower-case hex digits`);
    return v;
  };
  const chainIdOf = async (o: CommonOptions & { chainId?: string }): Promise<string> => {
    if (o.chainId) return o.chainId;
    const genesis = join(d.devnetOf(o), "genesis.json");
    if (existsSync(genesis)) return str((readJson(genesis) as { chainId?: unknown }).chainId, "chainId");
    return (await clientOf(o).status()).chainId;
  };
  /** A key file's seed, opening it with its passphrase if it is encrypted. */
  const seedOf = async (file: string, what: string): Promise<{ seed: Uint8Array; encrypted: boolean }> => {
    const encrypted = keyFileInfo(file).encrypted;
    const key = loadKeyFile(file, encrypted ? await readPassphrase({ env, what }) : undefined);
    return { seed: key.seed, encrypted };
  };

  const observer = d.program.command("observer").description("observer nodes admitted on the ledger (a BANK or REGULATOR): admit, remove, list (docs/governance.md)");
  command("admit", "admit an observer node: from the next block every validator accepts its node key, no restart (a BANK or REGULATOR)", "regulator", observer)
    .argument("<nodePublicKey>", "the observer's node key, 64 hex digits (its `tradeledger init` prints it; its /readyz names it)")
    .requiredOption("--operator <partyId>", "the registered party that runs the node (e.g. the regulator itself)")
    .action(
      run(async (nodeKey: string, o: CommonOptions & { operator: string }) => {
        const signer = signerOf(o, "regulator", "observer admit");
        const done = await clientOf(o, signer).submit(built(() => tx.admitObserver({ nodePublicKey: hex64(nodeKey, "<nodePublicKey>"), partyId: o.operator })), signer);
        print({ nodePublicKey: nodeKey, operator: o.operator, admittedBy: signer.partyId, admitted: true, txHash: done.txHash, height: done.height, time: done.time });
      }),
    );
  command("remove", "remove an admitted observer: validators disconnect and refuse it from the next block (a BANK or REGULATOR)", "regulator", observer)
    .argument("<nodePublicKey>", "the observer's node key, 64 hex digits")
    .requiredOption("--reason <text>", "why (recorded on the ledger)")
    .action(
      run(async (nodeKey: string, o: CommonOptions & { reason: string }) => {
        const signer = signerOf(o, "regulator", "observer remove");
        const done = await clientOf(o, signer).submit(built(() => tx.removeObserver({ nodePublicKey: hex64(nodeKey, "<nodePublicKey>"), reason: o.reason })), signer);
        print({ nodePublicKey: nodeKey, removedBy: signer.partyId, removed: true, reason: o.reason, txHash: done.txHash, height: done.height, time: done.time });
      }),
    );

  command("list", "the observers admitted on the ledger, current and removed (any registered party)", "auditor", observer)
    .action(
      run(async (o: CommonOptions) => {
        print(await clientOf(o, signerOf(o, "auditor", "observer list")).getObservers());
      }),
    );

  // keys rotate: the party's own rotation. The new key is generated here (or taken from --new-key),
  // proves possession, the rotation is signed with the current key; once committed the key file is
  // replaced (the old one kept beside it as <file>.retired-<height>).
  const keys = d.program.commands.find((c) => c.name() === "keys") ?? d.program.command("keys").description("party and node keys");
  command("rotate", "rotate a party's signing key: a new key, its proof of possession, signed with the current key; then the key file is replaced (docs/governance.md)", undefined, keys)
    .option("--new-key <file>", "a key file for the new key (`tradeledger keys generate`); default: generate one, encrypted like the current")
    .option("--chain-id <id>", "the chain id the possession proof binds (default: the devnet's genesis, else the node's status)")
    .action(
      run(async (o: CommonOptions & { newKey?: string; chainId?: string }) => {
        const signer = signerOf(o, undefined, "keys rotate");
        const party = signer.partyId;
        const keyFile = o.key ? resolve(o.key) : join(d.devnetOf(o), "keys", `${party}.json`);
        const staged = `${keyFile}.new`;
        let next: { seed: Uint8Array; encrypted: boolean; passphrase?: string };
        if (o.newKey) next = await seedOf(resolve(o.newKey), `the new key ${o.newKey}`);
        else {
          const encrypted = keyFileInfo(keyFile).encrypted;
          const passphrase = encrypted ? await readPassphrase({ env, confirm: true, what: `the new key of ${party}` }) : undefined;
          next = { seed: randomBytes(32), encrypted, ...(passphrase !== undefined ? { passphrase } : {}) };
          if (existsSync(staged)) throw new UsageError(`${staged} exists: a rotation was interrupted; check \`tradeledger party show ${party}\` and move it yourself`);
          // written before submitting: a crash after the commit must not lose the only copy of the new key
          writeKeyFile(staged, { partyId: party, seed: next.seed }, passphrase !== undefined ? { passphrase } : {});
        }
        const chainId = await chainIdOf(o);
        const { publicKey, proof } = keyPossessionProof(chainId, party, next.seed, nodeCrypto);
        let done;
        try {
          done = await clientOf(o, signer).submit(built(() => tx.rotateKey({ partyId: party, newPublicKey: publicKey, possessionProof: proof })), signer);
        } catch (e) {
          if (!o.newKey) rmSync(staged, { force: true });
          throw e;
        }
        const retiredFile = `${keyFile}.retired-${done.height}`;
        let keyFileNow = keyFile;
        if (!o.newKey) {
          renameSync(keyFile, retiredFile);
          renameSync(staged, keyFile);
        } else keyFileNow = resolve(o.newKey);
        print({ partyId: party, publicKey: toHex(publicKey), previousPublicKey: toHex(signer.publicKey), inForceFromHeight: (done.height + 1n).toString(), txHash: done.txHash, height: done.height, keyFile: keyFileNow, ...(o.newKey ? {} : { retiredKeyFile: retiredFile }) });
      }),
    );
  command("possession", "prove you hold a new key, for a bank that resets your key: prints its public key and the possession proof (docs/governance.md)", undefined, keys)
    .argument("<newKeyFile>", "the new key file (`tradeledger keys generate --party <you>`)")
    .option("--for <partyId>", "the party whose key it becomes (default: the key file's party)")
    .option("--chain-id <id>", "the chain id (default: the devnet's genesis, else the node's status)")
    .action(
      run(async (file: string, o: CommonOptions & { for?: string; chainId?: string }) => {
        const party = o.for ?? keyFileInfo(resolve(file)).partyId;
        if (!party) throw new UsageError(`${file} names no party: pass --for <partyId>`);
        const { seed } = await seedOf(resolve(file), `the new key ${file}`);
        const chainId = await chainIdOf(o);
        const { publicKey, proof } = keyPossessionProof(chainId, party, seed, nodeCrypto);
        print({ partyId: party, chainId, publicKey: toHex(publicKey), possessionProof: toHex(proof) });
      }),
    );

  command(
    "node-possession",
    "prove a validator's next node key is held, for its ROTATE_KEY proposal: prints the key and its possession proof (docs/governance.md §4)",
    undefined,
    keys,
  )
    .argument("[nodeKeyFile]", "the next node key file (`tradeledger keys generate --node`); or --config")
    .option("--config <file>", "instead: the validator's node config; its nextNodeKeyFile or nextNodeKeyPkcs11 is opened as the node opens it (an HSM key signs in the HSM)")
    .option("--for <partyId>", "the party that runs the validator (default: the config's validatorId)")
    .option("--chain-id <id>", "the chain id (default: the config's genesis, else the devnet's, else the node's status)")
    .action(
      run(async (file: string | undefined, o: CommonOptions & { config?: string; for?: string; chainId?: string }) => {
        if ((file === undefined) === (o.config === undefined)) throw new UsageError("keys node-possession: give the next node key file or --config <node config>, one of them");
        let publicKey: Uint8Array;
        let sign: (message: Uint8Array) => Uint8Array;
        let close = () => {};
        let party = o.for;
        let chainId = o.chainId;
        const config = o.config !== undefined ? loadNodeConfig(resolve(o.config), env) : undefined;
        // the key file given, or the config's next key file; else the config's HSM key
        const keyFile = file !== undefined ? resolve(file) : config?.nextNodeKeyFile;
        if (config) {
          party ??= config.validatorId;
          chainId ??= loadGenesis(config.genesisFile).chainId;
        }
        if (keyFile !== undefined) {
          const { seed } = await seedOf(keyFile, `the next node key ${keyFile}`);
          publicKey = nodeCrypto.publicKeyFromSeed(seed);
          sign = (m) => nodeCrypto.sign(seed, m);
        } else if (config?.nextNodeKeyPkcs11) {
          const { Pkcs11Key, pinFromEnvironment } = await import("../keys/pkcs11.js");
          const key = Pkcs11Key.open({ ...config.nextNodeKeyPkcs11, pin: pinFromEnvironment(env) });
          publicKey = key.publicKey;
          sign = (m) => key.signSync(m);
          close = () => key.close();
        } else throw new UsageError(`${o.config}: no nextNodeKeyFile or nextNodeKeyPkcs11 (the key the validator signs with after the rotation)`);
        if (!party) throw new UsageError("keys node-possession: pass --for <partyId> (the party that runs the validator)");
        try {
          chainId ??= await chainIdOf(o);
          const proof = nodeKeyPossessionProof(chainId, party, publicKey, sign);
          print({ partyId: party, chainId, newNodePublicKey: toHex(publicKey), newNodeKeyProof: toHex(proof) });
        } finally {
          close();
        }
      }),
    );

  const party = d.program.commands.find((c) => c.name() === "party")!;
  command("reset-key", "reset the key of a party the bank onboarded that lost its key, with the reason, recorded (the onboarding BANK)", "bank-a", party)
    .argument("<partyId>")
    .requiredOption("--reason <text>", "why (recorded on the ledger with the bank's id)")
    .option("--new-public-key <hex>", "the party's new public key (from its `tradeledger keys possession`)")
    .option("--proof <hex>", "... and its possession proof")
    .option("--new-key <file>", "or the party's new key file itself (a devnet: the proof is made from it)")
    .option("--chain-id <id>", "with --new-key: the chain id (default: the devnet's genesis, else the node's status)")
    .action(
      run(async (id: string, o: CommonOptions & { reason: string; newPublicKey?: string; proof?: string; newKey?: string; chainId?: string }) => {
        let publicKey: string;
        let proof: string;
        if (o.newKey) {
          if (o.newPublicKey || o.proof) throw new UsageError("pass --new-key, or --new-public-key with --proof, not both");
          const made = keyPossessionProof(await chainIdOf(o), id, (await seedOf(resolve(o.newKey), `the new key ${o.newKey}`)).seed, nodeCrypto);
          publicKey = toHex(made.publicKey);
          proof = toHex(made.proof);
        } else {
          publicKey = hex64(o.newPublicKey, "--new-public-key");
          if (typeof o.proof !== "string" || !/^[0-9a-f]{128}$/.test(o.proof)) throw new UsageError("--proof: the possession proof, 128 lower-case hex digits (the party's `tradeledger keys possession` prints it)");
          proof = o.proof;
        }
        const signer = signerOf(o, "bank-a", "party reset-key");
        const done = await clientOf(o, signer).submit(built(() => tx.resetPartyKey({ partyId: id, newPublicKey: publicKey, possessionProof: proof, reason: o.reason })), signer);
        print({ partyId: id, publicKey, resetBy: signer.partyId, reason: o.reason, inForceFromHeight: (done.height + 1n).toString(), txHash: done.txHash, height: done.height });
      }),
    );
}

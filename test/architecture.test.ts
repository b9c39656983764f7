// The shape of the house (docs/architecture.md), checked so that it cannot silently erode:
//   - every transaction type of the proto TxBody.payload oneof has a format (sdk/transactions/) and
//     a rule (node/ledger/tx/), and nothing else is registered;
//   - every event type is emitted, and checked against its transaction, by some type;
//   - every format has its payload's JSON view in a file beside it (<type>.view.ts), listed in the
//     registry's order by sdk/api/tx-payloads.ts, and only sdk/api imports the views (so that client
//     bundles that never parse a transaction's JSON do not carry them);
//   - a transaction type is named in at most 4 non-test source files (its format, its rule, the CLI,
//     and one to spare), so its knowledge is not spread over parallel switches;
//   - rpc/ reaches the node only through its interfaces: no import of node/store, node/ledger or node/chain.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";
import { oneofMembers } from "../sdk/codec.js";
import { TX_FORMAT_LIST, TX_FORMATS, TX_TYPES } from "../sdk/transactions/index.js";
import { TX_PAYLOAD_VIEWS } from "../sdk/api/tx-payloads.js";
import { TX_RULES } from "../node/ledger/tx/index.js";
import type { EventType } from "../sdk/types.js";

// Compiled to dist/test/: the sources are two levels up.
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) {
      if (name !== "gen" && name !== "test" && name !== "dist" && name !== "node_modules") out.push(...sourceFiles(rel));
    } else if (name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

t.test("the proto payload oneof, the SDK's formats and the ledger's rules list the same types", async (t) => {
  const protoTypes = oneofMembers("TxBody", "payload").map(([name]) => name).sort();
  t.ok(protoTypes.length > 0, "TxBody has a payload oneof");
  t.same([...TX_TYPES].sort(), protoTypes, "one format per oneof member");
  t.same(Object.keys(TX_RULES).sort(), protoTypes, "one rule per oneof member");
  for (const type of TX_TYPES) {
    t.equal(TX_FORMATS[type].type, type, `${type}: the format is filed under its own type`);
    t.equal(TX_RULES[type].format, TX_FORMATS[type], `${type}: the rule refers to the same format`);
    t.ok(TX_RULES[type].signers.length > 0, `${type}: some role may sign it`);
  }
  t.equal(new Set(TX_FORMAT_LIST.map((f) => f.type)).size, TX_FORMAT_LIST.length, "no type registered twice");
});

t.test("every event type is emitted by a transaction type that checks it against the transaction", async (t) => {
  const eventKinds = oneofMembers("Event", "kind").map(([name]) => name).sort();
  const checked = new Set<string>();
  for (const f of TX_FORMAT_LIST) for (const e of Object.keys(f.events) as EventType[]) checked.add(e);
  t.same([...checked].sort(), eventKinds);
});

t.test("every format has its JSON view beside it, listed in the registry's order, imported only by sdk/api", async (t) => {
  const viewed = TX_PAYLOAD_VIEWS.map((v) => (v.shape.type as unknown as { _zod: { def: { values: unknown[] } } })._zod.def.values[0]);
  t.same(viewed, TX_FORMAT_LIST.map((f) => f.type), "TX_PAYLOAD_VIEWS[i] is the view of TX_FORMAT_LIST[i]");
  const dir = "sdk/transactions";
  const formatFiles = sourceFiles(dir).filter((f) => !f.endsWith(".view.ts") && /^export const \w+Tx: TxFormat</m.test(readFileSync(join(ROOT, f), "utf8")));
  t.equal(formatFiles.length, TX_FORMAT_LIST.length, "one format file per type");
  for (const f of formatFiles) {
    const view = f.replace(/\.ts$/, ".view.ts");
    t.ok(sourceFiles(dir).includes(view), `${f} has its view ${view}`);
  }
  const importers = ["node", "rpc", "sdk", "config", "consensus", "p2p"].flatMap(sourceFiles).filter((f) => !f.startsWith("sdk/api/") && !f.endsWith(".view.ts") && /from\s+"[^"]*\.view\.js"/.test(readFileSync(join(ROOT, f), "utf8")));
  t.same(importers, [], "a payload's JSON view is imported by sdk/api only (tx-payloads.ts)");
});

t.test("a transaction type is named in at most 4 non-test source files", async (t) => {
  const files = ["node", "rpc", "sdk", "config", "consensus", "p2p"].flatMap(sourceFiles);
  const texts = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), "utf8")]));
  for (const type of TX_TYPES) {
    const word = new RegExp(`(?<![A-Za-z0-9_])${type}(?![A-Za-z0-9_])`);
    const naming = files.filter((f) => word.test(texts.get(f)!));
    t.ok(naming.length <= 4, `${type} is named in ${naming.length} files: ${naming.join(", ")}`);
  }
});

t.test("rpc/ imports nothing from node/store, node/ledger or node/chain", async (t) => {
  const files = sourceFiles("rpc");
  t.ok(files.length > 0, "rpc/ has sources");
  for (const f of files) {
    const text = readFileSync(join(ROOT, f), "utf8");
    const bad = [...text.matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]!).filter((spec) => /(^|\/)node\/(store|ledger|chain)(\/|\.js|$)/.test(spec));
    t.same(bad, [], `${f} reaches the node only through its interfaces`);
  }
});

// What the client edge costs a node per transaction: the same signed transactions submitted to one
// real node's RPC (test/rpc-harness.ts: the real NodeService, Mempool, signature cache, query model
// and executor over LevelDB; only PBFT and p2p are left out) one per POST /v1/txs, or in
// POST /v1/txs/batch requests (JSON or protobuf), and, as the floor, admitted by calling the node
// API directly (no HTTP). The client is a process of its own, so the figure is the node process's
// CPU time per transaction (process.cpuUsage), which a shared machine inflates far less than it
// does wall-clock time. wait=none: admission only; wait=commit: admission, the commit wait and the
// block's execution (the harness executes each block as soon as transactions are admitted).
// Modes alternate, `--rounds` times, so a change of the machine's load shows as spread.
//
//   npm run build && node dist/bench/submit-edge.js [--txs 3000] [--batch 50] [--rounds 2]
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { fromHex, toHex } from "../sdk/bytes.js";
import { buildTxBody, tx } from "../sdk/builders.js";
import { encode } from "../sdk/codec.js";
import { signerFromSeed, signTransactionSync } from "../sdk/signer.js";

type Mode = "single" | "batch-json" | "batch-protobuf";
interface Job {
  type: "job";
  url: string;
  mode: Mode;
  wait: "none" | "commit";
  txs: string[];
  batch: number;
}

const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === "--client") {
  // The client: sends what it is given, answers how many were admitted or committed.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const post = (url: string, path: string, type: string, body: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const u = new URL(url);
      const req = request({ hostname: u.hostname, port: Number(u.port), path, method: "POST", agent, headers: { "content-type": type, "content-length": body.length } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      });
      req.on("error", reject);
      req.end(body);
    });
  process.on("message", (job: Job) => {
    void (async () => {
      let ok = 0;
      const query = `?wait=${job.wait}&timeoutMs=60000`;
      if (job.mode === "single") {
        let next = 0;
        await Promise.all(
          Array.from({ length: 32 }, async () => {
            while (next < job.txs.length) {
              const hex = job.txs[next++]!;
              const r = await post(job.url, `/v1/txs${query}`, "application/json", Buffer.from(`{"tx":"${hex}"}`));
              if (r.status === 200 || r.status === 202) ok++;
            }
          }),
        );
      } else {
        const batches: string[][] = [];
        for (let i = 0; i < job.txs.length; i += job.batch) batches.push(job.txs.slice(i, i + job.batch));
        let next = 0;
        // as many transactions in flight as the single mode's 32 requests, at least two requests
        await Promise.all(
          Array.from({ length: Math.max(2, Math.ceil(32 / job.batch)) }, async () => {
            while (next < batches.length) {
              const b = batches[next++]!;
              const body =
                job.mode === "batch-json" ? Buffer.from(JSON.stringify({ txs: b })) : Buffer.from(encode("TxSubmission", { txs: b.map((h) => fromHex(h)) }));
              const r = await post(job.url, `/v1/txs/batch${query}`, job.mode === "batch-json" ? "application/json" : "application/x-protobuf", body);
              if (r.status !== 200) continue;
              ok += (JSON.parse(r.text) as { results: { status: string }[] }).results.filter((x) => x.status !== "refused").length;
            }
          }),
        );
      }
      process.send!({ type: "done", ok });
    })();
  });
  process.on("disconnect", () => process.exit(0));
} else {
  const { values: args } = parseArgs({ options: { txs: { type: "string", default: "3000" }, batch: { type: "string", default: "50" }, rounds: { type: "string", default: "2" } } });
  const N = Number(args.txs);
  const BATCH = Number(args.batch);
  const ROUNDS = Number(args.rounds);
  const { RpcHarness } = await import("../test/rpc-harness.js");
  const h = await RpcHarness.create({ autoProduce: false });
  // as a node serves (no response checks against the schemas: the tests' option)
  const { server, url } = await h.serve({ rateLimitPerMinute: 1_000_000_000, maxBatchTxs: 1000, maxBatchBytes: 4 * 1024 * 1024, checkResponses: false });
  const writers = ["exporter-hz-textiles", "exporter-sz-electronics", "bank-a", "bank-b", "customs", "core-enterprise"].map((id) => signerFromSeed(id, h.party(id).seed));
  const sign = (n: number): Uint8Array[] =>
    Array.from({ length: n }, (_, i) => {
      const s = writers[i % writers.length]!;
      return signTransactionSync(s, buildTxBody(tx.anchorDocument({ documentHash: new Uint8Array(randomBytes(32)), documentType: "PACKING_LIST" }), { chainId: h.chainId, signer: s })).bytes;
    });
  const client = fork(SELF, ["--client"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const run = (job: Omit<Job, "type" | "url">) =>
    new Promise<number>((resolve) => {
      client.once("message", (m: { ok: number }) => resolve(m.ok));
      client.send({ type: "job", url, ...job } satisfies Job);
    });
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const u = process.cpuUsage(since);
    return (u.user + u.system) / 1000;
  };
  const results: Record<string, number[]> = {};
  const note = (key: string, usPerTx: number) => (results[key] ??= []).push(usPerTx);
  console.log(`bench:submit-edge  ${N} transactions per mode, batches of ${BATCH}, ${ROUNDS} rounds; load average ${loadavg().map((x) => x.toFixed(2)).join(" ")} at start`);
  for (let round = 0; round < ROUNDS; round++) {
    for (const wait of ["none", "commit"] as const) {
      h.autoProduce = wait === "commit";
      // admission by the node API itself: the floor under any route
      {
        const txs = sign(N);
        const t0 = process.cpuUsage();
        const admitted = (await h.api.submitMany(txs)).filter((a) => a.ok).length;
        if (wait === "commit") await h.settle();
        note(`direct|${wait}`, (1000 * cpuMs(t0)) / admitted);
        await h.settle();
      }
      for (const mode of ["single", "batch-json", "batch-protobuf"] as const) {
        const txs = sign(N).map(toHex);
        const t0 = process.cpuUsage();
        const ok = await run({ mode, wait, txs, batch: BATCH });
        if (ok !== N) throw new Error(`${mode} wait=${wait}: ${ok} of ${N} admitted`);
        note(`${mode}|${wait}`, (1000 * cpuMs(t0)) / ok);
        h.autoProduce = false;
        await h.settle(); // what wait=none left in the pool, outside the measurement
        h.autoProduce = wait === "commit";
      }
    }
    console.log(`  round ${round + 1} done, load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  }
  const fmt = (xs: number[] | undefined) => (xs ? xs.map((x) => x.toFixed(0)).join(" / ") : "-");
  console.log(`\nnode CPU per transaction, µs (one figure per round), ${h.blocks.length} blocks executed in all:`);
  console.log(`  ${"how".padEnd(34)} ${"wait=none".padStart(16)} ${"wait=commit".padStart(16)}`);
  for (const [key, label] of [
    ["direct", "node API, no HTTP (the floor)"],
    ["single", "POST /v1/txs, one per request"],
    ["batch-json", `POST /v1/txs/batch, JSON, ${BATCH}`],
    ["batch-protobuf", `POST /v1/txs/batch, protobuf, ${BATCH}`],
  ] as const) {
    console.log(`  ${label.padEnd(34)} ${fmt(results[`${key}|none`]).padStart(16)} ${fmt(results[`${key}|commit`]).padStart(16)}`);
  }
  client.disconnect();
  await server.stop();
  await h.close();
}

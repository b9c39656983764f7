// The fuzz targets: the decoders and parsers that take bytes from outside the node. Each run()
// states its invariants as assertions, so any exception is a finding:
//   - bad input is refused with the project's typed error (CodecError / WireError / FrameError /
//     ApiError MALFORMED or TOO_LARGE), never another exception (a TypeError is a crash bug);
//   - good input decodes to a valid object, and re-encoding it round-trips where the format is
//     canonical;
//   - nothing allocates more than the input justifies (the frame reader's held bytes are checked
//     after every push), and the engine flags slow runs and heap growth (engine.ts).
import { deepStrictEqual, ok } from "node:assert/strict";
import { parse as parseQueryString } from "node:querystring";
import { TextDecoder } from "node:util";
import { encode, CodecError } from "../../sdk/codec.js";
import { decodeTx, MAX_TX_BYTES, type SignedTxWire } from "../../sdk/tx.js";
import { checkTxBody, txBodyFormatError } from "../../sdk/validate.js";
import { nodeCrypto } from "../../node/crypto.js";
import { decodeCertifiedBlock, decodeConsensusMessage, decodeRecord, encodeCertifiedBlock, encodeConsensusMessage, encodeRecord, WireError } from "../../node/net/wire.js";
import { encodeFrame, FIRST_FRAME_CHUNK, FrameDecoder, FrameError } from "../../p2p/framing.js";
import { decodeEpochLinkFrame, decodeEpochLinksRequest, encodeEpochLinkFrame, encodeEpochLinksRequest, EpochLinksRequestError, MAX_LINKS_PER_ANSWER } from "../../node/net/epoch-links.js";
import { routes } from "../../sdk/api/routes.js";
import { ApiError } from "../../rpc/errors.js";
import { parseInput, parseJsonText, parseTxBatch } from "../../rpc/input.js";
import type { FuzzTarget } from "./engine.js";

const utf8 = (s: string) => new TextEncoder().encode(s);

class InvariantError extends Error {
  override readonly name = "InvariantError";
}

function typed(err: unknown, ...classes: (new (...args: never[]) => Error)[]): void {
  if (classes.some((c) => err instanceof c)) return;
  const e = err as Error;
  throw new InvariantError(`untyped error ${e?.name ?? typeof err}: ${e?.message ?? String(err)}\n${e?.stack ?? ""}`);
}

// ---- 1. transactions: SignedTx / TxBody decode and the format check ------------------------------

/** What the node does with a transaction's bytes at the edge (mempool admission, gossip, blocks). */
export const txDecoder: FuzzTarget = {
  name: "tx-decoder",
  description: "SignedTx/TxBody decode (canonical body), then the format check of every payload type",
  maxLen: 4096,
  dictionary: [
    ...["tradeledger", "registerReceivable", "financeReceivable", "USD", "EUR", "2026-01-31", "BILL_OF_LADING"].map(utf8),
    Uint8Array.of(0x0a), Uint8Array.of(0x12), Uint8Array.of(0x1a), Uint8Array.of(0x22), Uint8Array.of(0x08), Uint8Array.of(0x10), Uint8Array.of(0x18),
  ],
  run(data) {
    let tx;
    try {
      tx = decodeTx(nodeCrypto, data);
    } catch (err) {
      typed(err, CodecError);
      return;
    }
    ok(data.length <= MAX_TX_BYTES, "decoded a transaction above the size limit");
    // the body is canonical: its encoding is exactly the bytes that were signed (the hash)
    deepStrictEqual(encode("TxBody", tx.body), tx.bodyBytes, "TxBody does not re-encode to its bytes");
    deepStrictEqual(tx.hash, nodeCrypto.sha256(tx.bodyBytes));
    // the envelope round-trips to the same transaction
    const again = decodeTx(nodeCrypto, encode("SignedTx", { body: tx.bodyBytes, signature: tx.signature } satisfies SignedTxWire));
    deepStrictEqual(again.body, tx.body);
    deepStrictEqual(again.signature, tx.signature);
    // the format check answers (an issue or none) for whatever the decoder let through
    const issue = checkTxBody(tx.body);
    const message = txBodyFormatError(tx.body);
    ok((issue === undefined) === (message === null), "checkTxBody and txBodyFormatError disagree");
    if (issue) ok(typeof issue.field === "string" && typeof issue.message === "string");
  },
};

// ---- 2. the consensus wire: envelopes, certified blocks, write-ahead records ----------------------

const VALIDATORS = 4;

export const consensusWire: FuzzTarget = {
  name: "consensus-wire",
  description: "consensus envelopes from peers (node/net/wire.ts), certified blocks (block sync), write-ahead records",
  maxLen: 8192,
  dictionary: [0x08, 0x10, 0x18, 0x20, 0x28, 0x0a, 0x12, 0x1a, 0x22, 0x2a, 0x32, 0x3a, 0x42].map((b) => Uint8Array.of(b)),
  run(data) {
    const kind = data.length > 0 ? data[0]! % 4 : 0;
    const bytes = data.subarray(1);
    if (kind <= 1) {
      const m = decodeConsensusMessage(bytes, VALIDATORS);
      if (m instanceof Error) {
        typed(m, WireError, CodecError);
        return;
      }
      // a message that passed the structural checks re-encodes and decodes to itself
      const again = decodeConsensusMessage(encodeConsensusMessage(m), VALIDATORS);
      ok(!(again instanceof Error), `re-encoded ${m.type} no longer decodes: ${(again as Error).message}`);
      deepStrictEqual(again, m, `${m.type} does not round-trip`);
    } else if (kind === 2) {
      const b = decodeCertifiedBlock(bytes);
      if (b instanceof Error) {
        typed(b, WireError, CodecError);
        return;
      }
      const again = decodeCertifiedBlock(encodeCertifiedBlock(b));
      ok(!(again instanceof Error), `re-encoded block no longer decodes: ${(again as Error).message}`);
      deepStrictEqual(again, b, "certified block does not round-trip");
    } else {
      let r;
      try {
        r = decodeRecord(bytes);
      } catch (err) {
        typed(err, WireError, CodecError);
        return;
      }
      deepStrictEqual(decodeRecord(encodeRecord(r)), r, "write-ahead record does not round-trip");
    }
  },
};

// ---- 3. the p2p frame reader -------------------------------------------------------------------

export const frameReader: FuzzTarget = {
  name: "frame-reader",
  description: "length-prefixed frames (p2p/framing.ts) in arbitrary chunks, small and 64 MiB limits",
  maxLen: 4096,
  dictionary: [Uint8Array.of(0x80, 0x80, 0x80, 0x20), Uint8Array.of(0xff, 0xff, 0xff, 0x1f), Uint8Array.of(0x80, 0x00), Uint8Array.of(0x80, 0x08), Uint8Array.of(0xff, 0x07)],
  run(data) {
    if (data.length === 0) return;
    const control = data[0]!;
    const max = control & 1 ? 64 * 1024 * 1024 : 1024;
    const stream = data.subarray(1);
    const decoder = new FrameDecoder(max);
    const frames: Uint8Array[] = [];
    let pushed = 0;
    let at = 0;
    let chunkSeed = control >> 1;
    try {
      while (at < stream.length) {
        // chunk sizes from the control byte: 1..16 bytes, so prefixes and payloads split anywhere
        chunkSeed = (chunkSeed * 73 + 41) & 0xff;
        const size = Math.min(stream.length - at, 1 + (chunkSeed & 15));
        decoder.push(stream.subarray(at, at + size));
        at += size;
        pushed += size;
        for (let f = decoder.next(); f !== null; f = decoder.next()) {
          ok(f.length <= max, `frame of ${f.length} bytes above the limit ${max}`);
          frames.push(f);
        }
        // memory held for the peer: about what it sent, never the announced length
        const held = decoder.heldBytes;
        ok(held <= 2 * decoder.bufferedBytes + FIRST_FRAME_CHUNK, `holds ${held} bytes for ${decoder.bufferedBytes} received`);
        ok(decoder.bufferedBytes <= pushed, "buffers more than it received");
      }
    } catch (err) {
      typed(err, FrameError);
      return;
    }
    // what came out, framed again, is exactly the prefix of the stream the decoder consumed
    const consumed = pushed - decoder.bufferedBytes;
    const reframed = frames.map(encodeFrame);
    const total = reframed.reduce((a, f) => a + f.length, 0);
    ok(total <= consumed && consumed - total <= 5, `frames re-encode to ${total} bytes, ${consumed} consumed`);
    let off = 0;
    for (const f of reframed) {
      deepStrictEqual(f, stream.slice(off, off + f.length), "a frame does not re-encode to its bytes");
      off += f.length;
    }
  },
};

// ---- 4. the RPC edge: JSON bodies, query strings, path parameters -------------------------------

const text = new TextDecoder("utf-8", { fatal: false });
const ROUTES = Object.entries(routes);
const WITH_QUERY = ROUTES.filter(([, r]) => Object.keys((r.query as unknown as { shape?: object }).shape ?? {}).length > 0);
const WITH_PARAMS = ROUTES.filter(([, r]) => Object.keys((r.params as unknown as { shape?: object }).shape ?? {}).length > 0);
const EDGE_CODES = new Set(["MALFORMED", "TOO_LARGE"]);

function edgeError(err: unknown): void {
  typed(err, ApiError);
  ok(EDGE_CODES.has((err as ApiError).code), `edge answered ${(err as ApiError).code}`);
  ok((err as ApiError).status === 400 || (err as ApiError).status === 413);
}

export const rpcEdge: FuzzTarget = {
  name: "rpc-edge",
  description: "POST /v1/txs JSON body to admission decode; every route's query and path parameters",
  maxLen: 4096,
  dictionary: ['{"tx":"', '"}', "limit=", "&cursor=", "exporter=", "wait=commit", "18446744073709551616", "-1", "1e999", "\\u0000", "%00", "0x", "null", "[]", "{}", "__proto__", "constructor"].map(utf8),
  run(data) {
    if (data.length === 0) return;
    const mode = data[0]! % 3;
    const pick = data.length > 1 ? data[1]! : 0;
    const input = text.decode(data.subarray(2));
    try {
      if (mode === 0) {
        // the body of POST /v1/txs, as the server reads it and the handler decodes it
        const body = parseInput(routes.submitTx.body!, parseJsonText(input), "body") as { tx: string };
        ok(typeof body.tx === "string" && /^([0-9a-f]{2})*$/.test(body.tx), "the body schema let through a tx that is not lower-case hex");
        if (body.tx.length > 2 * MAX_TX_BYTES) return;
        try {
          const tx = decodeTx(nodeCrypto, new Uint8Array(Buffer.from(body.tx, "hex")));
          txBodyFormatError(tx.body);
        } catch (err) {
          typed(err, CodecError);
        }
      } else if (mode === 1) {
        const [id, def] = WITH_QUERY[pick % WITH_QUERY.length]!;
        const query = parseQueryString(input);
        const out = parseInput(def.query, { ...query }, "query");
        for (const k of Object.keys(out)) ok(Object.hasOwn((def.query as unknown as { shape: object }).shape, k), `${id}: query let through ${k}`);
      } else {
        const [id, def] = WITH_PARAMS[pick % WITH_PARAMS.length]!;
        const names = Object.keys((def.params as unknown as { shape: object }).shape);
        const values = input.split("/");
        const params = Object.fromEntries(names.map((n, i) => [n, values[i] ?? ""]));
        const out = parseInput(def.params, params, "path");
        for (const k of Object.keys(out)) ok(names.includes(k), `${id}: path let through ${k}`);
      }
    } catch (err) {
      if (err instanceof InvariantError || (err as Error)?.name === "AssertionError") throw err;
      edgeError(err);
    }
  },
};

// ---- 5. the RPC's batch body: POST /v1/txs/batch, JSON or protobuf --------------------------------

const BATCH_MAX_TXS = 8;

export const rpcBatch: FuzzTarget = {
  name: "rpc-batch",
  description: "POST /v1/txs/batch bodies (JSON txs or a protobuf TxSubmission) to the transactions each is admitted as",
  maxLen: 8192,
  dictionary: ['{"txs":["', '","', '"]}', "[]", "null"].map(utf8).concat([Uint8Array.of(0x0a), Uint8Array.of(0x0a, 0x00), Uint8Array.of(0x12), Uint8Array.of(0x80, 0x80, 0x04)]),
  run(data) {
    if (data.length === 0) return;
    const form = data[0]! & 1 ? "protobuf" : "json";
    const body = data.subarray(1);
    let txs: Uint8Array[];
    try {
      txs = parseTxBatch(body, form, BATCH_MAX_TXS);
    } catch (err) {
      if (err instanceof InvariantError || (err as Error)?.name === "AssertionError") throw err;
      edgeError(err);
      return;
    }
    ok(txs.length >= 1 && txs.length <= BATCH_MAX_TXS, `${txs.length} transactions let through`);
    // the entries are what a client encoding them would send (a padded length may differ in bytes, not in entries)
    if (form === "protobuf") deepStrictEqual(parseTxBatch(encode("TxSubmission", { txs }), "protobuf", BATCH_MAX_TXS), txs, "the entries do not round-trip");
    for (const t of txs) {
      ok(t instanceof Uint8Array);
      try {
        decodeTx(nodeCrypto, t);
      } catch (err) {
        typed(err, CodecError);
      }
    }
  },
};

// ---- 6. epoch links on request: the request a server reads, the frames an asker reads -------------

export const epochLinksWire: FuzzTarget = {
  name: "epoch-links-wire",
  description: "epoch-links requests (server side) and answer frames (asker side) of /tradeledger/epoch-links/1 (node/net/epoch-links.ts)",
  maxLen: 4096,
  dictionary: [0x08, 0x10, 0x12, 0x1a, 0x22, 0x2a, 0x0a].map((b) => Uint8Array.of(b)),
  run(data) {
    const bytes = data.subarray(1);
    if (data.length > 0 && data[0]! % 2 === 0) {
      let r;
      try {
        r = decodeEpochLinksRequest(bytes);
      } catch (err) {
        typed(err, EpochLinksRequestError);
        return;
      }
      ok(r.maxLinks >= 1 && r.maxLinks <= MAX_LINKS_PER_ANSWER, `a request for ${r.maxLinks} links let through`);
      deepStrictEqual(decodeEpochLinksRequest(encodeEpochLinksRequest(r)), r, "request does not round-trip");
    } else {
      // never throws: an Error for anything malformed, which the asker refuses (LINKS_MALFORMED)
      const l = decodeEpochLinkFrame(bytes);
      if (l instanceof Error) return;
      ok(l.checkpoint && l.proof, "a link without its checkpoint or proof let through");
      const again = decodeEpochLinkFrame(encodeEpochLinkFrame(l));
      ok(!(again instanceof Error), `re-encoded link no longer decodes: ${(again as Error).message}`);
      deepStrictEqual(again, l, "link does not round-trip");
    }
  },
};

export const TARGETS: readonly FuzzTarget[] = [txDecoder, consensusWire, frameReader, rpcEdge, rpcBatch, epochLinksWire];

export function targetByName(name: string): FuzzTarget {
  const t = TARGETS.find((x) => x.name === name);
  if (!t) throw new Error(`unknown fuzz target ${name} (one of ${TARGETS.map((x) => x.name).join(", ")})`);
  return t;
}


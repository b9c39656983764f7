// The store's meta record: what the store holds and where its head is. Written in every block's
// batch, so it always names the last block that is wholly present. Stored as canonical JSON followed
// by its SHA-256, so a damaged record is detected rather than half-read.
import { equalBytes, fromHex, isHex, toHex } from "../../sdk/bytes.js";
import { corrupted, StoreError } from "./errors.js";
import { sha256 } from "./state-tree.js";

/** Bumped on any incompatible change of a bucket's layout (docs/storage.md). */
export const STORE_FORMAT_VERSION = 1;

export interface StoreMeta {
  format: number;
  chainId: string;
  /** state tree depth (bits of the bucket index), a genesis parameter */
  treeDepth: number;
  /** SHA-256 identifying the genesis this store was created from (chain.ts genesisHash) */
  genesisHash: Uint8Array;
  /** state root after genesis (height 0) */
  genesisStateRoot: Uint8Array;
  /** height of the last committed block; 0 when only genesis is applied */
  height: bigint;
  /** hash of that block's header; 32 zero bytes at height 0 */
  lastHash: Uint8Array;
  /** state root after that block */
  stateRoot: Uint8Array;
}

interface MetaJson {
  format: number;
  chainId: string;
  treeDepth: number;
  genesisHash: string;
  genesisStateRoot: string;
  height: string;
  lastHash: string;
  stateRoot: string;
}

export function encodeMeta(meta: StoreMeta): Uint8Array {
  const json: MetaJson = {
    format: meta.format,
    chainId: meta.chainId,
    treeDepth: meta.treeDepth,
    genesisHash: toHex(meta.genesisHash),
    genesisStateRoot: toHex(meta.genesisStateRoot),
    height: meta.height.toString(),
    lastHash: toHex(meta.lastHash),
    stateRoot: toHex(meta.stateRoot),
  };
  const body = Buffer.from(JSON.stringify(json), "utf8");
  return Buffer.concat([body, sha256(body)]);
}

/** Decodes and checks a meta record; throws StoreError (STORE_CORRUPTED or STORE_FORMAT). */
export function decodeMeta(bytes: Uint8Array): StoreMeta {
  if (bytes.length < 33) throw corrupted("meta record is truncated", { bytes: bytes.length });
  const body = bytes.subarray(0, bytes.length - 32);
  if (!equalBytes(sha256(body), bytes.subarray(bytes.length - 32))) throw corrupted("meta record fails its checksum");
  let json: MetaJson;
  try {
    json = JSON.parse(Buffer.from(body).toString("utf8")) as MetaJson;
  } catch (err) {
    throw corrupted("meta record is not JSON", {}, err);
  }
  if (typeof json.format !== "number") throw corrupted("meta record has no format version");
  if (json.format !== STORE_FORMAT_VERSION) {
    throw new StoreError("STORE_FORMAT", `store format ${json.format} is not the supported format ${STORE_FORMAT_VERSION}`, { found: json.format, supported: STORE_FORMAT_VERSION });
  }
  const ok =
    typeof json.chainId === "string" &&
    Number.isInteger(json.treeDepth) &&
    isHex(json.genesisHash, 32) &&
    isHex(json.genesisStateRoot, 32) &&
    typeof json.height === "string" &&
    /^(0|[1-9][0-9]{0,19})$/.test(json.height) &&
    isHex(json.lastHash, 32) &&
    isHex(json.stateRoot, 32);
  if (!ok) throw corrupted("meta record has malformed fields");
  return {
    format: json.format,
    chainId: json.chainId,
    treeDepth: json.treeDepth,
    genesisHash: fromHex(json.genesisHash),
    genesisStateRoot: fromHex(json.genesisStateRoot),
    height: BigInt(json.height),
    lastHash: fromHex(json.lastHash),
    stateRoot: fromHex(json.stateRoot),
  };
}

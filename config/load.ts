// Loading of genesis, node config and key files, with environment overrides. Every failure is a
// ConfigError naming the file and the field, e.g. `node.json: rpc.port: Too big: expected <= 65535`.
import { readFileSync, statSync, writeFileSync, mkdirSync, renameSync } from "node:fs";
import { scryptSync } from "node:crypto";
import { dirname, isAbsolute, resolve } from "node:path";
import type { z } from "zod";
import { genesisSchema, nodeConfigSchema, type Genesis, type NodeConfig } from "./schema.js";
import { fromHex, toHex } from "../sdk/bytes.js";
import { nodeCrypto } from "../node/crypto.js";
import { decryptKey, encryptKey, isKeystore, KeystoreError, parseKeystore, type KeyKind, type ScryptFn, type ScryptParams } from "../sdk/keystore.js";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code = "CONFIG_INVALID" as const;
  constructor(
    readonly file: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(`${file}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`);
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, file: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ConfigError(
      file,
      result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    );
  }
  return result.data;
}

export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [{ path: "", message: `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }]);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(file, [{ path: "", message: `not valid JSON: ${(err as Error).message}` }]);
  }
}

export function loadGenesis(file: string): Genesis {
  return parseWith(genesisSchema, readJsonFile(file), file);
}

/** Environment variables that override node config fields (documented in docs/operator.md). */
export const ENV_OVERRIDES: { env: string; path: string[]; parse: (v: string) => unknown }[] = [
  { env: "TRADELEDGER_DATA_DIR", path: ["dataDir"], parse: (v) => v },
  { env: "TRADELEDGER_MODE", path: ["mode"], parse: (v) => v },
  { env: "TRADELEDGER_VALIDATOR_ID", path: ["validatorId"], parse: (v) => v },
  { env: "TRADELEDGER_P2P_LISTEN", path: ["p2p", "listen"], parse: (v) => v.split(",").map((s) => s.trim()).filter(Boolean) },
  { env: "TRADELEDGER_RPC_HOST", path: ["rpc", "host"], parse: (v) => v },
  { env: "TRADELEDGER_RPC_PORT", path: ["rpc", "port"], parse: (v) => (/^\d+$/.test(v) ? Number(v) : v) },
  { env: "TRADELEDGER_LOG_LEVEL", path: ["log", "level"], parse: (v) => v },
  { env: "TRADELEDGER_SIGNED_LOG", path: ["log", "signed"], parse: (v) => v },
];

export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const out = structuredClone(raw) as Record<string, unknown>;
  for (const o of ENV_OVERRIDES) {
    const value = env[o.env];
    if (value === undefined || value === "") continue;
    let cursor = out;
    for (const key of o.path.slice(0, -1)) {
      if (cursor[key] === undefined || cursor[key] === null || typeof cursor[key] !== "object") cursor[key] = {};
      cursor = cursor[key] as Record<string, unknown>;
    }
    cursor[o.path[o.path.length - 1]!] = o.parse(value);
  }
  return out;
}

/** Loads a node config; relative paths inside it are resolved against the config file's folder. */
export function loadNodeConfig(file: string, env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const config = parseWith(nodeConfigSchema, applyEnvOverrides(readJsonFile(file), env), file);
  const base = dirname(resolve(file));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  const log = { ...config.log };
  if (config.log.signed) log.signed = abs(config.log.signed);
  if (config.log.audit) log.audit = abs(config.log.audit);
  return { ...config, dataDir: abs(config.dataDir), genesisFile: abs(config.genesisFile), ...(config.nodeKeyFile ? { nodeKeyFile: abs(config.nodeKeyFile) } : {}), ...(config.nextNodeKeyFile ? { nextNodeKeyFile: abs(config.nextNodeKeyFile) } : {}), log };
}

export interface KeyFile {
  /** the party this key signs for, when it is a party key */
  partyId?: string;
  seed: Uint8Array;
  publicKey: Uint8Array;
  /** true if the file is an encrypted keystore (sdk/keystore.ts), false for a plaintext (dev) key */
  encrypted: boolean;
}

/** node:crypto's scrypt (RFC 7914), native: the keystore's KDF on the node side. */
export const nodeScrypt: ScryptFn = (password, salt, { N, r, p }, dkLen) =>
  new Uint8Array(scryptSync(password, salt, dkLen, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 }));

function warnIfShared(file: string): void {
  try {
    const mode = statSync(file).mode & 0o077;
    if (mode !== 0) process.emitWarning(`${file} is readable by group or others (mode ${(statSync(file).mode & 0o777).toString(8)}); chmod 600 it`);
  } catch {
    /* stat failures were already reported by the read */
  }
}

/** The public part of a key file, plaintext or encrypted, read without the passphrase. */
export function keyFileInfo(file: string): { partyId?: string; publicKey: Uint8Array; encrypted: boolean; kind?: KeyKind } {
  const raw = readJsonFile(file);
  if (isKeystore(raw)) {
    try {
      const k = parseKeystore(raw);
      return { ...(k.partyId ? { partyId: k.partyId } : {}), publicKey: fromHex(k.publicKey), encrypted: true, kind: k.kind };
    } catch (err) {
      throw new ConfigError(file, [{ path: "", message: (err as Error).message }]);
    }
  }
  const key = loadKeyFile(file);
  return { ...(key.partyId ? { partyId: key.partyId } : {}), publicKey: key.publicKey, encrypted: false };
}

/**
 * Reads a key file: an encrypted keystore (opened with `passphrase`) or a plaintext dev key
 * `{ partyId?, seed, publicKey }` whose public key must match its seed. An encrypted file without a
 * passphrase, or with a wrong one, is a ConfigError that says so.
 */
export function loadKeyFile(file: string, passphrase?: string): KeyFile {
  const raw = readJsonFile(file) as Record<string, unknown>;
  if (typeof raw !== "object" || raw === null) throw new ConfigError(file, [{ path: "", message: "expected a JSON object" }]);
  if (isKeystore(raw)) {
    if (passphrase === undefined) throw new ConfigError(file, [{ path: "", message: `is an encrypted key: give its passphrase (${PASSPHRASE_SOURCES})` }]);
    try {
      const k = decryptKey(raw, passphrase, { scryptFn: nodeScrypt, crypto: nodeCrypto });
      warnIfShared(file);
      return { ...(k.partyId ? { partyId: k.partyId } : {}), seed: k.seed, publicKey: k.publicKey, encrypted: true };
    } catch (err) {
      if (err instanceof KeystoreError) throw new ConfigError(file, [{ path: "", message: err.message }]);
      throw err;
    }
  }
  const issues: { path: string; message: string }[] = [];
  if (typeof raw.seed !== "string" || !/^[0-9a-f]{64}$/.test(raw.seed)) issues.push({ path: "seed", message: "expected 32 bytes as 64 lower-case hex digits" });
  if (raw.partyId !== undefined && typeof raw.partyId !== "string") issues.push({ path: "partyId", message: "expected a string" });
  if (issues.length) throw new ConfigError(file, issues);
  const seed = fromHex(raw.seed as string);
  const publicKey = nodeCrypto.publicKeyFromSeed(seed);
  if (raw.publicKey !== undefined && raw.publicKey !== toHex(publicKey)) {
    throw new ConfigError(file, [{ path: "publicKey", message: "does not match the seed" }]);
  }
  warnIfShared(file);
  return { ...(raw.partyId ? { partyId: raw.partyId as string } : {}), seed, publicKey, encrypted: false };
}

/** Where a passphrase may come from (docs/operator.md §2), for error messages. */
export const PASSPHRASE_SOURCES = "--passphrase-file, TRADELEDGER_KEY_PASSPHRASE_FILE, TRADELEDGER_KEY_PASSPHRASE, or a terminal prompt";

/** The label a plaintext key file carries: it is for a local devnet or a test, never production. */
export const PLAINTEXT_KEY_NOTE = "PLAINTEXT DEVELOPMENT KEY: for a local devnet or tests only; production keys are encrypted (tradeledger init) or in an HSM";

/**
 * Writes a key file with mode 0600, atomically (write to a temp file, then rename); new folders 0700.
 * With a passphrase it is an encrypted keystore (scrypt + XChaCha20-Poly1305); without one, a
 * plaintext key labelled as a development key.
 */
export function writeKeyFile(file: string, key: { partyId?: string; seed: Uint8Array; kind?: KeyKind }, opts: { passphrase?: string; scrypt?: ScryptParams } = {}): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const body =
    opts.passphrase !== undefined
      ? encryptKey(key.seed, opts.passphrase, {
          kind: key.kind ?? (key.partyId ? "party" : "node"),
          ...(key.partyId ? { partyId: key.partyId } : {}),
          ...(opts.scrypt ? { scrypt: opts.scrypt } : {}),
          scryptFn: nodeScrypt,
          crypto: nodeCrypto,
        })
      : {
          note: PLAINTEXT_KEY_NOTE,
          ...(key.partyId ? { partyId: key.partyId } : {}),
          seed: toHex(key.seed),
          publicKey: toHex(nodeCrypto.publicKeyFromSeed(key.seed)),
        };
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(body, null, 2) + "\n", { mode: 0o600 });
  renameSync(tmp, file);
}

/**
 * Writes JSON atomically (temp file + rename), so a crash never leaves half a config. Folders it
 * creates are 0700 (a devnet's folder holds keys and every node's data); the file's mode is given.
 */
export function writeJsonFile(file: string, value: unknown, mode = 0o644): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + "\n", { mode });
  renameSync(tmp, file);
}

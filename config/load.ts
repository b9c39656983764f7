// Loading of genesis, node config and key files, with environment overrides. Every failure is a
// ConfigError naming the file and the field, e.g. `node.json: rpc.port: Too big: expected <= 65535`.
import { readFileSync, statSync, writeFileSync, mkdirSync, renameSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { z } from "zod";
import { genesisSchema, nodeConfigSchema, type Genesis, type NodeConfig } from "./schema.js";
import { fromHex, toHex } from "../sdk/bytes.js";
import { nodeCrypto } from "../node/crypto.js";

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
  return { ...config, dataDir: abs(config.dataDir), genesisFile: abs(config.genesisFile), nodeKeyFile: abs(config.nodeKeyFile), log };
}

export interface KeyFile {
  /** the party this key signs for, when it is a party key */
  partyId?: string;
  seed: Uint8Array;
  publicKey: Uint8Array;
}

/** Reads a key file `{ partyId?, seed, publicKey }` and checks the public key matches the seed. */
export function loadKeyFile(file: string): KeyFile {
  const raw = readJsonFile(file) as Record<string, unknown>;
  const issues: { path: string; message: string }[] = [];
  if (typeof raw !== "object" || raw === null) throw new ConfigError(file, [{ path: "", message: "expected a JSON object" }]);
  if (typeof raw.seed !== "string" || !/^[0-9a-f]{64}$/.test(raw.seed)) issues.push({ path: "seed", message: "expected 32 bytes as 64 lower-case hex digits" });
  if (raw.partyId !== undefined && typeof raw.partyId !== "string") issues.push({ path: "partyId", message: "expected a string" });
  if (issues.length) throw new ConfigError(file, issues);
  const seed = fromHex(raw.seed as string);
  const publicKey = nodeCrypto.publicKeyFromSeed(seed);
  if (raw.publicKey !== undefined && raw.publicKey !== toHex(publicKey)) {
    throw new ConfigError(file, [{ path: "publicKey", message: "does not match the seed" }]);
  }
  try {
    const mode = statSync(file).mode & 0o077;
    if (mode !== 0) process.emitWarning(`${file} is readable by group or others (mode ${(statSync(file).mode & 0o777).toString(8)}); chmod 600 it`);
  } catch {
    /* stat failures were already reported by the read */
  }
  return { ...(raw.partyId ? { partyId: raw.partyId as string } : {}), seed, publicKey };
}

/** Writes a key file with mode 0600, atomically (write to a temp file, then rename); new folders 0700. */
export function writeKeyFile(file: string, key: { partyId?: string; seed: Uint8Array }): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const body = {
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

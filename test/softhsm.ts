// A SoftHSM2 token of our own, in a temporary folder (SOFTHSM2_CONF points at it), for the PKCS#11
// tests and the HSM measurement. SoftHSM2 comes from Debian (`.ci/run` installs it if missing).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SOFTHSM_MODULE_CANDIDATES = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so", "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"];

export function softhsmModule(): string | undefined {
  return SOFTHSM_MODULE_CANDIDATES.find((p) => existsSync(p));
}

/** Why SoftHSM2 cannot be used here, or undefined. */
export function softhsmUnavailable(): string | undefined {
  if (!softhsmModule()) return "SoftHSM2 is not installed (Debian package softhsm2; .ci/run installs it)";
  try {
    execFileSync("softhsm2-util", ["--version"], { stdio: "ignore" });
  } catch {
    return "softhsm2-util is missing (Debian package softhsm2)";
  }
  return undefined;
}

export interface TestToken {
  module: string;
  tokenLabel: string;
  pin: string;
  dir: string;
}

/**
 * Creates a token in a fresh folder and points this process (and its children) at it. PKCS#11
 * modules read SOFTHSM2_CONF once, at C_Initialize, so call this before opening any key.
 */
export function initTestToken(tokenLabel = "tradeledger-test"): TestToken {
  const module = softhsmModule();
  if (!module) throw new Error(softhsmUnavailable());
  const dir = mkdtempSync(join(tmpdir(), "tl-softhsm-"));
  mkdirSync(join(dir, "tokens"), { mode: 0o700 });
  const conf = join(dir, "softhsm2.conf");
  writeFileSync(conf, `directories.tokendir = ${join(dir, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = conf;
  const pin = "1234-test-pin";
  execFileSync("softhsm2-util", ["--init-token", "--free", "--label", tokenLabel, "--so-pin", "9876-test-so", "--pin", pin], { stdio: "ignore", env: process.env });
  return { module, tokenLabel, pin, dir };
}

// contrib/systemd/tradeledger-validator.service: `systemd-analyze verify` finds nothing wrong with
// it (paths mapped to this checkout), a broken copy is caught (so the check can fail), and the
// offline security analysis rates its hardening (the exposure figure is printed).
import t from "tap";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const UNIT = join(ROOT, "contrib", "systemd", "tradeledger-validator.service");
const analyze = (...args: string[]) => spawnSync("systemd-analyze", args, { encoding: "utf8" });

const probe = spawnSync("systemd-analyze", ["--version"], { encoding: "utf8" });
if (probe.error || probe.status !== 0) {
  t.pass(`skipped: systemd-analyze is not available here (${probe.error?.message ?? probe.stderr}); Debian package systemd provides it`);
} else {
  const dir = mkdtempSync(join(tmpdir(), "tl-systemd-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const text = readFileSync(UNIT, "utf8");
  // The unit names the install paths (/opt/tradeledger, /usr/bin/node); verify checks that ExecStart exists, so map them here.
  const local = text.replaceAll("/opt/tradeledger", ROOT).replaceAll("/usr/bin/node", process.execPath);
  const unit = join(dir, "tradeledger-validator.service");
  writeFileSync(unit, local);

  t.test("systemd-analyze verify: no error, no warning", async (t) => {
    const res = analyze("verify", unit);
    t.equal(res.status, 0, res.stderr);
    t.equal((res.stdout + res.stderr).trim(), "", "nothing to report");
  });

  t.test("a broken copy is caught: the check can fail", async (t) => {
    const bad = join(dir, "broken.service");
    writeFileSync(bad, local.replace("ProtectSystem=strict", "ProtectSystem=everything").replace(`${process.execPath} `, "/nonexistent/node "));
    const res = analyze("verify", bad);
    t.not(res.status, 0);
    t.match(res.stderr, /protect system value/);
    t.match(res.stderr, /not executable/);
  });

  t.test("hardened: a dedicated user, read-only system, no capabilities; exposure rated by systemd", async (t) => {
    for (const line of ["User=tradeledger", "NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/srv/tradeledger", "CapabilityBoundingSet=", "PrivateDevices=yes", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "KillSignal=SIGTERM", "LoadCredential=node-key-passphrase:"]) {
      t.match(text, new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`, "m"), line);
    }
    const res = analyze("security", "--offline=yes", unit);
    const m = /Overall exposure level for tradeledger-validator\.service: ([0-9.]+) (\w+)/.exec(res.stdout + res.stderr);
    t.ok(m, "systemd-analyze security rates it");
    t.comment(`systemd-analyze security --offline: exposure ${m?.[1]} (${m?.[2]}) on a scale of 0 (locked down) to 10 (unprotected)`);
    t.ok(Number(m?.[1]) <= 2.0, `exposure ${m?.[1]} is at most 2.0 ("OK" starts below 3.0)`);
  });
}

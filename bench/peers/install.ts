// The peers come from Debian's packages (etcd-server, postgresql), installed with apt-get when a
// binary is missing, so `npm run bench -- --peers` runs from a fresh clone on the project's machines
// (root, Debian's archive reachable). Elsewhere it says what to install instead of guessing.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

export interface Needed {
  /** what must exist afterwards (a path) */
  present: () => boolean;
  /** Debian packages that provide it */
  packages: string[];
}

/** Installs the packages of every need that is not present; throws if that is impossible or failed. */
export function ensureDebianPackages(needs: Needed[], log: (s: string) => void): void {
  const missing = needs.filter((n) => !n.present());
  if (missing.length === 0) return;
  const packages = [...new Set(missing.flatMap((n) => n.packages))];
  if (process.getuid?.() !== 0) throw new Error(`--peers needs ${packages.join(", ")} (Debian packages): install them as root (apt-get install -y ${packages.join(" ")}) and run again`);
  log(`peers: installing ${packages.join(", ")} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const install = () => spawnSync("apt-get", ["install", "-y", "--no-install-recommends", ...packages], { env, encoding: "utf8" });
  let r = install();
  if (r.status !== 0) {
    // a fresh machine has no package lists yet
    const u = spawnSync("apt-get", ["update"], { env, encoding: "utf8" });
    if (u.status !== 0) throw new Error(`apt-get update failed: ${(u.stderr || u.stdout).slice(-2000)}`);
    r = install();
  }
  if (r.status !== 0) throw new Error(`apt-get install ${packages.join(" ")} failed: ${(r.stderr || r.stdout).slice(-2000)}`);
  const still = missing.filter((n) => !n.present());
  if (still.length > 0) throw new Error(`after apt-get install, still missing: ${still.flatMap((n) => n.packages).join(", ")}`);
}

/** The bin folder of the newest PostgreSQL of Debian's layout (/usr/lib/postgresql/<major>/bin), if any. */
export function postgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(root, majors[0], "bin");
}

/** `name` on the PATH (or in /usr/bin, /usr/sbin), if any. */
export function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/bin", "/usr/sbin"].filter(Boolean);
  for (const d of dirs) if (existsSync(join(d, name))) return join(d, name);
  return undefined;
}

// The web explorer's static files (explorer/, built by `npm run build` with Vite into dist/explorer/),
// served by every node at /explorer/ (docs/explorer.md). The files are read once when the server is
// made, into a table keyed by their path relative to the build folder: a request only ever looks a
// name up in that table, so no path from a request reaches the file system (no traversal, no
// symlinks followed at request time). Each answer carries its content type, an ETag, a cache policy
// (the hashed assets for a year, immutable; index.html revalidated every time) and a
// Content-Security-Policy that lets the page load only its own files and talk only to this node.
// A new build replaces the table when index.html changes (the page is fetched first, its assets after).
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the explorer is served. */
export const EXPLORER_PATH = "/explorer/";

/** The build's output next to the compiled server: dist/rpc/explorer.js -> dist/explorer/. */
export function defaultExplorerDir(): string {
  return fileURLToPath(new URL("../explorer/", import.meta.url));
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

/**
 * The page may run only its own scripts and styles and connect only to this node: no inline script
 * or style, no eval, no frames, no forms to elsewhere, no plugins.
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export interface ExplorerFile {
  body: Buffer;
  headers: Record<string, string>;
  /** the body gzipped once at load, for text files that shrink (the script: about 430 KiB to 125 KiB) */
  gzip?: Buffer;
}

function walk(dir: string, root: string, out: Map<string, ExplorerFile>): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const s = statSync(path);
    if (s.isDirectory()) {
      walk(path, root, out);
      continue;
    }
    if (!s.isFile()) continue;
    const rel = relative(root, path).split(sep).join("/");
    const body = readFileSync(path);
    const type = TYPES[extname(name).toLowerCase()] ?? "application/octet-stream";
    const gz = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 1024 ? gzipSync(body, { level: 9 }) : undefined;
    const hashed = rel.startsWith("assets/");
    out.set(rel, {
      body,
      headers: {
        "content-type": type,
        etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
        // Vite names every asset by its content hash: a new build is new names.
        "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
        "content-security-policy": EXPLORER_CSP,
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
        "referrer-policy": "no-referrer",
        "x-frame-options": "DENY",
        ...(gz ? { vary: "accept-encoding" } : {}),
      },
      ...(gz && gz.length < body.length ? { gzip: gz } : {}),
    });
  }
}

/**
 * The explorer's files by their path under /explorer/ ("" and "index.html" are the page), read
 * when first asked for and again whenever the page itself (index.html) changed on disk, so that
 * `npm run build` while a node runs is picked up at the next page load. get() answers undefined
 * for anything else, and for everything while the folder holds no build (npm run build makes it).
 */
export function explorerFiles(dir: string): { get(path: string): ExplorerFile | undefined; built(): boolean } {
  const index = join(dir, "index.html");
  let files = new Map<string, ExplorerFile>();
  let stamp = "";
  const refresh = () => {
    let now = "";
    try {
      const s = statSync(index);
      now = `${s.mtimeMs}:${s.size}`;
    } catch {
      now = "";
    }
    if (now === stamp) return;
    stamp = now;
    files = new Map();
    if (!now) return;
    walk(dir, dir, files);
    const page = files.get("index.html");
    if (page) files.set("", page);
  };
  return {
    get(path) {
      if (path === "" || path === "index.html" || files.size === 0) refresh();
      return files.get(path);
    },
    built() {
      if (files.size === 0) refresh();
      return files.size > 0;
    },
  };
}

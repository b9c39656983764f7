// The web explorer's build (docs/explorer.md): `npm run build` runs `vite build --config
// explorer/vite.config.mjs` after tsc, writing dist/explorer/, which every node serves at /explorer/
// (rpc/explorer.ts). The SDK is the compiled workspace package (tsc's dist/sdk/): the page imports
// `@tradeledger/sdk` and `@tradeledger/sdk/keystore` like any application.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here("./"),
  base: "/explorer/",
  publicDir: false,
  logLevel: "warn",
  resolve: {
    alias: [
      { find: /^@tradeledger\/sdk\/keystore$/, replacement: here("../dist/sdk/keystore.js") },
      { find: /^@tradeledger\/sdk\/audit$/, replacement: here("../dist/sdk/audit.js") },
      { find: /^@tradeledger\/sdk$/, replacement: here("../dist/sdk/index.js") },
    ],
  },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: here("../dist/explorer"),
    emptyOutDir: true,
    target: "es2022",
    // no inline scripts: the node's Content-Security-Policy allows only the page's own files
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1024,
    // rolldown's note on slow plugin callbacks: noise on a loaded 2-core machine
    rolldownOptions: { checks: { pluginTimings: false } },
  },
});

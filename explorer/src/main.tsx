// The TradeLedger explorer: a single page served by every node at /explorer/ (docs/explorer.md).
// Routes are in the URL's hash (#/receivable/<id>), so any page can be bookmarked and the node
// serves one file for all of them.
import { render, type JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { StatusJson } from "@tradeledger/sdk";
import { App, ErrorBox, type AppState } from "./ui.js";
import { openClient, validatorsFor, type PinnedValidators, type Session } from "./session.js";
import { genesisOnly, newestProven, proveSets, trustedOf, unprovenNote, type ChainOfSets } from "./sets.js";
import { KeyPage } from "./pages/key.js";
import { NetworkPage } from "./pages/network.js";
import { BlockPage } from "./pages/block.js";
import { TxPage } from "./pages/tx.js";
import { ReceivablePage, ReceivablesPage } from "./pages/receivable.js";
import { RejectionsPage } from "./pages/rejections.js";
import { PartyPage } from "./pages/party.js";
import { WarrantPage, WarrantsPage } from "./pages/warrants.js";
import { TitlePage, TitlesPage } from "./pages/titles.js";
import { AlertsPage } from "./pages/alerts.js";
import "./style.css";

/** The reports page and its chart library load when first opened (most readers never do). */
function LazyReports() {
  const [page, setPage] = useState<{ Page: () => JSX.Element } | { error: unknown } | null>(null);
  useEffect(() => {
    import("./pages/reports.js").then(
      (m) => setPage({ Page: m.ReportsPage }),
      (error) => setPage({ error }),
    );
  }, []);
  if (!page) return <p class="muted">Loading the reports…</p>;
  return "error" in page ? <ErrorBox error={page.error} what="The reports page" /> : <page.Page />;
}

function useHash(): string[] {
  const read = () => decodeURIComponent(location.hash.replace(/^#\/?/, "")).split("/").filter(Boolean);
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const on = () => setParts(read());
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return parts;
}

const NAV: [string, string][] = [
  ["#/", "Network"],
  ["#/receivables", "Receivables"],
  ["#/rejections", "Rejections"],
  ["#/warrants", "Warrants"],
  ["#/titles", "Titles & pledges"],
  ["#/alerts", "Alerts"],
  ["#/reports", "Reports"],
];

function route(parts: string[], onSession: (s: Session | null) => void) {
  const [page, arg] = parts;
  switch (page) {
    case undefined:
    case "network":
      return <NetworkPage />;
    case "key":
      return <KeyPage onSession={onSession} />;
    case "block":
      return <BlockPage height={arg ?? "latest"} />;
    case "tx":
      return <TxPage hash={arg ?? ""} />;
    case "receivables":
      return <ReceivablesPage />;
    case "receivable":
      return <ReceivablePage id={arg ?? ""} />;
    case "rejections":
      return <RejectionsPage />;
    case "party":
      return <PartyPage id={arg ?? ""} />;
    case "warrants":
      return <WarrantsPage />;
    case "warrant":
      return <WarrantPage id={arg ?? ""} />;
    case "titles":
      return <TitlesPage />;
    case "title":
      return <TitlePage id={arg ?? ""} />;
    case "alerts":
      return <AlertsPage />;
    case "reports":
      return <LazyReports />;
    default:
      return <ErrorBox error={new Error(`no page ${parts.join("/")}`)} />;
  }
}

function Explorer() {
  const parts = useHash();
  const [session, setSession] = useState<Session | null>(null);
  const [status, setStatus] = useState<StatusJson | null>(null);
  const [statusError, setStatusError] = useState<unknown>(undefined);
  const [validators, setValidators] = useState<PinnedValidators | null>(null);
  const [validatorsDiffer, setDiffer] = useState(false);
  useEffect(() => {
    let stop = false;
    const poll = async () => {
      try {
        const s = await openClient.status();
        if (stop) return;
        setStatus(s);
        setStatusError(undefined);
        setValidators((current) => {
          if (current && current.set.chainId === s.chainId) return current;
          const { pinned, differs } = validatorsFor(s);
          setDiffer(differs);
          return pinned;
        });
      } catch (err) {
        if (!stop) setStatusError(err);
      }
    };
    void poll();
    const timer = setInterval(poll, 3000);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, []);
  // The chain of validator sets, proven from the pinned genesis set: fetched again as the chain
  // grows (at most once per status poll), proven again only when the links served change.
  const [sets, setSets] = useState<ChainOfSets | null>(null);
  // A slow answer is not dropped when the head moves on (that could starve a busy chain's page);
  // an answer older than one already applied, or for a set no longer pinned, is.
  const served = useRef<{ pinned: PinnedValidators; json: string } | null>(null);
  const provenFrom = useRef<PinnedValidators | null>(null);
  const asked = useRef(0);
  const applied = useRef(0);
  useEffect(() => {
    if (!validators) return;
    if (provenFrom.current !== validators) {
      // another genesis set pinned: nothing proven from it yet
      provenFrom.current = validators;
      served.current = null;
      setSets(genesisOnly(validators));
    }
    const n = ++asked.current;
    const current = () => provenFrom.current === validators && n > applied.current;
    openClient.getValidatorSets({ minHeight: 0 }).then(
      (answer) => {
        if (!current()) return;
        applied.current = n;
        const json = JSON.stringify([answer.links, answer.epoch, answer.switchAt]);
        if (served.current?.pinned === validators && served.current.json === json) return;
        served.current = { pinned: validators, json };
        setSets(proveSets(validators, answer));
      },
      (err) => {
        // a failed poll after a good answer keeps what was proven
        if (!current() || served.current?.pinned === validators) return;
        applied.current = n;
        served.current = { pinned: validators, json: "" };
        setSets({ ...genesisOnly(validators), state: "unavailable", error: err instanceof Error ? err.message : String(err) });
      },
    );
  }, [validators, status?.height]);
  const height = status ? BigInt(status.height) : null;
  const unproven = sets ? unprovenNote(sets, height) : null;
  const state: AppState = { session, status, validators, sets, trusted: trustedOf(sets), validatorsDiffer, setValidators: (p) => (setValidators(p), setDiffer(false)) };
  const here = `#/${parts[0] ?? ""}`;
  return (
    <App.Provider value={state}>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">
          TradeLedger <span>explorer</span>
        </a>
        <nav aria-label="Pages">
          <ul>
            {NAV.map(([href, label]) => (
              <li key={href}>
                <a href={href} aria-current={here === href || (href === "#/" && here === "#/network") ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who" aria-live="polite">
          {session ? (
            <>
              <span>
                Reading as <a href={`#/party/${session.party.id}`}>{session.party.id}</a> <span class="role">{session.role}</span>
              </span>
              <button type="button" onClick={() => setSession(null)}>
                Forget key
              </button>
            </>
          ) : (
            <a class="button" href="#/key">
              Load key
            </a>
          )}
        </div>
      </header>
      {statusError !== undefined ? <ErrorBox error={statusError} what="This node does not answer" /> : null}
      {validatorsDiffer ? (
        <p class="error" role="alert">
          This node reports a validator set that differs from the one pinned for {validators?.set.chainId}. Verifications use the pinned set; load the genesis file on the key page to pin another.
        </p>
      ) : null}
      {unproven ? (
        <p class="error" role="alert" data-testid="sets-warning">
          {unproven} <a href="#/">The chain of sets</a>
        </p>
      ) : null}
      <main id="main" tabIndex={-1}>
        {route(parts, (s) => {
          setSession(s);
          if (s) location.hash = "#/";
        })}
      </main>
      <footer>
        <p>
          Every read is signed in this page with your key, which never leaves it; every proof is checked here against the validators' signatures
          {validators
            ? ` (the ${validators.set.validators.length} genesis validators of ${validators.set.chainId}, ${validators.source === "genesis" ? "pinned from the genesis file you loaded" : "pinned from this node on first use"}${
                sets && sets.chain.epochs.length > 1 ? `, and the validator set${newestProven(sets).epoch > 1n ? `s of epochs 1 to ${newestProven(sets).epoch}` : " of epoch 1"} proven from them` : ""
              })`
            : ""}
          . Times are
          UTC (ISO 8601); amounts in their currency's units, exact to the minor unit.
        </p>
      </footer>
    </App.Provider>
  );
}

render(<Explorer />, document.getElementById("app")!);

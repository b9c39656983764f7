// Shared pieces of every page: the app's state (who reads, against which validators), loading
// hooks, and the small components values are shown with (amounts, times, ids, errors, notes).
import { createContext, type ComponentChildren } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import { LedgerError, type StatusJson, type TrustedValidators } from "@tradeledger/sdk";
import { isHash, isoTime, majorUnits, short } from "./format.js";
import type { PinnedValidators, Session } from "./session.js";
import type { ChainOfSets } from "./sets.js";

export interface AppState {
  session: Session | null;
  /** the genesis set pinned (the trust anchor) */
  validators: PinnedValidators | null;
  /** the chain of validator sets proven from it (sets.ts) */
  sets: ChainOfSets | null;
  /** what every verification is made with: the proven chain of sets; null while it is being fetched */
  trusted: TrustedValidators | null;
  /** the validator set this node reports differs from the pinned one */
  validatorsDiffer: boolean;
  status: StatusJson | null;
  setValidators(p: PinnedValidators): void;
}

export const App = createContext<AppState>(null as unknown as AppState);
export const useApp = () => useContext(App);

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/**
 * Runs `load` when `deps` change (and on reload); the latest call wins. While a reload runs, the last
 * data stays shown (a refresh in place), unless `subject` (the id, hash or height the page is about)
 * changed: a page never shows one block's or receivable's data under another's heading, not even for
 * the frame between the route change and the load.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], subject?: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean; subject?: string | undefined }>({ loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => n === seq.current && setState({ data, loading: false, subject }),
      (error) => n === seq.current && setState({ error, loading: false, subject }),
    );
  }, [...deps, tick]);
  const reload = () => setTick((t) => t + 1);
  if (state.subject !== subject) return { data: undefined, error: undefined, loading: true, reload };
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function Amount({ minor, currency }: { minor: string; currency: string }) {
  return (
    <span class="amount" title={`${minor} minor units of ${currency}`}>
      {majorUnits(minor, currency)} <abbr title={`ISO 4217 ${currency}`}>{currency}</abbr>
    </span>
  );
}

export function Time({ ms }: { ms: string | undefined }) {
  const iso = isoTime(ms);
  return iso === "—" ? <span class="muted">—</span> : <time dateTime={iso}>{iso}</time>;
}

/** A hash or id, shortened, linking to its page when `to` is given. */
export function Id({ value, to, full }: { value: string; to?: string; full?: boolean }) {
  if (!value) return <span class="muted">—</span>;
  const text = full ? value : short(value);
  return to ? (
    <a class="id" href={to} title={value}>
      {text}
    </a>
  ) : (
    <code class="id" title={value}>
      {text}
    </code>
  );
}

export const PartyLink = ({ id }: { id: string }) => (id ? <a href={`#/party/${encodeURIComponent(id)}`}>{id}</a> : <span class="muted">—</span>);

/** What the reader's role may not see here, said plainly. */
export function Hidden({ children }: { children: ComponentChildren }) {
  return (
    <p class="hidden-note" role="note">
      <strong>Hidden for your role: </strong>
      {children}
    </p>
  );
}

export function Badge({ ok, children, id }: { ok: boolean | null; children: ComponentChildren; id?: string }) {
  return (
    <span class={`badge ${ok === null ? "pending" : ok ? "ok" : "bad"}`} id={id} data-testid={id}>
      <span aria-hidden="true">{ok === null ? "… " : ok ? "✓ " : "✗ "}</span>
      {children}
    </span>
  );
}

/** An error as a reader should read it: a refusal for their role is said as such. */
export function ErrorBox({ error, what }: { error: unknown; what?: string }) {
  const { session } = useApp();
  if (what) what = what[0]!.toUpperCase() + what.slice(1);
  if (error instanceof LedgerError && (error.code === "FORBIDDEN" || error.status === 403)) {
    return (
      <Hidden>
        {what ? `${what}: ` : ""}your role ({session?.role ?? "none"}, as {session?.party.id ?? "nobody"}) may not see this. The node said: {error.message}
      </Hidden>
    );
  }
  const text = error instanceof LedgerError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
  return (
    <p class="error" role="alert">
      {what ? `${what}: ` : ""}
      {text}
    </p>
  );
}

/** Shows a loaded value, its error or a loading line. */
export function Show<T>({ loaded, what, children }: { loaded: Loaded<T>; what?: string; children: (data: T) => ComponentChildren }) {
  if (loaded.error !== undefined) return <ErrorBox error={loaded.error} {...(what ? { what } : {})} />;
  if (loaded.data === undefined)
    return (
      <p class="muted" aria-live="polite">
        Loading{what ? ` ${what}` : ""}…
      </p>
    );
  return <>{children(loaded.data)}</>;
}

/** A page that needs a signed read: says so without a key. */
export function NeedsKey({ children, what }: { children: () => ComponentChildren; what: string }) {
  const { session } = useApp();
  if (!session)
    return (
      <p class="hidden-note" role="note">
        <strong>Key needed: </strong>
        {what} is read with signed requests: <a href="#/key">load your party key</a> first. Only the network and block pages work without one.
      </p>
    );
  return <>{children()}</>;
}

export function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

export function Page({ title, children, lead }: { title: string; lead?: ComponentChildren; children: ComponentChildren }) {
  const h = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · TradeLedger explorer`;
    // move focus to the new page's heading, so keyboard and screen-reader users land on it
    h.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1} ref={h}>
        {title}
      </h1>
      {lead ? <p class="lead">{lead}</p> : null}
      {children}
    </section>
  );
}

/** The "open a … by id" search form of the list pages: goes to `#/<route>/<id>` when the id is a 32-byte hex hash. */
export function OpenById({ what, route, inputId }: { what: string; route: string; inputId: string }) {
  const [id, setId] = useState("");
  return (
    <form
      class="row card"
      role="search"
      onSubmit={(e) => {
        e.preventDefault();
        if (isHash(id.trim())) location.hash = `#/${route}/${id.trim()}`;
      }}
    >
      <label for={inputId}>Open a {what} by id</label>
      <input id={inputId} type="text" size={66} spellcheck={false} value={id} onInput={(e) => setId(e.currentTarget.value)} pattern="[0-9a-f]{64}" title="64 lower-case hex digits" />
      <button type="submit">Open</button>
    </form>
  );
}

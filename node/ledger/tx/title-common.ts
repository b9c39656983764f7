// What the title-document rules share (DESIGN.md §8, docs/titles.md): typed access to lots and
// titles, and the checks each step on a title repeats.
import type { Lot, Party, Title } from "../../../sdk/types.js";
import { decodeLot, decodeTitle, encodeLot, encodeTitle } from "../records.js";
import { KEY, type StateReader, type StateWriter } from "../state.js";
import { reject } from "./rule.js";

export function getLot(s: StateReader, id: string): Lot | undefined {
  const b = s.get(KEY.lot(id));
  return b && decodeLot(b);
}
export function putLot(s: StateWriter, lot: Lot): void {
  s.put(KEY.lot(lot.id), encodeLot(lot));
}
export function getTitle(s: StateReader, id: string): Title | undefined {
  const b = s.get(KEY.title(id));
  return b && decodeTitle(b);
}
export function putTitle(s: StateWriter, title: Title): void {
  s.put(KEY.title(title.id), encodeTitle(title));
}

/** A title named by a transaction, or NOT_FOUND. */
export function titleOrReject(s: StateReader, id: string): Title {
  return getTitle(s, id) ?? reject("NOT_FOUND", `no title ${id}`);
}

/** The signer holds the title. */
export function assertTitleHolder(title: Title, signer: Party): void {
  if (title.holderId !== signer.id) reject("NOT_HOLDER", `title ${title.id} is held by ${title.holderId}, not ${signer.id}`);
}

/**
 * The title is free: live (not SURRENDERED: INVALID_STATE) and neither offered nor pledged to a bank
 * (TITLE_PLEDGED: the repeated pledge, DESIGN.md §8).
 */
export function assertFree(title: Title, doing: string): void {
  if (title.status === "SURRENDERED") reject("INVALID_STATE", `title ${title.id} was surrendered: it cannot be ${doing}`);
  if (title.status === "PLEDGE_OFFERED" || title.status === "PLEDGED") {
    const how = title.status === "PLEDGED" ? "pledged to" : "offered in pledge to";
    reject("TITLE_PLEDGED", `title ${title.id} is ${how} ${title.pledge?.bankId ?? "a bank"}: it cannot be ${doing} until the pledge is released`);
  }
}

/** "120 TNE" */
export const units = (quantity: bigint, lot: Lot): string => `${quantity} ${lot.goods.unit}`;

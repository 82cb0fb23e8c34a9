/** The Ids port: fresh unique ids. */

/** Fresh unique ids (UUIDs; in production time-ordered, version 7). */
export interface Ids {
  uuid(): string;
}

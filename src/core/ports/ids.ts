/** The Ids port: fresh unique ids. */

/** Fresh unique ids (UUIDs). */
export interface Ids {
  uuid(): string;
}

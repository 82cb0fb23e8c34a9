/** The Authenticator port: a wire credential in, a Caller out. */
import type { Caller } from '../domain/caller.ts';

/** Turns a wire credential into a Caller (security implements it; transports call it). */
export interface Authenticator {
  /** Throws AUTH_REQUIRED without a credential and AUTH_INVALID for a bad one. */
  authenticate(bearer: string | undefined): Promise<Caller>;
}

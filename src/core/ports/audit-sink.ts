/** The AuditSink port: writes one audit record into the chain (denials, reads, decisions). */
import type { AuditInput } from '../domain/audit.ts';

/** Resolves once the record is committed; the one sink every service writes through. */
export type AuditSink = (input: AuditInput) => Promise<void>;

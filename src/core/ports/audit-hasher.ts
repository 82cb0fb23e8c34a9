/** The AuditHasher port: an audit record's chain hash (the security module supplies it). */
import type { AuditRecord } from '../domain/audit.ts';

/** Computes an audit record's chain hash from the previous hash (security module supplies it). */
export type AuditHasher = (record: Omit<AuditRecord, 'hash'>) => string;

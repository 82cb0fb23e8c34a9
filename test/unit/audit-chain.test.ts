import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson, hashAuditRecord, verifyAuditChain } from '../../src/security/audit/audit-chain.ts';
import type { AuditStore } from '../../src/core/ports/audit-store.ts';
import type { AuditInput, AuditRecord } from '../../src/core/domain/audit.ts';
import type { Json } from '../../src/core/domain/json.ts';

const GENESIS = '0'.repeat(64);

/** An in-memory AuditStore over an array, read the way the SQL store reads (by seq). */
function memoryAuditStore(records: readonly AuditRecord[], head: { seq: number; hash: string }): AuditStore {
  return {
    async listAudit(afterSeq, limit) {
      return records
        .filter((r) => r.seq > afterSeq)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, limit);
    },
    async auditHead() {
      return head;
    },
    async queryAudit() {
      throw new Error('not used by verification');
    },
  };
}

function input(i: number): AuditInput {
  return {
    eventType: i % 2 === 0 ? 'task.submitted' : 'permission.denied',
    userId: `user-${i}`,
    sessionId: i % 3 === 0 ? null : `session-${i}`,
    resourceType: 'task',
    resourceId: `task-${i}`,
    action: 'submit',
    status: i % 2 === 0 ? 'success' : 'denied',
    details: { n: i, nested: { b: [1, 2, { z: true, a: null }], a: 'x' } },
  };
}

/** Builds `n` records chained in order, as the store writes them. */
function buildChain(n: number): AuditRecord[] {
  const out: AuditRecord[] = [];
  let prevHash = GENESIS;
  for (let seq = 1; seq <= n; seq++) {
    const unchained = { ...input(seq), seq, eventId: `event-${seq}`, timestamp: 1_700_000_000_000 + seq, prevHash };
    const record: AuditRecord = { ...unchained, hash: hashAuditRecord(unchained) };
    out.push(record);
    prevHash = record.hash;
  }
  return out;
}

function headOf(records: readonly AuditRecord[]): { seq: number; hash: string } {
  const last = records[records.length - 1];
  return last === undefined ? { seq: 0, hash: GENESIS } : { seq: last.seq, hash: last.hash };
}

function at(records: readonly AuditRecord[], seq: number): AuditRecord {
  const r = records.find((x) => x.seq === seq);
  assert.ok(r, `no record ${seq}`);
  return r;
}

function replace(records: readonly AuditRecord[], seq: number, patch: Partial<AuditRecord>): AuditRecord[] {
  return records.map((r) => (r.seq === seq ? { ...r, ...patch } : r));
}

describe('verifyAuditChain', () => {
  it('passes an intact chain and reports its length and head hash', async () => {
    const chain = buildChain(5);
    const result = await verifyAuditChain(memoryAuditStore(chain, headOf(chain)));
    assert.deepEqual(result, { ok: true, checked: 5, headHash: at(chain, 5).hash });
  });

  it('passes an empty chain whose head is the genesis hash', async () => {
    const result = await verifyAuditChain(memoryAuditStore([], { seq: 0, hash: GENESIS }));
    assert.deepEqual(result, { ok: true, checked: 0, headHash: GENESIS });
  });

  it('passes an intact chain read over many small pages', async () => {
    const chain = buildChain(7);
    for (const pageSize of [1, 2, 3, 7, 8]) {
      const result = await verifyAuditChain(memoryAuditStore(chain, headOf(chain)), pageSize);
      assert.equal(result.ok, true, `page size ${pageSize}`);
      assert.equal(result.checked, 7);
    }
  });

  const edits: readonly [string, Partial<AuditRecord>][] = [
    ['details', { details: { n: 3, nested: { a: 'x', b: [1, 2, { a: null, z: false }] } } }],
    ['user_id', { userId: 'mallory' }],
    ['event_type', { eventType: 'task.completed' }],
    ['timestamp', { timestamp: 1_700_000_000_003 + 1 }],
    ['session_id', { sessionId: 'other-session' }],
    ['status', { status: 'success' }],
    ['resource_id', { resourceId: 'task-999' }],
    ['action', { action: 'cancel' }],
    ['event_id', { eventId: 'event-x' }],
  ];
  for (const [field, patch] of edits) {
    it(`detects an edited ${field} and names the edited record`, async () => {
      const chain = replace(buildChain(5), 3, patch);
      const result = await verifyAuditChain(memoryAuditStore(chain, headOf(chain)));
      assert.equal(result.ok, false);
      assert.ok(!result.ok);
      assert.equal(result.brokenSeq, 3);
      assert.equal(result.checked, 2);
      assert.match(result.reason, /hash/);
    });
  }

  it('detects an edit whose own hash was recomputed, at the next record', async () => {
    const original = buildChain(5);
    const edited = { ...at(original, 3), userId: 'mallory' };
    const rehashed = { ...edited, hash: hashAuditRecord(edited) };
    const chain = replace(original, 3, rehashed);
    const result = await verifyAuditChain(memoryAuditStore(chain, headOf(original)));
    assert.ok(!result.ok);
    assert.equal(result.brokenSeq, 4);
    assert.match(result.reason, /previous-hash/);
  });

  it('detects a deleted middle record and names its seq', async () => {
    const original = buildChain(5);
    const chain = original.filter((r) => r.seq !== 3);
    const result = await verifyAuditChain(memoryAuditStore(chain, headOf(original)));
    assert.ok(!result.ok);
    assert.equal(result.brokenSeq, 3);
    assert.match(result.reason, /missing/);
  });

  it('detects a deleted record on a page boundary', async () => {
    const original = buildChain(6);
    const chain = original.filter((r) => r.seq !== 3);
    const result = await verifyAuditChain(memoryAuditStore(chain, headOf(original)), 2);
    assert.ok(!result.ok);
    assert.equal(result.brokenSeq, 3);
  });

  it('detects two records swapped (their contents exchanged under the same seq numbers)', async () => {
    const original = buildChain(5);
    const two = at(original, 2);
    const three = at(original, 3);
    const chain = replace(replace(original, 2, { ...three, seq: 2 }), 3, { ...two, seq: 3 });
    const result = await verifyAuditChain(memoryAuditStore(chain, headOf(original)));
    assert.ok(!result.ok);
    assert.equal(result.brokenSeq, 2);
  });

  it('detects two records swapped with their seq numbers renumbered and rehashed in place', async () => {
    const original = buildChain(4);
    const two = at(original, 2);
    const three = at(original, 3);
    const moved3 = { ...three, seq: 2 };
    const moved2 = { ...two, seq: 3 };
    const chain = replace(
      replace(original, 2, { ...moved3, hash: hashAuditRecord(moved3) }),
      3,
      { ...moved2, hash: hashAuditRecord(moved2) },
    );
    const result = await verifyAuditChain(memoryAuditStore(chain, headOf(original)));
    assert.ok(!result.ok);
    assert.equal(result.brokenSeq, 2);
  });

  it('detects a removed tail when the head says there were more records', async () => {
    const original = buildChain(5);
    const chain = original.filter((r) => r.seq <= 3);
    const result = await verifyAuditChain(memoryAuditStore(chain, headOf(original)));
    assert.ok(!result.ok);
    assert.equal(result.checked, 3);
    assert.equal(result.brokenSeq, 4);
    assert.match(result.reason, /head says 5/);
  });

  it('detects a removed whole chain when the head says there were records', async () => {
    const original = buildChain(2);
    const result = await verifyAuditChain(memoryAuditStore([], headOf(original)));
    assert.ok(!result.ok);
    assert.equal(result.brokenSeq, 1);
  });

  it('detects a last record rewritten with a fresh hash, through the head hash', async () => {
    const original = buildChain(3);
    const edited = { ...at(original, 3), details: { n: 0 } };
    const chain = replace(original, 3, { ...edited, hash: hashAuditRecord(edited) });
    const result = await verifyAuditChain(memoryAuditStore(chain, headOf(original)));
    assert.equal(result.ok, false);
  });

  it('detects a first record whose previous hash is not the genesis hash', async () => {
    const original = buildChain(2);
    const first = { ...at(original, 1), prevHash: 'f'.repeat(64) };
    const chain = replace(original, 1, { ...first, hash: hashAuditRecord(first) });
    const result = await verifyAuditChain(memoryAuditStore(chain, headOf(chain)));
    assert.ok(!result.ok);
    assert.equal(result.brokenSeq, 1);
  });
});

describe('hashAuditRecord', () => {
  it('is a 64-character hex SHA-256 that depends on the previous hash', () => {
    const [r] = buildChain(1);
    assert.ok(r);
    assert.match(r.hash, /^[0-9a-f]{64}$/);
    assert.notEqual(hashAuditRecord({ ...r, prevHash: 'a'.repeat(64) }), r.hash);
  });

  it('does not depend on the key order of details', () => {
    const [r] = buildChain(1);
    assert.ok(r);
    const reordered = { ...r, details: { nested: { a: 'x', b: [1, 2, { a: null, z: true }] }, n: 1 } };
    assert.equal(hashAuditRecord(reordered), r.hash);
  });

  // Stored chains must keep verifying: these hashes were made by the first
  // implementation (an object of the fields, canonicalized), before the fast path.
  const stored: Omit<AuditRecord, 'hash'> = {
    seq: 7,
    eventId: '01a252ef-787b-7154-a384-c147d9803929',
    eventType: 'task.completed',
    timestamp: 1_765_000_000_123,
    userId: 'u-1',
    sessionId: null,
    resourceType: 'task',
    resourceId: 't-1',
    action: 'complete',
    status: 'success',
    details: { z: 'é\u2028"', a: [3, { y: null, b: 1.5 }], m: { j: false } },
    prevHash: 'ab'.repeat(32),
  };

  it('gives the hashes of records stored by earlier versions', () => {
    assert.equal(hashAuditRecord(stored), '41de6b7d3ec6d14b8cba60392d31db721731050b2fff38655763f3dc4b988c43');
    const sparse = { ...stored, userId: null, resourceType: null, resourceId: null, details: {} };
    assert.equal(hashAuditRecord(sparse), '44b19a5795905cae042303689181101ba6605393551e06b23c55a45d0d268926');
  });

  it('hashes the canonical JSON of the record fields', () => {
    const { prevHash, ...r } = stored;
    const body = canonicalJson({ seq: r.seq, event_id: r.eventId, event_type: r.eventType, timestamp: r.timestamp, user_id: r.userId, session_id: r.sessionId, resource_type: r.resourceType, resource_id: r.resourceId, action: r.action, status: r.status, details: r.details });
    assert.equal(hashAuditRecord(stored), createHash('sha256').update(`${prevHash}\n${body}`).digest('hex'));
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth, including inside arrays', () => {
    const value: Json = { b: 1, a: { d: [{ y: 1, x: 2 }], c: null } };
    assert.equal(canonicalJson(value), '{"a":{"c":null,"d":[{"x":2,"y":1}]},"b":1}');
  });

  it('gives the same string for the same value built in any key order', () => {
    const one: Json = { z: { q: 1, p: [3, { n: 'x', m: true }] }, a: 'é"\\' };
    const two: Json = { a: 'é"\\', z: { p: [3, { m: true, n: 'x' }], q: 1 } };
    assert.equal(canonicalJson(one), canonicalJson(two));
    assert.equal(canonicalJson(one), canonicalJson(one));
  });

  it('keeps array order (arrays are sequences, not sets)', () => {
    assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
  });

  it('produces JSON that parses back to an equal value', () => {
    const value: Json = { b: [1, 'two', false, null, { c: 1.5 }], a: '' };
    assert.deepEqual(JSON.parse(canonicalJson(value)), value);
  });

  it('encodes scalars as JSON does, and undefined as null', () => {
    assert.equal(canonicalJson(null), 'null');
    assert.equal(canonicalJson(undefined), 'null');
    assert.equal(canonicalJson(0), '0');
    assert.equal(canonicalJson('a\nb'), '"a\\nb"');
    assert.equal(canonicalJson(true), 'true');
    assert.equal(canonicalJson({}), '{}');
    assert.equal(canonicalJson([]), '[]');
  });
});

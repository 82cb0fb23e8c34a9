/** The TelegramStore over Kysely (both dialects): links, link codes, handled updates, offset, lease, prompts. */
import { sql, type Kysely } from 'kysely';
import type { TelegramFollow, TelegramLink, TelegramPrompt } from '../core/domain/telegram.ts';
import type { AuditHasher } from '../core/ports/audit-hasher.ts';
import type { Ids } from '../core/ports/ids.ts';
import type { ClaimHolder, TelegramStore } from '../core/ports/telegram-store.ts';
import type { Database, TelegramLinksTable } from './schema.ts';
import { appendAudit } from './audit-append.ts';

const OFFSET = 'offset';
const POLLER = 'poller';

const rowToLink = (r: TelegramLinksTable): TelegramLink => ({
  telegramUserId: r.telegram_user_id,
  userId: r.user_id,
  telegramUsername: r.telegram_username,
  linkedAt: Number(r.linked_at),
});

/**
 * An open claim another holder may take: its holder stopped renewing it, or it is
 * an earlier boot of the same node (one process per node id, so that one is dead).
 */
const takeOver = (table: 'telegram_updates' | 'telegram_follows', holder: ClaimHolder, now: number, ttlMs: number) =>
  sql<boolean>`(${sql.ref(`${table}.claimed_at`)} < ${now - ttlMs} or (${sql.ref(`${table}.node_id`)} = ${holder.nodeId} and ${sql.ref(`${table}.owner`)} <> ${holder.owner}))`;

const PROMPT_KINDS: readonly TelegramPrompt['kind'][] = ['question', 'approval', 'progress'];

export function createKyselyTelegramStore(deps: { readonly db: Kysely<Database>; readonly isPg: boolean; readonly ids: Ids; readonly hashAudit: AuditHasher }): TelegramStore {
  const { db } = deps;
  return {
    async createLinkCode(code, audit) {
      await db.transaction().execute(async (trx) => {
        // Expired codes are useless; drop them on the way.
        await trx.deleteFrom('telegram_link_codes').where('expires_at', '<', audit.now).execute();
        await trx
          .insertInto('telegram_link_codes')
          .values({ code_hash: code.codeHash, user_id: code.userId, created_at: code.createdAt, expires_at: code.expiresAt, used_at: null })
          .execute();
        await appendAudit(trx, deps, audit.records, audit.now);
      });
    },

    async redeemLinkCode(codeHash, telegram, now, auditFor) {
      return db.transaction().execute(async (trx) => {
        // One conditional update: of two nodes redeeming the same code, one wins.
        const used = await trx
          .updateTable('telegram_link_codes')
          .set({ used_at: now })
          .where('code_hash', '=', codeHash)
          .where('used_at', 'is', null)
          .where('expires_at', '>', now)
          .returning('user_id')
          .executeTakeFirst();
        if (used === undefined) {
          const row = await trx.selectFrom('telegram_link_codes').select(['used_at', 'expires_at']).where('code_hash', '=', codeHash).executeTakeFirst();
          if (row === undefined) return 'unknown' as const;
          return row.used_at !== null ? ('used' as const) : ('expired' as const);
        }
        const link = { telegram_user_id: telegram.userId, user_id: used.user_id, telegram_username: telegram.username, linked_at: now };
        await trx
          .insertInto('telegram_links')
          .values(link)
          .onConflict((oc) => oc.column('telegram_user_id').doUpdateSet({ user_id: link.user_id, telegram_username: link.telegram_username, linked_at: now }))
          .execute();
        const audit = auditFor(used.user_id);
        await appendAudit(trx, deps, audit.records, audit.now);
        return rowToLink(link);
      });
    },

    async findLink(telegramUserId) {
      const row = await db.selectFrom('telegram_links').selectAll().where('telegram_user_id', '=', telegramUserId).executeTakeFirst();
      return row === undefined ? undefined : rowToLink(row);
    },

    async listLinks(userId) {
      let q = db.selectFrom('telegram_links').selectAll();
      if (userId !== undefined) q = q.where('user_id', '=', userId);
      return (await q.orderBy('linked_at').orderBy('telegram_user_id').execute()).map(rowToLink);
    },

    async deleteLink(telegramUserId, auditFor) {
      return db.transaction().execute(async (trx) => {
        const row = await trx.deleteFrom('telegram_links').where('telegram_user_id', '=', telegramUserId).returningAll().executeTakeFirst();
        if (row === undefined) return undefined;
        const link = rowToLink(row);
        const audit = auditFor(link);
        await appendAudit(trx, deps, audit.records, audit.now);
        return link;
      });
    },

    async claimUpdate(update, holder, now, ttlMs) {
      const res = await db
        .insertInto('telegram_updates')
        .values({ update_id: update.id, node_id: holder.nodeId, owner: holder.owner, claimed_at: now, payload: update.payload, done_at: null })
        .onConflict((oc) =>
          oc
            .column('update_id')
            .doUpdateSet({ node_id: holder.nodeId, owner: holder.owner, claimed_at: now })
            .where((eb) => eb.and([eb('telegram_updates.done_at', 'is', null), takeOver('telegram_updates', holder, now, ttlMs)])),
        )
        .executeTakeFirst();
      if (Number(res.numInsertedOrUpdatedRows ?? 0n) === 1) return 'claimed';
      const row = await db.selectFrom('telegram_updates').select('done_at').where('update_id', '=', update.id).executeTakeFirst();
      return row === undefined || row.done_at !== null ? 'handled' : 'busy';
    },

    async finishUpdate(updateId, owner, now) {
      await db.updateTable('telegram_updates').set({ done_at: now, payload: null }).where('update_id', '=', updateId).where('owner', '=', owner).execute();
    },

    async renewClaims(owner, now) {
      await db.updateTable('telegram_updates').set({ claimed_at: now }).where('owner', '=', owner).where('done_at', 'is', null).execute();
    },

    async staleUpdates(holder, now, ttlMs, limit) {
      const rows = await db
        .selectFrom('telegram_updates')
        .select(['update_id', 'payload'])
        .where('done_at', 'is', null)
        .where('payload', 'is not', null)
        .where(takeOver('telegram_updates', holder, now, ttlMs))
        .orderBy('update_id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({ id: Number(r.update_id), payload: r.payload ?? '' }));
    },

    async pruneUpdates(before) {
      await db.deleteFrom('telegram_updates').where('claimed_at', '<', before).execute();
    },

    async readOffset() {
      const row = await db.selectFrom('telegram_state').select('value').where('key', '=', OFFSET).executeTakeFirst();
      return row === undefined ? 0 : Number(row.value);
    },

    async saveOffset(offset) {
      await db
        .insertInto('telegram_state')
        .values({ key: OFFSET, value: offset, owner: null, expires_at: null })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: offset }).where('telegram_state.value', '<', offset))
        .execute();
    },

    async acquireLease(owner, now, ttlMs) {
      const expires = now + ttlMs;
      // Taken when free, expired, or already ours; the row's conditional upsert decides between nodes.
      const res = await db
        .insertInto('telegram_state')
        .values({ key: POLLER, value: 0, owner, expires_at: expires })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ owner, expires_at: expires })
            .where((eb) => eb.or([eb('telegram_state.owner', '=', owner), eb('telegram_state.owner', 'is', null), eb('telegram_state.expires_at', '<', now)])),
        )
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
    },

    async releaseLease(owner) {
      await db.updateTable('telegram_state').set({ owner: null, expires_at: null }).where('key', '=', POLLER).where('owner', '=', owner).execute();
    },

    async saveFollow(follow, holder, now) {
      await db
        .insertInto('telegram_follows')
        .values({
          chat_id: follow.chatId,
          message_id: follow.messageId,
          task_id: follow.taskId,
          telegram_user_id: follow.telegramUserId,
          label: follow.label,
          node_id: holder.nodeId,
          owner: holder.owner,
          claimed_at: now,
          finished_at: null,
        })
        .execute();
    },

    async renewFollows(owner, now) {
      await db.updateTable('telegram_follows').set({ claimed_at: now }).where('owner', '=', owner).where('finished_at', 'is', null).execute();
    },

    async finishFollow(chatId, messageId, now) {
      await db.updateTable('telegram_follows').set({ finished_at: now }).where('chat_id', '=', chatId).where('message_id', '=', messageId).execute();
    },

    async takeOverFollows(holder, now, ttlMs, limit) {
      const rows = await db
        .selectFrom('telegram_follows')
        .selectAll()
        .where('finished_at', 'is', null)
        .where(takeOver('telegram_follows', holder, now, ttlMs))
        .orderBy('claimed_at')
        .limit(limit)
        .execute();
      const won: TelegramFollow[] = [];
      for (const r of rows) {
        // Compare-and-set on the claim read: of two nodes taking the same follow over, one wins.
        const res = await db
          .updateTable('telegram_follows')
          .set({ node_id: holder.nodeId, owner: holder.owner, claimed_at: now })
          .where('chat_id', '=', r.chat_id)
          .where('message_id', '=', r.message_id)
          .where('owner', '=', r.owner)
          .where('claimed_at', '=', r.claimed_at)
          .where('finished_at', 'is', null)
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) === 1) won.push({ chatId: r.chat_id, messageId: Number(r.message_id), taskId: r.task_id, telegramUserId: r.telegram_user_id, label: r.label });
      }
      return won;
    },

    async savePrompt(prompt, now) {
      await db
        .insertInto('telegram_prompts')
        .values({ chat_id: prompt.chatId, message_id: prompt.messageId, task_id: prompt.taskId, kind: prompt.kind, created_at: now })
        .onConflict((oc) => oc.columns(['chat_id', 'message_id']).doUpdateSet({ task_id: prompt.taskId, kind: prompt.kind }))
        .execute();
    },

    async findPrompt(chatId, messageId) {
      const row = await db.selectFrom('telegram_prompts').selectAll().where('chat_id', '=', chatId).where('message_id', '=', messageId).executeTakeFirst();
      if (row === undefined) return undefined;
      const kind = PROMPT_KINDS.find((k) => k === row.kind) ?? 'progress';
      return { chatId: row.chat_id, messageId: Number(row.message_id), taskId: row.task_id, kind };
    },

    async findChatSession(chatId, telegramUserId) {
      const row = await db.selectFrom('telegram_chat_sessions').select('session_id').where('chat_id', '=', chatId).where('telegram_user_id', '=', telegramUserId).executeTakeFirst();
      return row?.session_id;
    },

    async saveChatSession(chatId, telegramUserId, sessionId) {
      await db
        .insertInto('telegram_chat_sessions')
        .values({ chat_id: chatId, telegram_user_id: telegramUserId, session_id: sessionId })
        .onConflict((oc) => oc.columns(['chat_id', 'telegram_user_id']).doUpdateSet({ session_id: sessionId }))
        .execute();
    },
  };
}

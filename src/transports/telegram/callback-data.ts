/**
 * Approve / Deny buttons carry the task and the approval in their callback data,
 * which Telegram limits to 64 bytes: two UUIDs as base64url (22 characters each) fit.
 */

const hexToB64 = (uuid: string): string => Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
const b64ToUuid = (b64: string): string => {
  const hex = Buffer.from(b64, 'base64url').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ApprovalChoice {
  readonly approved: boolean;
  readonly taskId: string;
  readonly approvalId: string;
}

export function encodeApproval(choice: ApprovalChoice): string {
  if (!UUID.test(choice.taskId) || !UUID.test(choice.approvalId)) throw new Error('task and approval ids must be UUIDs');
  return `${choice.approved ? 'y' : 'n'}:${hexToB64(choice.taskId)}:${hexToB64(choice.approvalId)}`;
}

/** The choice a button stands for, or undefined for data that is not ours. */
export function decodeApproval(data: string): ApprovalChoice | undefined {
  const m = /^([yn]):([\w-]{22}):([\w-]{22})$/.exec(data);
  if (m === null) return undefined;
  return { approved: m[1] === 'y', taskId: b64ToUuid(m[2] ?? ''), approvalId: b64ToUuid(m[3] ?? '') };
}

/** Why a waiting task waits: a question for anyone who may answer, or a tool call to approve. */

export type WaitingReason =
  | { readonly kind: 'question'; readonly question: string }
  | {
      readonly kind: 'approval';
      readonly question: string;
      readonly approvalId: string;
      /** The skill the agent wants to run. */
      readonly skillId: string;
    };

/** The approval a waiting reason asks for, if it asks for one. */
export function pendingApproval(waiting: WaitingReason | null): Extract<WaitingReason, { kind: 'approval' }> | undefined {
  return waiting?.kind === 'approval' ? waiting : undefined;
}

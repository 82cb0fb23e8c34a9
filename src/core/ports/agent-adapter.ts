/** The AgentAdapter port: what every agent kind implements, and the context it runs in. */
import type { AgentInfo } from '../domain/agent.ts';
import type { Json, JsonObject } from '../domain/json.ts';
import type { ConversationTurn } from '../domain/session-memory.ts';
import type { TaskTools } from './tool-gate.ts';

/** Retry policy of an agent. */
export interface RetryPolicy {
  /** Attempts in all, including the first (default: 1 — no retry). */
  readonly maxAttempts: number;
  /** Delay before attempt n+1 is `backoffMs * 2^(n-1)` (default: 1,000 ms). */
  readonly backoffMs: number;
}

/** Something an agent reports while it works. */
export interface AgentEmission {
  readonly type: 'progress' | 'log' | 'output';
  readonly message?: string;
  /** 0..100 */
  readonly progress?: number;
  readonly data?: JsonObject;
}

/** Key-value memory of the session a task runs in. */
export interface MemoryScope {
  get(key: string): Promise<Json | undefined>;
  set(key: string, value: Json): Promise<void>;
}

/** What an agent gets to do its work. */
export interface AgentRunContext {
  readonly taskId: string;
  readonly attempt: number;
  readonly agentType: string;
  readonly prompt: string;
  readonly context: JsonObject;
  readonly sessionId: string | null;
  readonly projectId: string | null;
  /** Aborted on cancel, timeout, lease loss and shutdown; the agent must stop. */
  readonly signal: AbortSignal;
  /** Session memory; absent for tasks submitted outside a session. */
  readonly memory: MemoryScope | undefined;
  /** Earlier completed tasks of the session (oldest first, at most 50): the conversation so far; empty outside a session. */
  readonly history: readonly ConversationTurn[];
  /** Reports progress/log/output; recorded as task events (never blocks). */
  emit(emission: AgentEmission): void;
  /**
   * Streams output text (model tokens, a CLI's assistant text): watchers see each piece
   * at once as a preview; it is stored coalesced, a few `output` events per second.
   */
  stream(text: string): void;
  /** Skills offered as tools (empty when the agent may use none); absent when the engine has no tool gate. */
  readonly tools?: TaskTools;
  /**
   * Reports what the agent does: `planning` (the task's state becomes `planning`)
   * before it works, `running` once it does. A planning task is moved back to
   * `running` before it waits or finishes, so an agent need not report that.
   */
  setPhase(phase: 'planning' | 'running', message?: string): Promise<void>;
  /** Puts the task in `waiting` until a caller answers; resolves with the answer. */
  ask(question: string): Promise<string>;
  /** Sleeps, rejecting with an AbortError when the task is aborted. */
  sleep(ms: number): Promise<void>;
}

/** What an agent returns on success. */
export interface AgentOutcome {
  readonly result: Json;
  readonly metadata?: JsonObject;
}

/** The adapter every agent kind implements. */
export interface AgentAdapter {
  readonly info: Omit<AgentInfo, 'available'>;
  readonly retry: RetryPolicy;
  /** Skills this agent may offer as tools (`*`: every skill); absent or empty: none. */
  readonly allowedSkills?: readonly string[];
  /** True when the agent can actually run now (key present, binary found, …). */
  isAvailable(): Promise<boolean>;
  run(ctx: AgentRunContext): Promise<AgentOutcome>;
}

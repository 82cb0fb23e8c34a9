/** Kysely table types: the database as both dialects see it (snake_case, ms timestamps, JSON as text). */
import type { Generated } from 'kysely';

export interface TasksTable {
  id: string;
  execution_uuid: string;
  agent_type: string;
  prompt: string;
  context: string;
  session_id: string | null;
  project_id: string | null;
  board_task_id: string | null;
  owner_id: string;
  idempotency_key: string | null;
  state: string;
  attempt: number;
  max_attempts: number;
  result: string | null;
  error: string | null;
  metadata: string;
  progress: number | null;
  question: string | null;
  /** JSON of an approval the task waits for (`{approval_id, skill_id}`); null while it waits for an answer or not at all. */
  waiting_approval: string | null;
  last_seq: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  lease_epoch: number;
  run_after: number;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface TaskEventsTable {
  task_id: string;
  seq: number;
  type: string;
  state: string;
  message: string | null;
  progress: number | null;
  data: string | null;
  created_at: number;
}

export interface AuditLogTable {
  seq: number;
  event_id: string;
  event_type: string;
  timestamp: number;
  user_id: string | null;
  session_id: string | null;
  resource_type: string | null;
  resource_id: string | null;
  action: string;
  status: string;
  details: string;
  prev_hash: string;
  hash: string;
}

/** One row (id = 1): the chain's last sequence number and hash. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface UsersTable {
  id: string;
  username: string;
  kind: string;
  roles: string;
  grants: string;
  disabled: Generated<number>;
  /** argon2id encoded hash; null for users without a password (token-only). */
  password_hash: string | null;
  created_at: number;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

export interface SessionsTable {
  id: string;
  secret_hash: string;
  user_id: string;
  device_id: string | null;
  created_at: number;
  last_activity: number;
  /** Idle deadline: min(last_activity + idle, absolute_expires_at). */
  expires_at: number;
  absolute_expires_at: number;
  revoked_at: number | null;
}

/** One key of a session's memory; `value` is its JSON text. */
export interface SessionMemoryTable {
  session_id: string;
  key: string;
  value: string;
  updated_at: number;
}

/** A device: `id` is the client's own device id; `public_key` is Ed25519 SPKI DER, base64. */
export interface DevicesTable {
  id: string;
  user_id: string;
  name: string;
  public_key: string | null;
  trust: string;
  first_seen: number;
  last_seen: number;
  approved_by: string | null;
  approved_at: number | null;
  revoked_at: number | null;
}

/** A single-use challenge a device signs to prove it holds its key. */
export interface DeviceChallengesTable {
  id: string;
  device_id: string;
  nonce: string;
  expires_at: number;
  used_at: number | null;
}

/** A resource policy; list columns hold JSON arrays. */
export interface PoliciesTable {
  id: string;
  resource_type: string;
  resource_id: string;
  permissions: string;
  allowed_roles: string;
  allowed_users: string;
  denied_users: string;
  required_permissions: string;
  require_trusted_device: number;
  description: string;
  created_at: number;
  updated_at: number;
}

/** Agents defined over the API (config: JSON text, env: references only). */
export interface AgentConfigsTable {
  id: string;
  kind: string;
  config: string;
  updated_at: number;
  updated_by: string | null;
}

/** Integer id sequences of the board (portable across dialects). */
export interface CountersTable {
  name: string;
  value: number | string;
}

export interface ProjectsTable {
  id: number | string;
  name: string;
  key: string;
  description: string | null;
  status: string;
  github_repo_url: string | null;
  github_repo_owner: string | null;
  github_repo_name: string | null;
  telegram_chat_id: string | null;
  repo_path: string | null;
  default_branch: string | null;
  default_agent_type: string | null;
  next_task_number: number | string;
  created_by: string;
  created_at: number | string;
  updated_at: number | string;
}

export interface BoardTasksTable {
  id: number | string;
  project_id: number | string;
  number: number | string;
  key: string;
  title: string;
  description: string | null;
  status: string;
  priority: string;
  position: number;
  assigned_agent_type: string | null;
  agent_execution_status: string | null;
  github_pr_url: string | null;
  github_pr_number: number | string | null;
  github_branch_name: string | null;
  created_by: string;
  created_at: number | string;
  updated_at: number | string;
  status_set_at: number | string | null;
}

export interface BoardExecutionsTable {
  id: number | string;
  board_task_id: number | string;
  execution_uuid: string;
  agent_type: string;
  prompt: string;
  user_id: string;
  session_id: string | null;
  started_at: number | string;
}

export interface BoardActivityTable {
  id: number | string;
  project_id: number | string;
  board_task_id: number | string | null;
  task_key: string | null;
  kind: string;
  actor_id: string | null;
  /** JSON object. */
  details: string;
  created_at: number | string;
}

export interface TelegramLinksTable {
  telegram_user_id: string;
  user_id: string;
  telegram_username: string | null;
  linked_at: number;
}

export interface TelegramLinkCodesTable {
  code_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface TelegramUpdatesTable {
  update_id: number;
  node_id: string;
  /** The process holding the claim (node id and boot id); renewed in claimed_at while it works. */
  owner: string | null;
  claimed_at: number;
  /** The update's JSON until it is handled, for whoever takes the claim over. */
  payload: string | null;
  done_at: number | null;
}

/** A task followed in a chat (its status message), claimed like an update until the result is posted. */
export interface TelegramFollowsTable {
  chat_id: string;
  message_id: number;
  task_id: string;
  telegram_user_id: string;
  label: string;
  node_id: string;
  owner: string;
  claimed_at: number;
  finished_at: number | null;
}

/** `offset` (value: the next update id) and `poller` (value unused; owner and expiry: the polling lease). */
export interface TelegramStateTable {
  key: string;
  value: number;
  owner: string | null;
  expires_at: number | null;
}

export interface TelegramPromptsTable {
  chat_id: string;
  message_id: number;
  task_id: string;
  kind: string;
  created_at: number;
}

export interface TelegramChatSessionsTable {
  chat_id: string;
  telegram_user_id: string;
  session_id: string;
}

/** One counted failed attempt (login, device challenge) while its window lasts. */
export interface LoginFailuresTable {
  scope: string;
  key: string;
  at: number;
}

export interface WorkerNodesTable {
  node_id: string;
  server_id: string;
  user_id: string;
  username: string;
  device_id: string;
  /** JSON object of labels. */
  labels: string;
  /** JSON array of the agents it offers (the link's hello). */
  agents: string;
  connected: number;
  connected_since: number;
  last_heartbeat: number;
  /** JSON array of task ids. */
  running_tasks: string;
  /** When its server last wrote the row: a row not refreshed is a server gone. */
  seen_at: number;
}

export interface Database {
  tasks: TasksTable;
  task_events: TaskEventsTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  agent_configs: AgentConfigsTable;
  session_memory: SessionMemoryTable;
  devices: DevicesTable;
  device_challenges: DeviceChallengesTable;
  policies: PoliciesTable;
  counters: CountersTable;
  projects: ProjectsTable;
  board_tasks: BoardTasksTable;
  board_executions: BoardExecutionsTable;
  board_activity: BoardActivityTable;
  telegram_links: TelegramLinksTable;
  telegram_link_codes: TelegramLinkCodesTable;
  telegram_updates: TelegramUpdatesTable;
  telegram_state: TelegramStateTable;
  telegram_prompts: TelegramPromptsTable;
  telegram_chat_sessions: TelegramChatSessionsTable;
  telegram_follows: TelegramFollowsTable;
  login_failures: LoginFailuresTable;
  worker_nodes: WorkerNodesTable;
}

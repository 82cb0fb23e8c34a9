/**
 * Builds the services transports call, all on one guard (the policy-aware authorizer
 * and the engine's audit sink): the secure runtime, the task-visibility rule it shares
 * with worktree removal, authentication (sessions, devices) and product administration
 * (users, grants, policies, agents, skills, worktrees, session memory).
 */
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/load-config.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { Guard } from '../core/ports/guard.ts';
import type { Logger } from '../core/ports/logger.ts';
import type { TaskEngine } from '../core/services/runtime.ts';
import type { OpenedStore } from '../store/open-store.ts';
import type { MutableAgentRegistry } from '../agents/registry/mutable-registry.ts';
import { validateAgentConfig } from '../agents/assembly/agent-runtime.ts';
import { removeTaskWorktreeById } from '../integrations/github/worktree.ts';
import type { PolicyAuthorizer } from '../security/authorization/policy-authorizer.ts';
import { createSecureRuntime } from '../security/authorization/secure-runtime.ts';
import { createTaskVisibility } from '../security/authorization/task-visibility.ts';
import { CHALLENGE_LIMITS, createDeviceService } from '../security/authentication/device-service.ts';
import { createLoginLimiter, type LoginLimits } from '../security/authentication/login-limiter.ts';
import { createSessionService, type SessionPolicy } from '../security/authentication/session-service.ts';
import { createAgentAdmin } from '../services/agent-admin.ts';
import { createGrantAdmin } from '../services/grant-admin.ts';
import { createPolicyAdmin } from '../services/policy-admin.ts';
import { createSessionMemoryService } from '../services/session-memory-service.ts';
import { createSkillAdmin } from '../services/skill-admin.ts';
import { createUserAdmin } from '../services/user-admin.ts';
import { createWorktreeAdmin } from '../services/worktree-admin.ts';
import type { LocalSkillCatalog } from '../skills/skill-catalog.ts';
import { createSkillInstaller } from '../skills/skill-installer.ts';
import { uuidIds } from './node-timers.ts';
import { createRepositories } from '../integrations/github/repositories.ts';
import { createBoardFeed } from '../services/board/board-feed.ts';
import { createBoardService } from '../services/board/board-service.ts';
import { createExecutionFollower } from '../services/board/execution-follower.ts';
import { createProjectService } from '../services/board/project-service.ts';
import { createBoardLinks } from '../services/board/board-links.ts';
import { createBoardGitService } from '../services/board/board-git-service.ts';
import type { BoardWorkdirs } from '../services/board/board-workdirs.ts';
import type { BoardGit } from '../core/ports/board-git.ts';
import { createPullRequests } from '../integrations/github/pull-requests.ts';
import { createTelegramLinks } from '../security/authentication/telegram-links.ts';

export interface ServiceDeps {
  readonly config: ResolvedConfig;
  readonly store: OpenedStore;
  readonly guard: Guard;
  /** The guard's authorizer: policy administration drops its cache and explains with its policy set. */
  readonly authorizer: PolicyAuthorizer;
  readonly engine: TaskEngine;
  readonly agents: MutableAgentRegistry;
  readonly skills: LocalSkillCatalog;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Forgets a user's cached credentials, so a change applies to their next request. */
  readonly evictUser: (userId: string) => void;
  readonly sessionPolicy: SessionPolicy;
  readonly loginLimits: LoginLimits;
  /** Board tasks' git work (built with the agents, which run in the same worktrees). */
  readonly boardGit: BoardGit;
  readonly workdirs: BoardWorkdirs;
}

export function buildServices(deps: ServiceDeps) {
  const { config, store, guard, clock, evictUser } = deps;
  const ids = uuidIds;
  const tasks = createTaskVisibility(guard, (taskId) => deps.engine.findTask(taskId));
  // Counted in the database when nodes share it, so the limits hold across them.
  const challengeLimiter = store.sharedLimiter('device', CHALLENGE_LIMITS);
  const devices = createDeviceService({ devices: store.devices, clock, ids, guard, evictUser, ...(challengeLimiter !== undefined ? { challengeLimiter } : {}) }, config.devices);
  // One limiter for every password guess: at login and when changing one's own password.
  const loginLimiter = store.sharedLimiter('login', deps.loginLimits) ?? createLoginLimiter(deps.loginLimits);
  const runtime = createSecureRuntime(deps.engine, { guard, submitSessions: { sessions: store.credentials, clock }, tasks, boardLinks: createBoardLinks(store.board, guard) });
  const repositories = createRepositories();
  // Other nodes' board changes arrive by the database's change feed (PostgreSQL), else by this poll.
  const feed = createBoardFeed(store.board, { pollMs: config.pollMs }, store.boardChanges);
  const follower = createExecutionFollower({ store: store.board, engine: deps.engine, leftChanges: (id) => deps.workdirs.leftChanges(id), feed, clock, logger: deps.logger });
  return {
    runtime,
    follower,
    projects: createProjectService({ store: store.board, guard, clock, repositories, dataDir: config.dataDir, engine: deps.engine, feed }),
    board: createBoardService({ store: store.board, guard, clock, runtime, engine: deps.engine, feed, follower }),
    boardGit: createBoardGitService({
      store: store.board,
      guard,
      clock,
      git: deps.boardGit,
      workdirs: deps.workdirs,
      pulls: config.github.token === undefined ? undefined : createPullRequests({ token: config.github.token, ...(config.github.apiUrl !== undefined ? { apiUrl: config.github.apiUrl } : {}) }),
      feed,
    }),
    devices,
    sessions: createSessionService(
      { credentials: store.credentials, clock, ids, limiter: loginLimiter, devices, guard, evictUser },
      deps.sessionPolicy,
    ),
    users: createUserAdmin({ credentials: store.credentials, clock, ids, guard, evictUser, limiter: loginLimiter }),
    grants: createGrantAdmin({ credentials: store.credentials, clock, guard, evictUser }),
    policies: createPolicyAdmin({ store: store.policies, credentials: store.credentials, authorizer: deps.authorizer, clock, ids, guard }),
    agentAdmin: createAgentAdmin({ store: store.agentConfigs, agents: deps.agents, validate: validateAgentConfig, clock, guard }),
    skills: createSkillAdmin({
      installer: createSkillInstaller(deps.skills, { skillsDir: join(config.dataDir, 'skills'), ...config.skills }, deps.logger),
      guard,
    }),
    worktrees: createWorktreeAdmin({
      tasks,
      record: guard.record,
      removeWorktree: (taskId, o) => removeTaskWorktreeById(join(config.dataDir, 'worktrees'), taskId, { deleteBranch: o.deleteBranch }),
    }),
    sessionMemory: createSessionMemoryService({ store: store.sessionMemory, clock, guard }),
    telegramLinks: createTelegramLinks({ store: store.telegram, credentials: store.credentials, guard, clock }),
  };
}

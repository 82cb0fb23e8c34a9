/** The listing tools: agents, skills, projects and board tasks, each one service call as the caller. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { BoardStatuses } from '../../core/domain/board.ts';
import type { Caller } from '../../core/domain/caller.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { BoardService, ProjectService } from '../../core/services/board.ts';
import type { Runtime } from '../../core/services/runtime.ts';
import { agentToWire, agentView } from '../../wire/agent.ts';
import { boardTaskList, boardTaskToWire } from '../../wire/board.ts';
import { projectToWire, projectView } from '../../wire/project.ts';
import { skillToWire, skillView } from '../../wire/skill.ts';
import { guarded } from './tool-result.ts';

const READ = { readOnlyHint: true, openWorldHint: false } as const;

// Built once (a server is made per request).
const AGENTS = { title: 'List agents', description: 'The configured agents (agent_type for submit_task) and whether each can run now.', outputSchema: z.object({ agents: z.array(agentView) }), annotations: READ };
const SKILLS = { title: 'List skills', description: 'The installed skills and the permissions they need.', outputSchema: z.object({ skills: z.array(skillView) }), annotations: READ };
const PROJECTS = { title: 'List projects', description: 'The projects of the portal you may read.', outputSchema: z.object({ projects: z.array(projectView) }), annotations: READ };
const BOARD_TASKS = {
  title: 'List board tasks',
  description: 'Board tasks (cards) by status column then position; filter by project, status, agent or words.',
  inputSchema: z.object({
    project: z.string().min(1).max(60).optional().describe('The project id or key'),
    status: z.enum(BoardStatuses).optional(),
    assigned_agent_type: z.string().min(1).max(200).optional(),
    q: z.string().min(1).max(200).optional().describe('Words in the title, the description or the key'),
    limit: z.number().int().min(1).max(500).default(100),
    cursor: z.string().min(1).max(500).optional(),
  }),
  outputSchema: boardTaskList,
  annotations: READ,
};

/** The portal's services; absent on a server without the board. */
export interface BoardTools {
  readonly projects: ProjectService;
  readonly board: BoardService;
}

/** Registers the listing tools on `server`; every handler acts as `caller`. */
export function registerCatalogTools(server: McpServer, deps: { readonly runtime: Runtime; readonly board?: BoardTools }, caller: Caller, logger: Logger): void {
  const { runtime } = deps;
  server.registerTool(
    'list_agents',
    AGENTS,
    () => guarded('list_agents', logger, async () => ({ agents: (await runtime.listAgents(caller)).map(agentToWire) })),
  );

  server.registerTool(
    'list_skills',
    SKILLS,
    () => guarded('list_skills', logger, async () => ({ skills: (await runtime.listSkills(caller)).map(skillToWire) })),
  );

  const board = deps.board;
  if (board === undefined) return;
  server.registerTool(
    'list_projects',
    PROJECTS,
    () => guarded('list_projects', logger, async () => ({ projects: (await board.projects.list(caller)).map(projectToWire) })),
  );

  server.registerTool(
    'list_board_tasks',
    BOARD_TASKS,
    (a) =>
      guarded('list_board_tasks', logger, async () => {
        const page = await board.board.list(caller, {
          limit: a.limit,
          ...(a.project !== undefined ? { project: a.project } : {}),
          ...(a.status !== undefined ? { status: a.status } : {}),
          ...(a.assigned_agent_type !== undefined ? { assignedAgentType: a.assigned_agent_type } : {}),
          ...(a.q !== undefined ? { q: a.q } : {}),
          ...(a.cursor !== undefined ? { cursor: a.cursor } : {}),
        });
        return { tasks: page.items.map(boardTaskToWire), next_cursor: page.nextCursor ?? null };
      }),
  );
}

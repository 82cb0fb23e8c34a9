/**
 * The MCP server of one caller: every tool calls the runtime or the board services as
 * that caller, so authorization and audit are the runtime's, as for every transport.
 * Built per HTTP request (stateless Streamable HTTP): nothing outlives the request.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { Caller } from '../../core/domain/caller.ts';
import type { Logger } from '../../core/ports/logger.ts';
import type { Runtime } from '../../core/services/runtime.ts';
import { registerCatalogTools, type BoardTools } from './catalog-tools.ts';
import { registerTaskTools } from './task-tools.ts';
import { registerWaitTool } from './wait-tool.ts';

export interface McpServerDeps {
  readonly runtime: Runtime;
  /** Projects and board tasks (absent: list_projects and list_board_tasks are not offered). */
  readonly board?: BoardTools;
  readonly logger: Logger;
  readonly version: string;
}

const INSTRUCTIONS =
  'Switchboard runs tasks on AI agents. list_agents names the agents; submit_task starts a task; wait_task waits ' +
  'for it to finish or to ask something (answer_task answers a question, approve_task decides a tool call); ' +
  'get_task_events shows what it did. Every call runs with the permissions of your token.';

// One for every server: each would otherwise build its own Ajv (about 2 ms per request).
const validator = new AjvJsonSchemaValidator();

/** A fresh server whose tools act as `caller`. */
export function createMcpServer(deps: McpServerDeps, caller: Caller): McpServer {
  const server = new McpServer({ name: 'switchboard', version: deps.version }, { instructions: INSTRUCTIONS, jsonSchemaValidator: validator });
  registerTaskTools(server, deps.runtime, caller, deps.logger);
  registerWaitTool(server, deps.runtime, caller, deps.logger);
  registerCatalogTools(server, { runtime: deps.runtime, ...(deps.board !== undefined ? { board: deps.board } : {}) }, caller, deps.logger);
  return server;
}

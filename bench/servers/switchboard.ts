/**
 * Switchboard under test, in its own process: configuration from the environment
 * built by lib/switchboard.ts; announces {"url"} on stdout.
 */
import { loadConfig } from '../../src/config/load-config.ts';
import { createApp } from '../../src/app/create-app.ts';
import { announce, exitWith } from './child-common.ts';

const app = await createApp({ config: loadConfig(process.env) });
const url = await app.listen();
exitWith(() => app.close());
announce({ url, pid: process.pid });

export { createOpsServer, type ServerOptions } from './server.ts';

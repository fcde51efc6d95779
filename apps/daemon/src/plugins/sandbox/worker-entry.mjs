// A plugin's worker thread starts here: plain JavaScript, since a worker cannot start from
// TypeScript. tsx compiles the plugin and the rest of the worker (worker-main.ts) as the daemon's
// own entry does.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');

#!/usr/bin/env node
// The daemon runs its TypeScript sources directly through tsx: no build step between a change and a deploy.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');

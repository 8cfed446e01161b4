#!/usr/bin/env node
// crucial ships TypeScript sources; tsx compiles them on load.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');

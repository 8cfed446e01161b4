// The worker body for a pool running from the checkout's TypeScript sources: worker threads do not
// inherit loader hooks registered through the API, so the worker registers tsx itself (with the
// checkout's tsconfig, whose paths make `crucial` the sources) before loading the TypeScript body.
// The compiled package never comes here: its pool loads worker.js directly.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register({ tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)) });
const mod = await import('./worker.ts');
export default mod.default;

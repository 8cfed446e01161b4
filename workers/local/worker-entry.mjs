// Worker threads do not inherit loader hooks registered through the API, so each worker registers
// tsx itself before loading the TypeScript worker body.
import { register } from 'tsx/esm/api';

register();
const mod = await import('./worker.ts');
export default mod.default;

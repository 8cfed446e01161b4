// The local pool's worker for bench/hot-path-empty-task.ts --hops: tsx registered as
// workers/local/worker-entry.mjs does, then hops-worker.ts (executeTask with a stamp at each step).
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';

register({ tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)) });
const mod = await import('./hops-worker.ts');
export default mod.default;

/** What a local pool worker posts to the pool once its modules are loaded (see LocalPool's `loaded`). */
export const WORKER_LOADED = 'crucial:worker-loaded';

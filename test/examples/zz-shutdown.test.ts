import { shutdown } from 'crucial';

// The in-process example runs share the embedded node and worker pool; close them once at the end.
after(async () => { await shutdown(); });

/**
 * The worker thread of the Python package's bundled node: scripts/bundle-python-node.mjs bundles it
 * into crucial/_node/crucial-worker.mjs next to crucial-node.mjs, whose local pool runs it (the
 * sources' worker-entry.mjs needs tsx, which an installed wheel does not have).
 *
 * It is also the module the bundle's `@Serializable` classes name (the bundler points
 * callerModuleUrl here): a worker decoding an ml.fit cloud thread imports this file and finds the
 * task's class among its exports. So every task class a bundled node's jobs submit is exported here.
 */
export { default } from '../../../workers/local/worker.ts';
export { KMeansTask } from '../../../ml/kmeans/task.ts';
export { LogRegTask } from '../../../ml/logreg/task.ts';
export { ForestTask } from '../../../ml/forest/task.ts';

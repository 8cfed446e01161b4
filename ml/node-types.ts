/**
 * The ML object types a DSO node hosts as built-ins (state shared by the training cloud threads,
 * e.g. `ml.KMeansState`), so training works on a node that forbids user-code upload. Each algorithm
 * adds one import and one `registerBuiltin` line here; dso/objects/index.ts calls this.
 *
 * Everything imported here is loaded by every node, the embedded one included: keep these modules
 * free of static imports of apache-arrow, piscina, esbuild or zeromq (test/core/layers.test.ts
 * checks the node's graph). Names start with `ml.`.
 */
import type { TypeRegistry } from '../dso/registry.ts';
import { KMeansState } from './kmeans/node/kmeans-state.ts';
import { LogRegState } from './logreg/node/logreg-state.ts';
import { OobVotes } from './forest/node/oob-votes.ts';

/**
 * Registers the ML built-in types on a node's registry.
 * @param registry the node's type registry
 */
export function registerMlTypes(registry: TypeRegistry): void {
  registry.registerBuiltin('ml.KMeansState', KMeansState, true);
  registry.registerBuiltin('ml.LogRegState', LogRegState, true);
  registry.registerBuiltin('ml.OobVotes', OobVotes);
}

/**
 * `crucial/ml`: serverless machine learning on crucial — training data read by row range from
 * Arrow files, one language-neutral model format (ml/model/FORMAT.md), models kept with versions
 * (persistently on a `--pmem` node) in the DSO, and progress reporting for long fits.
 */
export { partitions } from './data/dataset.ts';
export { datasetInfo, readRows } from './data/read.ts';
export { writeDataset } from './data/write.ts';
export { MODEL_FORMAT, validateModel } from './model/format.ts';
export { ModelStore } from './model/store.ts';
export { progressReporter } from './progress.ts';
export { startModelServer } from './serve/server.ts';
export { ModelNotFoundError, BadArgumentError } from '../core/protocol/errors.ts';

export type { Dataset } from './data/dataset.ts';
export type { ReadOptions, DatasetInfo } from './data/read.ts';
export type { WriteOptions } from './data/write.ts';
export type { Model, ModelArray, ModelDType, Algorithm } from './model/format.ts';
export type { ModelStoreOptions } from './model/store.ts';
export type { ProgressEvent, ProgressOptions, ProgressReporter } from './progress.ts';
export type { ModelServer, ModelServerOptions } from './serve/server.ts';
export type { ModelSource, PredictFn } from './serve/model-cache.ts';
export type { BatchStats, BatchPrediction } from './serve/batcher.ts';

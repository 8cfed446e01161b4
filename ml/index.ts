/**
 * `crucial/ml`: serverless machine learning on crucial — k-means, logistic regression and random
 * forests trained as cloud threads over row-range partitions of Arrow files, one language-neutral
 * model format (ml/model/FORMAT.md), models kept with versions (persistently on a `--pmem` node) in
 * the DSO, prediction from those models alone, and an Open Inference Protocol model server.
 */
export { partitions } from './data/dataset.ts';
export { datasetInfo, readRows } from './data/read.ts';
export { writeDataset } from './data/write.ts';
export { MODEL_FORMAT, validateModel } from './model/format.ts';
export { ModelStore } from './model/store.ts';
export { predict } from './model/predict.ts';
export { progressReporter } from './progress.ts';
export { fitKMeans } from './kmeans/fit.ts';
export { fitLogisticRegression } from './logreg/fit.ts';
export { fitRandomForest } from './forest/fit.ts';
export { startModelServer } from './serve/server.ts';
export { ModelNotFoundError, BadArgumentError } from '../core/protocol/errors.ts';

export type { Dataset } from './data/dataset.ts';
export type { ReadOptions, DatasetInfo } from './data/read.ts';
export type { WriteOptions } from './data/write.ts';
export type { Model, ModelArray, ModelDType, Algorithm } from './model/format.ts';
export type { ModelStoreOptions } from './model/store.ts';
export type { Prediction } from './model/predict.ts';
export type { ProgressEvent, ProgressOptions, ProgressReporter } from './progress.ts';
export type { FitOptions, FitProgress, RunOptions } from './kmeans/run-tasks.ts';
export type { KMeansParams } from './kmeans/fit.ts';
export type { LogRegParams } from './logreg/fit.ts';
export type { ForestFitOptions } from './forest/fit.ts';
export type { ForestParams, MaxFeatures } from './forest/params.ts';
export type { ModelServer, ModelServerOptions } from './serve/server.ts';
export type { ModelSource, PredictFn } from './serve/model-cache.ts';
export type { BatchStats, BatchPrediction } from './serve/batcher.ts';

/**
 * `crucial/ml`: serverless machine learning on crucial — training data read by row range from
 * Arrow files, one language-neutral model format, models kept (persistently, with versions) in the
 * DSO, and prediction from those models alone.
 */
export { partitions } from './data/dataset.ts';
export { datasetInfo, readRows } from './data/read.ts';
export { writeDataset } from './data/write.ts';
export { MODEL_FORMAT, validateModel } from './model/format.ts';
export { ModelNotFoundError, BadArgumentError } from '../core/protocol/errors.ts';

export type { Dataset } from './data/dataset.ts';
export type { ReadOptions, DatasetInfo } from './data/read.ts';
export type { WriteOptions } from './data/write.ts';
export type { Model, ModelArray, ModelDType, Algorithm } from './model/format.ts';

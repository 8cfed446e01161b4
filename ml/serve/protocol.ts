/**
 * The Open Inference Protocol (KServe V2) REST shapes the model server reads and writes, and the
 * Triton binary tensor data extension's header names. No logic here: decoding is in tensor.ts,
 * the routes in server.ts. Spec: kserve/open-inference-protocol, specification/protocol/inference_rest.md.
 */

/** Tensor element types of the protocol (`BYTES` and `BF16` are refused as model inputs). */
export type V2Datatype =
  | 'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64'
  | 'FP16' | 'FP32' | 'FP64' | 'BYTES' | 'BF16';

/** Key/value parameters of a request, an input, an output or a response. */
export type V2Parameters = Record<string, unknown>;

/** `$request_input`: `data` is flat or nested (row-major); absent when sent as binary. */
export interface V2RequestInput {
  name: string;
  shape: number[];
  datatype: V2Datatype | string;
  parameters?: V2Parameters;
  data?: unknown;
}

/** `$request_output`: the name of an output the caller wants. */
export interface V2RequestOutput {
  name: string;
  parameters?: V2Parameters;
}

/** `$inference_request`. */
export interface V2InferenceRequest {
  id?: string;
  parameters?: V2Parameters;
  inputs: V2RequestInput[];
  outputs?: V2RequestOutput[];
}

/** `$response_output`: `data` is flat row-major; absent (and `binary_data_size` set) when binary. */
export interface V2ResponseOutput {
  name: string;
  shape: number[];
  datatype: V2Datatype;
  parameters?: V2Parameters;
  data?: number[];
}

/** `$inference_response`. */
export interface V2InferenceResponse {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: V2Parameters;
  outputs: V2ResponseOutput[];
}

/** `$metadata_tensor`: -1 marks a variable dimension. */
export interface V2MetadataTensor {
  name: string;
  datatype: V2Datatype;
  shape: number[];
}

/** `$metadata_model_response`. */
export interface V2ModelMetadata {
  name: string;
  versions?: string[];
  platform: string;
  inputs: V2MetadataTensor[];
  outputs: V2MetadataTensor[];
  parameters?: V2Parameters;
}

/** `$metadata_server_response`. */
export interface V2ServerMetadata {
  name: string;
  version: string;
  extensions: string[];
}

/** Every error body: `$inference_error_response` and the metadata ones. */
export interface V2Error {
  error: string;
}

/** The outputs a model answers with, named as MLServer's scikit-learn runtime names them. */
export const PREDICT_OUTPUT = 'predict';
/** Class probabilities, classifiers only (asked for by name in `outputs`, as with MLServer). */
export const PREDICT_PROBA_OUTPUT = 'predict_proba';

/**
 * Triton's binary tensor data extension (what `tritonclient.http` sends by default): the JSON header's
 * length in this HTTP header, the raw little-endian tensors after it.
 */
export const HEADER_LENGTH = 'inference-header-content-length';
/** Extension names listed in the server metadata. */
export const EXTENSIONS = ['binary_tensor_data', 'model_repository'];

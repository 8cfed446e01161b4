/**
 * Input tensors to a row-major Float64Array of features, and predictions to output tensors, in
 * JSON or in Triton's binary tensor data extension (raw little-endian bytes after the JSON header).
 */
import { badRequest } from './http-error.ts';
import type { V2Datatype, V2RequestInput, V2ResponseOutput } from './protocol.ts';

/** Bytes per element of each numeric datatype a model accepts as features. */
const ELEMENT_BYTES: Partial<Record<string, number>> = {
  BOOL: 1, UINT8: 1, UINT16: 2, UINT32: 4, UINT64: 8, INT8: 1, INT16: 2, INT32: 4, INT64: 8, FP16: 2, FP32: 4, FP64: 8,
};

/** The features of one request: `nRows` rows of `nCols` values. */
export interface Features {
  X: Float64Array;
  nRows: number;
}

/**
 * Reads the one input tensor of a request as `[nRows, nFeatures]` features. `binary` is the
 * tensor's raw bytes when it came in the binary extension.
 * @throws {V2HttpError} 400 on an unsupported datatype, a shape that is not `[n, nFeatures]`, or
 *   data whose element count or type does not match the shape.
 */
export function decodeFeatures(input: V2RequestInput, nFeatures: number, binary?: Uint8Array): Features {
  const { datatype, shape } = input;
  const size = typeof datatype === 'string' ? ELEMENT_BYTES[datatype] : undefined;
  if (size === undefined) {
    throw badRequest(`input '${input.name}': datatype ${JSON.stringify(datatype)} is not a numeric tensor type (FP64, FP32, FP16, INT8..INT64, UINT8..UINT64, BOOL)`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw badRequest(`input '${input.name}': shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (shape.length !== 2) {
    throw badRequest(`input '${input.name}': shape must be [rows, ${nFeatures}] (2-D), got [${shape.join(', ')}]`);
  }
  const [nRows, nCols] = shape as [number, number];
  if (nCols !== nFeatures) {
    throw badRequest(`input '${input.name}': the model takes ${nFeatures} features per row, the shape [${nRows}, ${nCols}] has ${nCols}`);
  }
  const count = nRows * nCols;
  if (binary) {
    // Checked before allocating: the shape is the caller's claim, the bytes are what arrived.
    if (binary.byteLength !== count * size) {
      throw badRequest(`input '${input.name}': ${binary.byteLength} bytes of binary data, shape [${nRows}, ${nCols}] of ${datatype} needs ${count * size}`);
    }
    const X = new Float64Array(count);
    readBinary(datatype as string, binary, X);
    return { X, nRows };
  }
  if (input.data === undefined) throw badRequest(`input '${input.name}': no data (neither 'data' nor binary_data_size)`);
  const values = flatten(input.data, datatype === 'BOOL', input.name);
  if (values.length !== count) {
    throw badRequest(`input '${input.name}': ${values.length} values for shape [${nRows}, ${nCols}] (${count} expected)`);
  }
  return { X: Float64Array.from(values), nRows };
}

/** Nesting deeper than this is refused (a crafted body must not exhaust the stack). */
const MAX_DEPTH = 32;

/** The numbers of flat or nested arrays, row-major (Triton and MLServer accept either form). */
function flatten(data: unknown, bool: boolean, name: string): number[] {
  const out: number[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (typeof v === 'number') out.push(v);
    else if (Array.isArray(v)) {
      if (depth >= MAX_DEPTH) throw badRequest(`input '${name}': data nested more than ${MAX_DEPTH} deep`);
      for (const x of v) walk(x, depth + 1);
    } else if (bool && typeof v === 'boolean') out.push(v ? 1 : 0);
    else throw badRequest(`input '${name}': element ${JSON.stringify(v)} is not a number`);
  };
  walk(data, 0);
  return out;
}

function readBinary(datatype: string, bytes: Uint8Array, out: Float64Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = out.length;
  switch (datatype) {
    case 'FP64': for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true); break;
    case 'FP32': for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true); break;
    case 'FP16': for (let i = 0; i < n; i++) out[i] = halfToNumber(view.getUint16(i * 2, true)); break;
    case 'INT64': for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(i * 8, true)); break;
    case 'UINT64': for (let i = 0; i < n; i++) out[i] = Number(view.getBigUint64(i * 8, true)); break;
    case 'INT32': for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true); break;
    case 'UINT32': for (let i = 0; i < n; i++) out[i] = view.getUint32(i * 4, true); break;
    case 'INT16': for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true); break;
    case 'UINT16': for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, true); break;
    case 'INT8': for (let i = 0; i < n; i++) out[i] = view.getInt8(i); break;
    default /* UINT8, BOOL */: for (let i = 0; i < n; i++) out[i] = view.getUint8(i); break;
  }
}

/** IEEE 754 binary16 to a number (Node 20 has no DataView.getFloat16). */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** One output tensor, with its raw bytes when the caller asked for binary data. */
export interface EncodedOutput {
  output: V2ResponseOutput;
  binary?: Uint8Array;
}

/**
 * A `[nRows, width]` output (MLServer shapes `predict` as `[n, 1]`), as JSON data or as binary bytes.
 * `values` holds exactly nRows × width numbers.
 * INT64 values must be integers (class labels or cluster indexes).
 */
export function encodeOutput(name: string, values: Float64Array, shape: [number, number], datatype: 'FP64' | 'INT64', binary: boolean): EncodedOutput {
  if (!binary) {
    return { output: { name, shape, datatype, parameters: { content_type: 'np' }, data: Array.from(values) } };
  }
  let bytes: Uint8Array;
  if (datatype === 'FP64') {
    bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  } else {
    const ints = new BigInt64Array(values.length);
    for (let i = 0; i < values.length; i++) ints[i] = BigInt(values[i]!);
    bytes = new Uint8Array(ints.buffer);
  }
  return { output: { name, shape, datatype, parameters: { binary_data_size: bytes.byteLength } }, binary: bytes };
}

/** The datatype a label output travels as: INT64 when every class value is an integer (sklearn's int64 classes_). */
export function labelDatatype(classes: readonly number[] | undefined): Extract<V2Datatype, 'FP64' | 'INT64'> {
  if (!classes) return 'INT64';
  return classes.every((c) => Number.isSafeInteger(c)) ? 'INT64' : 'FP64';
}

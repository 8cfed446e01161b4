/**
 * Arrow IPC for numeric arrays and tables. A TypedArray becomes a one-column stream without an
 * element-by-element copy; on arrival the column's buffer is handed back as a TypedArray view.
 */
import { makeVector, Table, Schema, tableFromIPC, tableToIPC } from 'apache-arrow';
import { ARROW_ARRAY_COLUMN, ARROW_KIND_ARRAY, ARROW_KIND_KEY, ARROW_KIND_TABLE } from './protocol.ts';
import { BadFrameError } from '../errors.ts';

/** Numeric arrays that travel as Arrow (Uint8Array travels as MessagePack bin instead). */
export type NumericArray =
  | Float64Array | Float32Array | Int8Array | Int16Array | Int32Array
  | Uint16Array | Uint32Array | BigInt64Array | BigUint64Array;

export function isNumericArray(v: unknown): v is NumericArray {
  return ArrayBuffer.isView(v) && !(v instanceof Uint8Array) && !(v instanceof DataView) && !(v instanceof Uint8ClampedArray);
}

export function encodeArray(arr: NumericArray): Uint8Array {
  const plain = new Table({ [ARROW_ARRAY_COLUMN]: makeVector(arr as any) });
  const schema = new Schema(plain.schema.fields, new Map([[ARROW_KIND_KEY, ARROW_KIND_ARRAY]]));
  return tableToIPC(new Table(schema, plain.batches), 'stream');
}

export function encodeTable(table: Table): Uint8Array {
  const metadata = new Map(table.schema.metadata);
  metadata.set(ARROW_KIND_KEY, ARROW_KIND_TABLE);
  const schema = new Schema(table.schema.fields, metadata);
  return tableToIPC(new Table(schema, table.batches), 'stream');
}

/** Decodes one attachment frame into a TypedArray (kind `array`) or an Arrow Table. */
export function decodeArrow(frame: Uint8Array): NumericArray | Table {
  let table: Table;
  try {
    table = tableFromIPC(frame);
  } catch (cause) {
    throw new BadFrameError('attachment is not a valid Arrow IPC stream', { cause });
  }
  const kind = table.schema.metadata.get(ARROW_KIND_KEY);
  if (kind === ARROW_KIND_ARRAY) {
    const col = table.getChild(ARROW_ARRAY_COLUMN);
    if (!col) throw new BadFrameError(`array attachment has no column "${ARROW_ARRAY_COLUMN}"`);
    if (col.nullCount > 0) throw new BadFrameError('array attachment holds nulls');
    return col.toArray() as NumericArray;
  }
  return table;
}

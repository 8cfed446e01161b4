/**
 * Internals for tools and other runtimes built on crucial (the Python bridge's tests, benchmarks,
 * alternative runners). Not part of the stable API: names here may change between versions.
 */
export { WireCodec, parseCall, peekSeq } from './protocol/wire/codec.ts';
export { PROTOCOL_VERSION, Kind, Ext, SYSTEM_TYPE, TOUCH, ObjectRef, CallIndex, ReplyIndex } from './protocol/wire/protocol.ts';
export { packFrames, unpackFrames } from './protocol/wire/frames.ts';
export { encodeArray, encodeTable, decodeArrow, isNumericArray } from './protocol/wire/arrow.ts';
export { Outbox } from './protocol/wire/outbox.ts';
export { openClient, bindServer, resolveTransport, TRANSPORTS } from './protocol/transport/socket.ts';
export { ZmtpDealer } from './protocol/transport/zmtp/dealer.ts';
export { ZmtpRouter } from './protocol/transport/zmtp/router.ts';
export { errorToData, errorFromData } from './protocol/errors.ts';
export { JOBS_TYPE, JOB_KINDS } from './protocol/jobs.ts';
export { toWire, fromWire, encodeTask, decodeTask, materializeProxies } from './threads/task-codec.ts';
export { executeTask } from '../workers/local/execute.ts';
export { TypeRegistry, arg } from '../dso/registry.ts';
export { ObjectStore } from '../dso/store.ts';
export { PersistentStore } from '../dso/persistence/store.ts';

export type { Call } from './protocol/wire/codec.ts';
export type { ClientSocket, ServerSocket, ServerHandler } from './protocol/transport/socket.ts';
export type { NumericArray } from './protocol/wire/arrow.ts';
export type { TaskSpec } from '../workers/local/execute.ts';
export type { StoredObject } from '../dso/persistence/store.ts';

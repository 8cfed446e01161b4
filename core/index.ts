/**
 * crucial: stateful serverless computing. Cloud threads share linearizable objects hosted by a DSO
 * node; with no `CRUCIAL_DSO` configured, an embedded node and a local worker pool are used.
 *
 * This entry loads the client and the protocol only: the node, the worker pool and what they need
 * (pmem, piscina, esbuild) load on first use, and `startDso`, `DsoNode` and `LocalPool` are in
 * `crucial/node`.
 */
export { CloudThread } from './threads/cloud-thread.ts';
export { ServerlessExecutorService, TaskFuture, defaultTaskRunner } from './threads/executor.ts';
export { withCaptures } from './threads/task-codec.ts';
export { Serializable } from './threads/serializable.ts';
export { Shared, shared, sharedByName, remote } from './objects/shared.ts';
export { SharedObject } from './objects/shared-object.ts';
export { AtomicLong } from './objects/atomic-long.ts';
export { AtomicInt } from './objects/atomic-int.ts';
export { AtomicBoolean } from './objects/atomic-boolean.ts';
export { AtomicReference } from './objects/atomic-reference.ts';
export { AtomicByteArray } from './objects/atomic-byte-array.ts';
export { AtomicCounter } from './objects/atomic-counter.ts';
export { AtomicList } from './objects/atomic-list.ts';
export { AtomicMap } from './objects/atomic-map.ts';
export { AtomicTreeMap } from './objects/atomic-tree-map.ts';
export { AtomicMatrix } from './objects/atomic-matrix.ts';
export { CyclicBarrier } from './sync/cyclic-barrier.ts';
export { ScalableCyclicBarrier } from './sync/scalable-cyclic-barrier.ts';
export { Semaphore } from './sync/semaphore.ts';
export { CountDownLatch } from './sync/count-down-latch.ts';
export { Future } from './sync/future.ts';
export { JobClient, submitJob } from './jobs/job-client.ts';
export { Connection } from './client/connection.ts';
export { connect, shutdown, dsoAddress } from './client/context.ts';
export { releaseArray } from './client/release-array.ts';
export { ObjectRef } from './protocol/wire/protocol.ts';
export {
  CrucialError, ErrorCode, BadFrameError, ProtocolVersionError, PayloadTooLargeError, UnknownTypeError,
  UnknownMethodError, BadArgumentError, NoObjectError, ModuleMissingError, IllegalStateError,
  BrokenBarrierError, TimeoutError, RemoteError, TaskFailedError, NotSerializableError, ReleasedError,
  ClosedError, UnavailableError, RejectedError, InvalidOptionError, HighWaterMarkError, ModelNotFoundError,
  UnauthorizedError, ForbiddenError, LimitExceededError, OverloadedError, ReplyNotKeptError,
} from './protocol/errors.ts';

export type { Task, TaskResult, IterativeTask, ExecutorOptions, SubmitOptions, IterativeOptions } from './threads/executor.ts';
export type { Captured } from './threads/task-codec.ts';
export type { CloudThreadOptions } from './threads/cloud-thread.ts';
export type { SharedDecoratorOptions, SharedFactoryOptions, Remote } from './objects/shared.ts';
export type { SharedOptions } from './objects/shared-object.ts';
export type { LongLike } from './objects/atomic-long.ts';
export type { MapKey, EntriesInput, MergeFunctionName } from './objects/atomic-map.ts';
export type { ScalableCyclicBarrierOptions } from './sync/scalable-cyclic-barrier.ts';
export type { ConnectionOptions } from './client/connection.ts';
export type { TransportKind } from './protocol/transport/socket.ts';
export type { LinkOptions, LinkStatus } from './protocol/transport/link.ts';
export type { ClientSecurity } from './protocol/transport/security.ts';
export type { TaskRunner, TaskRequest, TaskResponse } from '../workers/runner.ts';
export type { CallOptions } from './protocol/wire/protocol.ts';
export type { JobStatus, JobState, JobProgress, FitJobArgs, FitJobResult } from './protocol/jobs.ts';
export type { ErrorCodeValue, ErrorData } from './protocol/errors.ts';

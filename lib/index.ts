/**
 * dynastore: a small, exact key/value library over Amazon DynamoDB, ported
 * from Go dynastore v1 to aws-sdk v2. `Session → Table → Partition`;
 * put, get, exists, delete, compare-and-swap, prefix listing with paging
 * tokens, secondary indexes, TTL and request hooks.
 *
 * Not exported on purpose: the internal DynamoDB client interface and its
 * aws-sdk v2 adapter, the expression builder and the token codec; their
 * behaviour reaches users only through the operations.
 *
 * @packageDocumentation
 */

export { Session } from './session';
export type { SessionOptions } from './session';
export { Table } from './table';
export { Partition } from './partition';
export { KVPair } from './kvpair';
export type { KVPairInit, KVPairPage } from './kvpair';
export { DynastoreError } from './errors';
export type { ErrorCode } from './errors';
export { operationName } from './hooks';
export type { CommandName, Hooks, OperationName, RequestContext, RequestParams } from './hooks';
export {
  readConsistentDisable,
  readScanIndexForwardDisable,
  readWithGlobalIndex,
  readWithLimit,
  readWithLocalIndex,
  readWithStartKey,
  writeWithAttributeValue,
  writeWithBytes,
  writeWithFields,
  writeWithNoExpires,
  writeWithPreviousKV,
  writeWithString,
  writeWithTTL,
} from './options';
export type {
  CommonOptions,
  DeleteOptions,
  FieldValue,
  GlobalIndex,
  IndexOption,
  LocalIndex,
  PreviousKV,
  ReadOptions,
  WriteOptions,
} from './options';
export { marshalStruct, unmarshalStruct } from './marshal';
export { Lock } from './lock';
export type { LockOptions } from './lock';

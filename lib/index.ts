/**
 * dynastore: a small, exact key/value library over Amazon DynamoDB, ported
 * from Go dynastore v1, on aws-sdk v2 (the default) or aws-sdk v3.
 * `Session → Table → Partition`; put, get, exists, delete, compare-and-swap,
 * "newer version wins" writes, batch writes, prefix listing with paging
 * tokens, directory listing and subtree delete, secondary indexes, TTL,
 * tables laid out with other attribute names, and request hooks.
 *
 * Not exported on purpose: the internal DynamoDB client interface and the
 * adapters for each SDK, the expression builder and the token codec; their
 * behaviour reaches users only through the operations. No SDK's types appear
 * here but aws-sdk v2's DynamoDB client and its configuration, the default.
 *
 * @packageDocumentation
 */

export { Session } from './session';
export type { DynamoDBClientLike, SessionOptions } from './session';
export type { AttributeMap, AttributeValue } from './attribute';
export type {
  BatchGetItemInput,
  BatchWriteItemInput,
  ConsumedCapacity,
  DeleteItemInput,
  GetItemInput,
  PutItemInput,
  QueryInput,
  UpdateItemInput,
  WriteRequest,
} from './client';
export { Table } from './table';
export type { TableAttributes, TableOptions } from './layout';
export type { PutIfNewerResult } from './write';
export type { BatchWriteOptions, PutManyItem } from './batch-write';
export type { DeleteTreeOptions, TreeEntry } from './tree';
export { Partition } from './partition';
export { KVPair } from './kvpair';
export type { KVPairInit, KVPairPage } from './kvpair';
export { DynastoreError } from './errors';
export type { ErrorCode } from './errors';
export { operationName } from './hooks';
export type {
  CommandName,
  Hooks,
  OperationContext,
  OperationName,
  OperationOutcome,
  RequestContext,
  RequestOutcome,
  RequestParams,
} from './hooks';
export {
  readConsistentDisable,
  readScanIndexForwardDisable,
  readWithDelimiter,
  readWithGlobalIndex,
  readWithLimit,
  readWithLocalIndex,
  readWithStartKey,
  writeWithAttributeValue,
  writeWithBytes,
  writeWithFields,
  writeWithKeepTTL,
  writeWithNoExpires,
  writeWithPreviousKV,
  writeWithString,
  writeWithTTL,
} from './options';
export type {
  CommonOptions,
  DeleteOptions,
  FieldValue,
  GetOptions,
  GlobalIndex,
  IndexOption,
  LocalIndex,
  PreviousKV,
  PutIfNewerOptions,
  PutOptions,
  ReadOptions,
  WriteOptions,
} from './options';
export { marshalStruct, unmarshalStruct } from './marshal';
export { Lock } from './lock';
export type { LockOptions } from './lock';

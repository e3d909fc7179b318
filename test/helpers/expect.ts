import { expect } from 'chai';
import { DynastoreError } from '../../lib';

/** The DynastoreError a promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<DynastoreError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(DynastoreError);
    return err as DynastoreError;
  }
  expect.fail('expected the operation to fail with a DynastoreError');
}

/** The code a promise fails with, or 'no error'. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(DynastoreError);
    return (err as DynastoreError).code;
  }
  return 'no error';
}

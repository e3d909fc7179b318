// Paging tokens against a real server: what a signed token is bound to, what
// an unsigned one (Go's format) can and cannot be checked for, and keys no
// server should be asked about.
import { expect } from 'chai';
import {
  readScanIndexForwardDisable,
  readWithLimit,
  readWithStartKey,
  type Partition,
  type SessionOptions,
} from '../../lib';
import { encodeToken } from '../../lib/token';
import { codeOf } from '../helpers/expect';
import { forEachTarget } from '../helpers/sdk';
import { createTable, rawClient } from '../helpers/server';

const SECRET = 'a secret of at least 16 bytes';

forEachTarget('paging tokens', (target) => {
  let requests = 0;
  let signed: Partition;
  let unsigned: Partition;

  before(async () => {
    const endpoint = await target.server.endpoint();
    const tableName = await createTable(rawClient(endpoint), 'tokens');
    const hooks: SessionOptions<object>['hooks'] = {
      requestBuilt: () => {
        requests++;
      },
    };
    signed = target.session(endpoint, { hooks, tokenSecret: SECRET }).table(tableName).partition('p');
    unsigned = target.session(endpoint, { hooks }).table(tableName).partition('p');
    for (const key of ['a/1', 'a/2', 'a/3', 'a/4', 'a/b/1', 'a/b/2', 'a/b/3', 'a/c']) await unsigned.put(key);
  });

  const keysOf = (page: { keys: Array<{ key: string }> }): string[] => page.keys.map((k) => k.key);

  describe('signed (a session with tokenSecret)', () => {
    it('resumes in the direction it was issued for', async () => {
      const up = await signed.listPage('a/', readWithLimit(2));
      expect(keysOf(up)).to.deep.equal(['a/1', 'a/2']);
      expect(
        keysOf(await signed.listPage('a/', readWithLimit(2), readWithStartKey(up.lastKey as string))),
      ).to.deep.equal(['a/3', 'a/4']);
      const down = await signed.listPage('a/', readWithLimit(2), readScanIndexForwardDisable());
      expect(keysOf(down)).to.deep.equal(['a/c', 'a/b/3']);
      const next = await signed.listPage(
        'a/',
        readWithLimit(2),
        readScanIndexForwardDisable(),
        readWithStartKey(down.lastKey as string),
      );
      expect(keysOf(next)).to.deep.equal(['a/b/2', 'a/b/1']);
    });

    it('is INVALID_TOKEN in the other direction, with no request sent', async () => {
      const up = await signed.listPage('a/', readWithLimit(2));
      const down = await signed.listPage('a/', readWithLimit(2), readScanIndexForwardDisable());
      requests = 0;
      expect(
        await codeOf(signed.listPage('a/', readScanIndexForwardDisable(), readWithStartKey(up.lastKey as string))),
      ).to.equal('INVALID_TOKEN');
      expect(await codeOf(signed.listPage('a/', readWithStartKey(down.lastKey as string)))).to.equal('INVALID_TOKEN');
      expect(() =>
        signed.iterate('a/', readScanIndexForwardDisable(), readWithStartKey(up.lastKey as string)),
      ).to.throw('signature does not match');
      expect(requests).to.equal(0);
    });

    it('is INVALID_TOKEN for a shorter prefix, though its key is under it', async () => {
      const { lastKey } = await signed.listPage('a/b/', readWithLimit(1));
      requests = 0;
      expect(await codeOf(signed.listPage('a/', readWithStartKey(lastKey as string)))).to.equal('INVALID_TOKEN');
      expect(requests).to.equal(0);
    });
  });

  describe('unsigned (Go v1 format): only a key, checked as one', () => {
    it('used in the other direction, resumes from its key that way, returning again what was returned', async () => {
      const up = await unsigned.listPage('a/', readWithLimit(2));
      expect(keysOf(up)).to.deep.equal(['a/1', 'a/2']);
      const back = await unsigned.listPage('a/', readScanIndexForwardDisable(), readWithStartKey(up.lastKey as string));
      expect(keysOf(back)).to.deep.equal(['a/1']);
    });

    it('from a listing of a/b/, resumes a listing of a/ after its key', async () => {
      const { lastKey } = await unsigned.listPage('a/b/', readWithLimit(1));
      expect(keysOf(await unsigned.listPage('a/', readWithStartKey(lastKey as string)))).to.deep.equal([
        'a/b/2',
        'a/b/3',
        'a/c',
      ]);
    });

    it('is INVALID_TOKEN when its key holds a lone surrogate, with no request sent', async () => {
      // Before, the answer depended on the server: each turns the surrogate into something else.
      const scope = {
        table: '',
        index: '',
        partitionAttribute: 'id',
        partition: 'p',
        sortAttribute: 'name',
        prefix: '',
        keyAttributes: new Map([
          ['id', 2048],
          ['name', 1024],
        ]),
      };
      requests = 0;
      for (const name of ['a/\ud800', 'a/b/\udc00', '\ud83d']) {
        const token = encodeToken({ id: { S: 'p' }, name: { S: name } }, scope);
        expect(await codeOf(unsigned.listPage('a/', readWithStartKey(token)))).to.equal('INVALID_TOKEN');
        expect(await codeOf(unsigned.listPage('', readWithStartKey(token)))).to.equal('INVALID_TOKEN');
      }
      expect(requests).to.equal(0);
    });
  });
});

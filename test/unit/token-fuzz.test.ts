// 10,000 hostile tokens: random and mutated, gzip bombs, JSON of the wrong
// shape, tokens of other scopes, tampered signed tokens. Only INVALID_TOKEN
// may come out; a mutation that still decodes must still be a key of the
// scope it was used for. (How long each takes: npm run fuzz:tokens.)
import { expect } from 'chai';
import { randomInt } from 'node:crypto';
import { DynastoreError } from '../../lib';
import { decodeToken, encodeToken, type TokenScope } from '../../lib/token';
import { record } from '../helpers/report';
import { CORPUS_SIZE, hostileTokens } from '../helpers/token-corpus';

function inScope(key: Record<string, { S?: string }>, scope: TokenScope): boolean {
  const attrs = Object.keys(key);
  return (
    attrs.length === scope.keyAttributes.size &&
    attrs.every((a) => scope.keyAttributes.has(a)) &&
    key[scope.partitionAttribute]?.S === scope.partition &&
    (key[scope.sortAttribute]?.S ?? '').startsWith(scope.prefix)
  );
}

describe('paging token fuzz', () => {
  it(`refuses ${CORPUS_SIZE.toLocaleString('en')} hostile tokens with INVALID_TOKEN and nothing else`, function () {
    this.timeout(120_000);
    const corpus = hostileTokens();
    expect(corpus).to.have.length(CORPUS_SIZE);
    const byKind = new Map<string, { refused: number; stillValid: number }>();
    for (const { kind, token, scope, secret } of corpus) {
      const tally = byKind.get(kind) ?? { refused: 0, stillValid: 0 };
      byKind.set(kind, tally);
      try {
        const key = decodeToken(token, scope, secret);
        // A flip inside a key's characters can leave a valid key: it must still be one of this scope.
        expect(inScope(key, scope), `${kind}: ${token}`).to.equal(true);
        tally.stillValid++;
      } catch (err) {
        if (!DynastoreError.is(err, 'INVALID_TOKEN'))
          throw new Error(`${kind} gave ${String(err)} for ${token}`, { cause: err });
        tally.refused++;
      }
    }
    const refused = [...byKind.values()].reduce((n, t) => n + t.refused, 0);
    // Only mutations of valid tokens may survive; every other kind is refused whole.
    for (const [kind, tally] of byKind) {
      if (!kind.startsWith('bit-flipped') && !kind.startsWith('truncated')) expect(tally.stillValid, kind).to.equal(0);
    }
    expect(refused).to.be.greaterThan(CORPUS_SIZE * 0.95);
    record(
      this,
      'fuzz-tokens',
      'hostile paging tokens tried / refused with INVALID_TOKEN / other errors',
      `${CORPUS_SIZE} / ${refused} / 0`,
    );
  });
});

describe('paging token fuzz: keys and directions', () => {
  const scope = (prefix: string, scanIndexForward: boolean): TokenScope => ({
    table: 'agents',
    index: '',
    scanIndexForward,
    partitionAttribute: 'id',
    partition: 'p',
    sortAttribute: 'name',
    prefix,
    keyAttributes: new Map([
      ['id', 2048],
      ['name', 1024],
    ]),
  });
  const secret = Buffer.from('a secret of at least 16 bytes');
  // Letters, a pair, and each kind of lone surrogate.
  const pieces = ['a', '/', 'é', '😀', '\ud800', '\udbff', '\udc00', '\udfff'];

  it('refuses every key with a lone surrogate and every token used the other way, signed or not', () => {
    let lone = 0;
    for (let i = 0; i < 2000; i++) {
      const name = Array.from({ length: 1 + randomInt(12) }, () => pieces[randomInt(pieces.length)]).join('');
      const forward = i % 2 === 0;
      const key = { id: { S: 'p' }, name: { S: name } };
      for (const secretUsed of [undefined, secret]) {
        const token = encodeToken(key, scope('', forward), secretUsed);
        if (!name.isWellFormed()) {
          lone++;
          expect(() => decodeToken(token, scope('', forward), secretUsed), name)
            .to.throw(DynastoreError)
            .with.property('code', 'INVALID_TOKEN');
          continue;
        }
        expect(decodeToken(token, scope('', forward), secretUsed)).to.deep.equal(key);
        const otherWay = (): unknown => decodeToken(token, scope('', !forward), secretUsed);
        if (secretUsed === undefined) expect(otherWay()).to.deep.equal(key);
        else expect(otherWay).to.throw(DynastoreError).with.property('code', 'INVALID_TOKEN');
      }
    }
    expect(lone).to.be.greaterThan(1000);
  });
});

// 10,000 hostile tokens: random and mutated, gzip bombs, JSON of the wrong
// shape, tokens of other scopes, tampered signed tokens. Only INVALID_TOKEN
// may come out; a mutation that still decodes must still be a key of the
// scope it was used for. (How long each takes: npm run fuzz:tokens.)
import { expect } from 'chai';
import { DynastoreError } from '../../lib';
import { decodeToken, type TokenScope } from '../../lib/token';
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

import { expect } from 'chai';
import { DynastoreError } from '../../lib';
import { MAX_MESSAGE_CHARS } from '../../lib/errors';

/** A Proxy whose every trap throws `thrown`. */
function throwingProxy(thrown: unknown): object {
  const trap = (): never => {
    throw thrown;
  };
  return new Proxy(
    {},
    {
      get: trap,
      has: trap,
      ownKeys: trap,
      getOwnPropertyDescriptor: trap,
      getPrototypeOf: trap,
    },
  );
}

describe('DynastoreError', () => {
  describe('the constructor never throws, whatever JavaScript gives it', () => {
    const hostileOptions: Array<[string, unknown]> = [
      ['null', null],
      ['a bigint', 0n],
      ['a string', 'options'],
      ['a Proxy whose traps throw', throwingProxy(new Error('trap'))],
      [
        'a getter that throws',
        Object.defineProperty({}, 'cause', {
          enumerable: true,
          get() {
            throw new Error('getter');
          },
        }),
      ],
    ];
    for (const [what, options] of hostileOptions) {
      it(`options that are ${what}`, () => {
        const err = new DynastoreError('KEY_EXISTS', 'm', options as never);
        expect(err).to.be.instanceOf(DynastoreError).and.include({ code: 'KEY_EXISTS', message: 'm' });
        expect(Object.hasOwn(err, 'value') && err.value !== undefined).to.equal(false);
      });
    }

    const hostileMessages: Array<[string, unknown, string]> = [
      ['null', null, 'null'],
      ['an array holding a null-prototype object', [Object.create(null)], 'cannot be converted'],
      [
        'an object whose toString throws',
        {
          toString() {
            throw new Error('toString');
          },
        },
        'cannot be converted',
      ],
      ['a Proxy whose traps throw', throwingProxy(new Error('trap')), 'cannot be converted'],
      ['a symbol', Symbol('s'), 'Symbol(s)'],
    ];
    for (const [what, message, shown] of hostileMessages) {
      it(`a message that is ${what}`, () => {
        const err = new DynastoreError('INVALID_ARGUMENT', message as never);
        expect(err.message).to.be.a('string').and.contain(shown);
      });
    }

    it('no message is an empty one, as Error has it', () => {
      expect(new DynastoreError('INVALID_ARGUMENT', undefined as never).message).to.equal('');
    });

    it('a message whose conversion is long is still cut', () => {
      const err = new DynastoreError('INVALID_ARGUMENT', ['x'.repeat(5000)] as never);
      expect(err.message.length).to.be.at.most(MAX_MESSAGE_CHARS);
    });
  });

  it('reads only own options: a polluted Object.prototype gives it no value, cause or awsCode', () => {
    const proto = Object.prototype as Record<string, unknown>;
    const made = (): DynastoreError => {
      proto.value = 'planted';
      proto.cause = 'planted';
      proto.awsCode = 'planted';
      try {
        return new DynastoreError('KEY_NOT_FOUND', 'm');
      } finally {
        delete proto.value;
        delete proto.cause;
        delete proto.awsCode;
      }
    };
    const err = made();
    expect(Object.hasOwn(err, 'value') ? err.value : undefined).to.equal(undefined);
    expect(Object.hasOwn(err, 'cause')).to.equal(false);
    expect(Object.hasOwn(err, 'awsCode') ? err.awsCode : undefined).to.equal(undefined);
  });

  it('keeps the own value, cause and awsCode it is given', () => {
    const cause = new Error('under');
    const err = new DynastoreError('REQUEST_FAILED', 'm', { cause, value: 0, awsCode: 'ThrottlingException' });
    expect(err).to.include({ cause, value: 0, awsCode: 'ThrottlingException' });
  });

  describe('is', () => {
    it('is false, not a throw, for a Proxy whose traps throw', () => {
      expect(DynastoreError.is(throwingProxy(new Error('trap')))).to.equal(false);
      expect(DynastoreError.is(throwingProxy(new Error('trap')), 'KEY_EXISTS')).to.equal(false);
    });

    it('is true for a DynastoreError, and checks the code when given', () => {
      const err = new DynastoreError('KEY_EXISTS', 'm');
      expect(DynastoreError.is(err)).to.equal(true);
      expect(DynastoreError.is(err, 'KEY_EXISTS')).to.equal(true);
      expect(DynastoreError.is(err, 'KEY_MODIFIED')).to.equal(false);
      expect(DynastoreError.is(new Error('m'))).to.equal(false);
    });
  });
});

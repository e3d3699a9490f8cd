import { databaseUnavailable } from './databaseUnavailable';

describe('databaseUnavailable', () => {
  it('makes a database that cannot be reached a 503', () => {
    for (const error of [
      Object.assign(
        new Error('terminating connection due to administrator command'),
        { code: '57P01' },
      ),
      Object.assign(new Error('the database system is starting up'), {
        code: '57P03',
      }),
      new Error('Connection terminated unexpectedly'),
      new Error('connect ECONNREFUSED 127.0.0.1:5432'),
      new Error(
        'Knex: Timeout acquiring a connection. The pool is probably full.',
      ),
    ])
      expect(databaseUnavailable(error)).toMatchObject({
        name: 'ServiceUnavailableError',
        cause: error,
      });
  });

  it('leaves every other error as it is', () => {
    const conflict = Object.assign(new Error('duplicate key'), {
      code: '23505',
    });
    expect(databaseUnavailable(conflict)).toBe(conflict);
    const input = new Error('name: is required');
    expect(databaseUnavailable(input)).toBe(input);
    // A client error that merely mentions such words stays a client error.
    const echoed = Object.assign(
      new Error('unknown query parameter connect ECONNREFUSED'),
      { name: 'InputError' },
    );
    expect(databaseUnavailable(echoed)).toBe(echoed);
  });
});

import { stepErrorOf } from './aws';

const awsError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode: status },
  });

describe('AWS failures as step failures', () => {
  it.each([
    [
      'InvalidParameterException',
      'Role with arn: arn:aws:iam::1:role/x, could not be assumed because it does not exist or the trusted entity is not correct',
      400,
    ],
    [
      'InvalidParameterException',
      "The provided role doesn't have the Amazon EKS Managed Policies associated with it.",
      400,
    ],
    ['ThrottlingException', 'Rate exceeded', 400],
    ['ServiceUnavailableException', 'try later', 503],
    ['InternalError', 'oops', 500],
  ])('retries %s: %s', (name, message, status) => {
    const e = stepErrorOf(
      awsError(name, message, status),
      'create EKS cluster x',
    );
    expect(e).toMatchObject({ retryable: true, code: name });
    expect(e.message).toBe(
      `could not create EKS cluster x: ${name}: ${message}`,
    );
  });

  it('retries when AWS cannot be reached', () => {
    const e = stepErrorOf(
      Object.assign(new Error('connect ECONNREFUSED'), {
        code: 'ECONNREFUSED',
      }),
      'x',
    );
    expect(e).toMatchObject({
      retryable: true,
      hint: expect.stringContaining('could not be reached'),
    });
  });

  it('stops on a denial, saying what to grant', () => {
    const e = stepErrorOf(
      awsError(
        'AccessDeniedException',
        'not authorized to perform eks:CreateCluster',
        403,
      ),
      'create EKS cluster x',
    );
    expect(e).toMatchObject({
      retryable: false,
      code: 'AccessDeniedException',
      hint: expect.stringContaining('lacks this permission'),
    });
  });

  it('stops on a bad parameter that is not propagation', () => {
    const e = stepErrorOf(
      awsError(
        'InvalidParameterException',
        'Subnets specified must be in at least two different AZs',
      ),
      'x',
    );
    expect(e).toMatchObject({
      retryable: false,
      hint: 'fix the cause at AWS or in the request, then retry',
    });
  });
});

import { describe, expect, it } from 'vitest';
import { CloudError, classifyCloudError, grpcClass, parseRetryAfter, tenantSafeMessage } from './errors';

const awsErr = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} message`), {
    name,
    $metadata: { httpStatusCode: status, requestId: 'req-1' },
    ...extra,
  });

describe('classifyCloudError (AWS)', () => {
  it.each([
    ['ThrottlingException', 429, 'throttled'],
    ['Throttling', 400, 'throttled'],
    ['RequestLimitExceeded', 503, 'throttled'],
    ['ResourceLimitExceededException', 400, 'quota'],
    ['InvalidParameterException', 400, 'rejected'],
    ['ResourceNotFoundException', 404, 'not_found'],
    ['InvalidSubnetID.NotFound', 400, 'not_found'],
    ['ResourceInUseException', 409, 'conflict'],
    ['UnrecognizedClientException', 403, 'auth'],
    ['InvalidClientTokenId', 403, 'auth'],
    ['ServerException', 500, 'transient'],
  ])('%s (%i) is %s', (name, status, cls) => {
    const e = classifyCloudError('aws', 'Op', awsErr(name, status));
    expect(e).toBeInstanceOf(CloudError);
    expect(e).toMatchObject({
      class: cls,
      cloud: 'aws',
      operation: 'Op',
      cloudCode: name,
      requestId: 'req-1',
    });
  });

  it('reads Retry-After from the raw response', () => {
    const e = classifyCloudError(
      'aws',
      'ListClusters',
      awsErr('ThrottlingException', 429, { $response: { headers: { 'retry-after': '3' } } }),
    );
    expect(e.retryAfterMs).toBe(3000);
  });
});

describe('classifyCloudError (Azure)', () => {
  const rest = (statusCode: number, code: string, headers: Record<string, string> = {}) =>
    Object.assign(new Error(code), {
      name: 'RestError',
      statusCode,
      code,
      response: {
        headers: { get: (n: string) => headers[n] },
        parsedBody: { error: { code, target: 'agentPoolProfiles' } },
      },
    });
  it.each([
    [429, 'TooManyRequests', 'throttled'],
    [409, 'OperationNotAllowed', 'transient'],
    [409, 'Conflict', 'transient'],
    [400, 'QuotaExceeded', 'quota'],
    [400, 'InvalidParameter', 'rejected'],
    [404, 'ResourceNotFound', 'not_found'],
    [401, 'InvalidAuthenticationToken', 'auth'],
    [500, 'InternalError', 'transient'],
  ])('%i %s is %s', (status, code, cls) => {
    const e = classifyCloudError(
      'azure',
      'Op',
      rest(status, code, { 'x-ms-request-id': 'r1', 'retry-after': '2' }),
    );
    expect(e).toMatchObject({
      class: cls,
      cloudCode: code,
      requestId: 'r1',
      retryAfterMs: 2000,
      field: 'agentPoolProfiles',
    });
  });
  it('classes identity failures as auth', () => {
    const e = Object.assign(new Error('AADSTS7000215: Invalid client secret'), {
      name: 'AuthenticationError',
    });
    expect(classifyCloudError('azure', 'getToken', e).class).toBe('auth');
  });
});

describe('classifyCloudError (GCP)', () => {
  it.each([
    [8, "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute'", 'throttled'],
    [8, 'Insufficient regional quota to satisfy request: CPUS', 'quota'],
    [9, 'Cluster is running incompatible operation operation-1', 'transient'],
    [9, 'Node pool version too new', 'rejected'],
    [3, 'bad machine type', 'rejected'],
    [5, 'Not found', 'not_found'],
    [6, 'Already exists', 'conflict'],
    [16, 'unauthenticated', 'auth'],
    [14, 'unavailable', 'transient'],
  ])('gRPC %i (%s) is %s', (code, message, cls) => {
    expect(grpcClass(code, message)).toBe(cls);
    const e = classifyCloudError('gcp', 'Op', Object.assign(new Error(message), { code }));
    expect(e.class).toBe(cls);
  });
  it('maps a GaxiosError HTTP status', () => {
    const e = Object.assign(new Error('{"error":{}}'), { status: 404 });
    expect(classifyCloudError('gcp', 'Op', e)).toMatchObject({ class: 'not_found', cloudCode: 'NOT_FOUND' });
  });
});

describe('classifyCloudError (any cloud)', () => {
  it('classes network failures as transient and keeps CloudErrors', () => {
    const net = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(classifyCloudError('aws', 'Op', net)).toMatchObject({
      class: 'transient',
      cloudCode: 'ECONNREFUSED',
    });
    const ce = new CloudError({ cloud: 'gcp', operation: 'x', class: 'quota', message: 'm' });
    expect(classifyCloudError('aws', 'y', ce)).toBe(ce);
  });
  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter('1.5')).toBe(1500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('tenantSafeMessage: a page a tenant-set host served is never relayed', () => {
  it('replaces HTML and other documents with a note of the status', () => {
    const m = tenantSafeMessage(
      '<html><body>Internal admin console secret-token-123</body></html>',
      'sts.GetCallerIdentity',
      500,
    );
    expect(m).not.toMatch(/secret-token|admin console|<html/);
    expect(m).toMatch(/sts\.GetCallerIdentity.*HTTP 500.*not shown/);
  });

  it("keeps a cloud error document's own message and nothing else of it", () => {
    const doc = JSON.stringify({
      error: { code: 'AuthorizationFailed', message: 'no access to rg' },
      extra: 'metadata-token',
    });
    expect(tenantSafeMessage(doc, 'op')).toBe('no access to rg');
    expect(tenantSafeMessage(JSON.stringify({ error_description: 'invalid_grant' }), 'op')).toBe(
      'invalid_grant',
    );
    expect(tenantSafeMessage(JSON.stringify({ Token: 'AQoDYXdz', Code: 'Success' }), 'op', 200)).toMatch(
      /not shown/,
    );
  });

  it('cuts long text and multi-line dumps', () => {
    expect(tenantSafeMessage('x'.repeat(2000), 'op').length).toBeLessThanOrEqual(401);
    expect(tenantSafeMessage('a\nb\nc\nd\ne\nf\ng', 'op')).toMatch(/not shown/);
    expect(tenantSafeMessage('The security token included in the request is invalid.', 'op')).toBe(
      'The security token included in the request is invalid.',
    );
  });

  it('is what classifyCloudError puts in front of the tenant', () => {
    const e = Object.assign(new Error('<!DOCTYPE html><title>Jenkins</title>'), {
      $metadata: { httpStatusCode: 502 },
    });
    const c = classifyCloudError('aws', 'eks.ListClusters', e);
    expect(c.message).not.toMatch(/Jenkins/);
  });

  it('classifies an egress refusal as rejected at the endpoint field', () => {
    const e = Object.assign(new Error('refused to connect to x: it is an internal address (127.0.0.1)'), {
      code: 'EDOLLY_EGRESS',
    });
    const c = classifyCloudError('gcp', 'clusters.list', e);
    expect(c.class).toBe('rejected');
    expect(c.field).toBe('endpoint');
    expect(c.message).toMatch(/internal address/);
  });
});

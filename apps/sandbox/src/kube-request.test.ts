import { describe, expect, it } from 'vitest';
import { kubeFaultOperations, kubeRequestInfo } from './kube-request.ts';

describe('kubeRequestInfo', () => {
  it('classifies verbs and resources', () => {
    const q = new URLSearchParams();
    expect(kubeRequestInfo('GET', '/api/v1/namespaces/a/pods', q)).toEqual({
      verb: 'list',
      resource: 'pods',
    });
    expect(kubeRequestInfo('GET', '/api/v1/namespaces/a/pods/p/log', q)).toEqual({
      verb: 'get',
      resource: 'pods/log',
    });
    expect(kubeRequestInfo('GET', '/apis/apps/v1/deployments', new URLSearchParams('watch=true'))).toEqual({
      verb: 'watch',
      resource: 'deployments',
    });
    expect(kubeRequestInfo('POST', '/apis/apps/v1/namespaces/a/deployments', q)).toEqual({
      verb: 'create',
      resource: 'deployments',
    });
    expect(kubeRequestInfo('DELETE', '/api/v1/nodes/n1', q)).toEqual({ verb: 'delete', resource: 'nodes' });
    expect(kubeRequestInfo('GET', '/version', q)).toEqual({ verb: 'get', resource: '' });
    expect(kubeFaultOperations({ verb: 'list', resource: 'pods' })).toEqual(['list pods', 'list', 'pods']);
  });
});

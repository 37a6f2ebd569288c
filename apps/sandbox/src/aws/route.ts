/** EKS restJson1 routing: method + path → operation name and path labels. */

export interface EksRoute {
  op: string;
  cluster?: string;
  nodegroup?: string;
  addon?: string;
  updateId?: string;
  resourceArn?: string;
}

function decode(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

/** `path` is the raw (still percent-encoded) path below the service base path. */
export function routeEks(method: string, path: string): EksRoute | undefined {
  const s = path
    .split('/')
    .filter((x) => x.length > 0)
    .map(decode);
  const m = method.toUpperCase();
  const [a, b, c, d, e] = s;
  if (a === 'clusters') {
    if (s.length === 1)
      return m === 'POST' ? { op: 'CreateCluster' } : m === 'GET' ? { op: 'ListClusters' } : undefined;
    if (s.length === 2) {
      if (m === 'GET') return { op: 'DescribeCluster', cluster: b };
      if (m === 'DELETE') return { op: 'DeleteCluster', cluster: b };
      return undefined;
    }
    if (c === 'updates') {
      if (s.length === 3) {
        return m === 'POST'
          ? { op: 'UpdateClusterVersion', cluster: b }
          : m === 'GET'
            ? { op: 'ListUpdates', cluster: b }
            : undefined;
      }
      if (s.length === 4 && m === 'GET') return { op: 'DescribeUpdate', cluster: b, updateId: d };
      return undefined;
    }
    if (c === 'update-config' && s.length === 3 && m === 'POST')
      return { op: 'UpdateClusterConfig', cluster: b };
    if (c === 'node-groups') {
      if (s.length === 3) {
        return m === 'POST'
          ? { op: 'CreateNodegroup', cluster: b }
          : m === 'GET'
            ? { op: 'ListNodegroups', cluster: b }
            : undefined;
      }
      if (s.length === 4) {
        if (m === 'GET') return { op: 'DescribeNodegroup', cluster: b, nodegroup: d };
        if (m === 'DELETE') return { op: 'DeleteNodegroup', cluster: b, nodegroup: d };
        return undefined;
      }
      if (s.length === 5 && m === 'POST' && e === 'update-config') {
        return { op: 'UpdateNodegroupConfig', cluster: b, nodegroup: d };
      }
      if (s.length === 5 && m === 'POST' && e === 'update-version') {
        return { op: 'UpdateNodegroupVersion', cluster: b, nodegroup: d };
      }
      return undefined;
    }
    if (c === 'addons') {
      if (s.length === 3) {
        return m === 'POST'
          ? { op: 'CreateAddon', cluster: b }
          : m === 'GET'
            ? { op: 'ListAddons', cluster: b }
            : undefined;
      }
      if (s.length === 4) {
        if (m === 'GET') return { op: 'DescribeAddon', cluster: b, addon: d };
        if (m === 'DELETE') return { op: 'DeleteAddon', cluster: b, addon: d };
        return undefined;
      }
      if (s.length === 5 && m === 'POST' && e === 'update')
        return { op: 'UpdateAddon', cluster: b, addon: d };
      return undefined;
    }
    return undefined;
  }
  if (a === 'addons' && b === 'supported-versions' && s.length === 2 && m === 'GET')
    return { op: 'DescribeAddonVersions' };
  if (a === 'cluster-versions' && s.length === 1 && m === 'GET') return { op: 'DescribeClusterVersions' };
  if (a === 'tags' && s.length === 2) {
    if (m === 'POST') return { op: 'TagResource', resourceArn: b };
    if (m === 'GET') return { op: 'ListTagsForResource', resourceArn: b };
    if (m === 'DELETE') return { op: 'UntagResource', resourceArn: b };
  }
  return undefined;
}

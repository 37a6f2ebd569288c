/** Classify a Kubernetes API request (verb + resource) for fault rules with cloud 'kube'. */

export interface KubeRequestInfo {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'other';
  /** plural resource, with '/subresource' when there is one (pods/log); '' for discovery */
  resource: string;
}

export function kubeRequestInfo(method: string, subPath: string, query: URLSearchParams): KubeRequestInfo {
  const segs = subPath.split('/').filter((s) => s.length > 0);
  let rest: string[];
  if (segs[0] === 'api') rest = segs.slice(2);
  else if (segs[0] === 'apis') rest = segs.slice(3);
  else return { verb: method === 'GET' ? 'get' : 'other', resource: '' };
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  const [resource = '', name, sub] = rest;
  const full = sub ? `${resource}/${sub}` : resource;
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  switch (method.toUpperCase()) {
    case 'GET':
      return { verb: watch ? 'watch' : name ? 'get' : 'list', resource: full };
    case 'POST':
      return { verb: 'create', resource: full };
    case 'PUT':
      return { verb: 'update', resource: full };
    case 'PATCH':
      return { verb: 'patch', resource: full };
    case 'DELETE':
      return { verb: name ? 'delete' : 'deletecollection', resource: full };
    default:
      return { verb: 'other', resource: full };
  }
}

/** Operation names a kube fault rule can use, most specific first: 'list pods', 'list', 'pods'. */
export function kubeFaultOperations(info: KubeRequestInfo): string[] {
  return info.resource ? [`${info.verb} ${info.resource}`, info.verb, info.resource] : [info.verb];
}

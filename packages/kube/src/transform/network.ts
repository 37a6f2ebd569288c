/**
 * Cloud-specific Service and Ingress metadata: the source cloud's load balancer annotations,
 * classes and finalizers are dropped, and the portable intent (internal or public, source ranges)
 * is written the way the target cloud's controllers read it.
 */
import { asArray, asObject, asString, type ClusterCloud, type KubeObject } from '../types.ts';
import { CLOUD_FINALIZERS, INGRESS_CLASSES, isCloudKey, LB_CLEANUP_FINALIZER } from './cloud.ts';
import { Edit, type TransformContext, type TransformRule } from './rule.ts';

export interface LoadBalancerIntent {
  internal: boolean;
}

/** Whether a Service (or Ingress) asks for an internal load balancer, read the source cloud's way. */
export function loadBalancerIntent(obj: KubeObject): LoadBalancerIntent {
  const a = obj.metadata.annotations ?? {};
  const internal =
    a['service.beta.kubernetes.io/aws-load-balancer-scheme'] === 'internal' ||
    // legacy in-tree AWS annotation: any value but "false" meant internal
    (a['service.beta.kubernetes.io/aws-load-balancer-internal'] !== undefined &&
      a['service.beta.kubernetes.io/aws-load-balancer-internal'] !== 'false') ||
    a['alb.ingress.kubernetes.io/scheme'] === 'internal' ||
    a['service.beta.kubernetes.io/azure-load-balancer-internal'] === 'true' ||
    a['networking.gke.io/load-balancer-type'] === 'Internal' ||
    a['cloud.google.com/load-balancer-type'] === 'Internal' ||
    a['kubernetes.io/ingress.class'] === 'gce-internal' ||
    asString(asObject(obj.spec).ingressClassName) === 'gce-internal';
  return { internal };
}

/**
 * The annotations the target cloud's controller needs for that intent. AWS: the AWS Load Balancer
 * Controller's NLB in IP mode (kubernetes-sigs.github.io/aws-load-balancer-controller, "Network
 * Load Balancer"); Azure: the cloud provider's internal switch (cloud-provider-azure, "Azure LoadBalancer");
 * GKE: the internal passthrough NLB type (cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters).
 */
export function serviceAnnotationsFor(
  cloud: ClusterCloud,
  intent: LoadBalancerIntent,
): Record<string, string> {
  switch (cloud) {
    // an imported cluster's load balancer controller (MetalLB, kube-vip, a vendor's) is unknown
    case 'kubernetes':
      return {};
    case 'aws':
      return {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
        'service.beta.kubernetes.io/aws-load-balancer-scheme': intent.internal
          ? 'internal'
          : 'internet-facing',
      };
    case 'azure':
      return intent.internal ? { 'service.beta.kubernetes.io/azure-load-balancer-internal': 'true' } : {};
    case 'gcp':
      return intent.internal ? { 'networking.gke.io/load-balancer-type': 'Internal' } : {};
  }
}

function dropCloudMetadata(e: Edit, obj: KubeObject, source: ClusterCloud) {
  for (const key of Object.keys(obj.metadata.annotations ?? {}))
    if (isCloudKey(source, key)) e.remove(['metadata', 'annotations', key], `${source} controller setting`);
  const finalizers = obj.metadata.finalizers ?? [];
  const keep = finalizers.filter(
    (f) => f !== LB_CLEANUP_FINALIZER && !CLOUD_FINALIZERS[source].some((re) => re.test(f)),
  );
  if (keep.length !== finalizers.length) {
    if (keep.length) e.set(['metadata', 'finalizers'], keep, 'load balancer finalizers of the source');
    else e.remove(['metadata', 'finalizers'], 'load balancer finalizers of the source');
  }
}

export const rewriteServiceLoadBalancer: TransformRule = (obj, ctx) => {
  if (obj.kind !== 'Service') return { object: obj, changes: [], warnings: [] };
  const e = new Edit('rewriteServiceLoadBalancer', obj);
  const spec = asObject(obj.spec);
  const isLb = spec.type === 'LoadBalancer';
  // Inside one cloud the same controllers read the same annotations: keep them, drop only what the
  // source cluster's controllers wrote on the object (finalizers).
  if (ctx.source.cloud === ctx.target.cloud) {
    const finalizers = obj.metadata.finalizers ?? [];
    if (finalizers.includes(LB_CLEANUP_FINALIZER)) {
      const keep = finalizers.filter((f) => f !== LB_CLEANUP_FINALIZER);
      if (keep.length) e.set(['metadata', 'finalizers'], keep);
      else e.remove(['metadata', 'finalizers'], 'set by the source service controller');
    }
    return e.result();
  }
  const intent = loadBalancerIntent(obj);
  dropCloudMetadata(e, obj, ctx.source.cloud);
  const lbClass = asString(spec.loadBalancerClass);
  if (lbClass && isCloudKey(ctx.source.cloud, lbClass.replace(/\/.*$/, '/')))
    e.remove(['spec', 'loadBalancerClass'], `a ${ctx.source.cloud} load balancer implementation`);
  if (isLb) {
    for (const [k, v] of Object.entries(serviceAnnotationsFor(ctx.target.cloud, intent)))
      e.set(
        ['metadata', 'annotations', k],
        v,
        `${intent.internal ? 'internal' : 'public'} load balancer on ${ctx.target.cloud}`,
      );
    const imported = [ctx.source, ctx.target].some((c) => c.cloud === 'kubernetes');
    if (imported)
      e.warn(
        `Service ${obj.metadata.name} is a LoadBalancer and ${ctx.target.cloud === 'kubernetes' ? 'the target' : 'the source'} is an imported cluster: its load balancer annotations are not rewritten`,
        'add the annotations the target cluster’s load balancer controller needs',
      );
    const ranges = asArray(spec.loadBalancerSourceRanges);
    if (ranges.length && ctx.target.cloud === 'aws' && intent.internal === false)
      e.warn(
        `Service ${obj.metadata.name} restricts clients to ${ranges.join(', ')}; on AWS the NLB enforces this through its security group`,
      );
  }
  return e.result();
};

/** The target class for a source ingress class: the map, then the target cloud's controller. */
export function chooseIngressClass(
  from: string | undefined,
  intent: LoadBalancerIntent,
  ctx: TransformContext,
): { to: string | undefined; why: string } {
  if (from && ctx.request.ingressClassMap?.[from])
    return { to: ctx.request.ingressClassMap[from], why: 'ingressClassMap' };
  const source = ctx.source.cloud;
  const dst = ctx.target.cloud;
  // an imported side has no ingress controller Dolly knows: only ingressClassMap changes the class
  if (source === 'kubernetes' || dst === 'kubernetes')
    return { to: from, why: 'no mapping for an imported cluster' };
  const sourceKnown = INGRESS_CLASSES[source].known;
  const cloudClass = from === undefined || sourceKnown.includes(from);
  if (source === dst || !cloudClass) return { to: from, why: 'not cloud-specific' };
  const target = INGRESS_CLASSES[dst];
  const factsDefault = ctx.targetFacts?.ingressClasses.find((c) => c.isDefault)?.name;
  const to = intent.internal && target.internal ? target.internal : (factsDefault ?? target.public);
  return { to, why: `the ${ctx.target.cloud} ${intent.internal ? 'internal' : 'public'} ingress controller` };
}

const LEGACY_CLASS = 'kubernetes.io/ingress.class';

export const rewriteIngress: TransformRule = (obj, ctx) => {
  if (obj.kind !== 'Ingress') return { object: obj, changes: [], warnings: [] };
  const e = new Edit('rewriteIngress', obj);
  if (ctx.source.cloud === ctx.target.cloud && !ctx.request.ingressClassMap) return e.result();
  const intent = loadBalancerIntent(obj);
  const specClass = asString(asObject(obj.spec).ingressClassName);
  const legacy = obj.metadata.annotations?.[LEGACY_CLASS];
  const from = specClass ?? legacy;
  const choice = chooseIngressClass(from, intent, ctx);
  if (choice.why === 'no mapping for an imported cluster' && from)
    e.warn(
      `Ingress ${obj.metadata.name} keeps class ${from}: ingress classes of imported clusters are only mapped explicitly`,
      'set ingressClassMap to the target cluster’s ingress class',
    );
  if (ctx.source.cloud !== ctx.target.cloud) dropCloudMetadata(e, obj, ctx.source.cloud);
  if (choice.to !== from && choice.to) {
    // GKE's controller reads only the annotation (cloud.google.com/kubernetes-engine/docs/concepts/ingress,
    // "Deprecated annotation"); the API server rejects having both, so exactly one is written.
    if (ctx.target.cloud === 'gcp' && INGRESS_CLASSES.gcp.known.includes(choice.to)) {
      e.remove(['spec', 'ingressClassName']);
      e.set(['metadata', 'annotations', LEGACY_CLASS], choice.to, choice.why);
    } else {
      e.remove(['metadata', 'annotations', LEGACY_CLASS]);
      e.set(['spec', 'ingressClassName'], choice.to, choice.why);
    }
  }
  if (ctx.source.cloud !== ctx.target.cloud && ctx.target.cloud === 'aws' && choice.to === 'alb') {
    e.set(
      ['metadata', 'annotations', 'alb.ingress.kubernetes.io/scheme'],
      intent.internal ? 'internal' : 'internet-facing',
    );
    // ClusterIP Services are only reachable by an ALB in IP target mode
    e.set(['metadata', 'annotations', 'alb.ingress.kubernetes.io/target-type'], 'ip');
  }
  if (ctx.source.cloud !== ctx.target.cloud && intent.internal && ctx.target.cloud === 'azure')
    e.warn(
      `Ingress ${obj.metadata.name} was internal on ${ctx.source.cloud}; the application routing add-on serves public addresses unless an internal NginxIngressController is configured`,
      'create an internal NginxIngressController and set ingressClassMap to its class',
    );
  return e.result();
};

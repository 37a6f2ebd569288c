/**
 * Workload identity: the source cloud's ServiceAccount annotations (IRSA role ARN, Azure client id,
 * GKE service account) are stripped and replaced from the request's identity map, with the exact
 * cloud-side trust the target cluster still needs, since no Kubernetes object can create it.
 */
import { asObject, asString, type CloudId, type ClusterCloud, type KubeObject } from '../types.ts';
import { AZURE_WI_POD_LABEL, IDENTITY_ANNOTATION, IDENTITY_KEYS } from './cloud.ts';
import { Edit, podMetaPath, podSpecPaths, type TransformContext, type TransformRule } from './rule.ts';

/** The target identity for a source ServiceAccount: `namespace/name` first, then `name`. */
export function mappedIdentity(
  namespace: string | undefined,
  name: string,
  ctx: TransformContext,
): string | undefined {
  const map = ctx.request.identityMap ?? {};
  return (namespace ? map[`${namespace}/${name}`] : undefined) ?? map[name];
}

function sourceIdentity(sa: KubeObject): { cloud: CloudId; value: string } | undefined {
  for (const cloud of ['aws', 'azure', 'gcp'] as const) {
    const v = sa.metadata.annotations?.[IDENTITY_ANNOTATION[cloud]];
    if (v) return { cloud, value: v };
  }
  return undefined;
}

/** What has to exist on the target cloud before the identity works, as a command a person can run. */
export function trustInstructions(
  cloud: ClusterCloud,
  identity: string,
  namespace: string,
  serviceAccount: string,
  target: { name: string; scope?: string; location?: string },
): string {
  const subject = `system:serviceaccount:${namespace}:${serviceAccount}`;
  switch (cloud) {
    case 'kubernetes':
      return `the workload identity system of imported cluster ${target.name} must trust ${subject} for ${identity}; Dolly cannot set that up`;
    case 'aws':
      // docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
      return `IAM role ${identity} must trust the OIDC provider of EKS cluster ${target.name}: a statement allowing sts:AssumeRoleWithWebIdentity for Federated arn:aws:iam::<account>:oidc-provider/<issuer> (aws eks describe-cluster --name ${target.name}${target.location ? ` --region ${target.location}` : ''} --query cluster.identity.oidc.issuer) with conditions "<issuer>:sub": "${subject}" and "<issuer>:aud": "sts.amazonaws.com"`;
    case 'azure': {
      // learn.microsoft.com/azure/aks/workload-identity-deploy-cluster#establish-federated-identity-credential
      const rg = target.scope?.split('/')[1] ?? '<resource-group>';
      return `the managed identity with client id ${identity} needs a federated credential: az identity federated-credential create --name dolly-${namespace}-${serviceAccount} --identity-name <identity name> --resource-group <identity resource group> --issuer "$(az aks show --name ${target.name} --resource-group ${rg} --query oidcIssuerProfile.issuerUrl -o tsv)" --subject ${subject} --audience api://AzureADTokenExchange`;
    }
    case 'gcp': {
      // cloud.google.com/kubernetes-engine/docs/how-to/workload-identity#kubernetes-sa-to-iam
      const project = target.scope ?? '<project>';
      return `gcloud iam service-accounts add-iam-policy-binding ${identity} --role roles/iam.workloadIdentityUser --member "serviceAccount:${project}.svc.id.goog[${namespace}/${serviceAccount}]"`;
    }
  }
}

export const rewriteWorkloadIdentity: TransformRule = (obj, ctx) => {
  const e = new Edit('rewriteWorkloadIdentity', obj);
  const dst = ctx.target.cloud;
  if (obj.kind === 'ServiceAccount') {
    const name = obj.metadata.name ?? '';
    const ns = obj.metadata.namespace;
    const targetNs = (ns && ctx.namespaceMap[ns]) || ns || '';
    const had = sourceIdentity(obj);
    const mapped = mappedIdentity(ns, name, ctx);
    const crossCloud = ctx.source.cloud !== dst;
    if (crossCloud)
      for (const cloud of ['aws', 'azure', 'gcp'] as const) {
        if (cloud === dst) continue;
        for (const key of Object.keys(obj.metadata.annotations ?? {}))
          if (IDENTITY_KEYS[cloud].test(key))
            e.remove(['metadata', 'annotations', key], `${cloud} workload identity`);
        for (const key of Object.keys(obj.metadata.labels ?? {}))
          if (IDENTITY_KEYS[cloud].test(key))
            e.remove(['metadata', 'labels', key], `${cloud} workload identity`);
      }
    if (mapped && dst === 'kubernetes')
      e.warn(
        `ServiceAccount ${name}: identityMap has ${mapped}, but an imported cluster has no cloud identity annotation Dolly knows`,
        'annotate the ServiceAccount for the target cluster’s own identity system',
      );
    else if (mapped && dst !== 'kubernetes') {
      e.set(['metadata', 'annotations', IDENTITY_ANNOTATION[dst]], mapped, 'identityMap');
      e.warn(
        `ServiceAccount ${name} uses ${dst} identity ${mapped}`,
        trustInstructions(dst, mapped, targetNs, name, ctx.target),
      );
    } else if (had && crossCloud)
      e.warn(
        `ServiceAccount ${name} had ${had.cloud} identity ${had.value}; it has no identity on ${dst}`,
        `add identityMap["${ns}/${name}"] with a ${dst} identity to carry the access over`,
      );
    else if (had)
      e.warn(
        `ServiceAccount ${name} keeps identity ${had.value}; it only works once the target cluster is trusted`,
        trustInstructions(dst, had.value, targetNs, name, ctx.target),
      );
    return e.result();
  }
  // AKS injects tokens only into pods carrying the opt-in label; other clouds have no such label.
  for (const specPath of podSpecPaths(obj)) {
    const labelsPath = [...podMetaPath(specPath), 'labels', AZURE_WI_POD_LABEL];
    const sa = asString(asObject(e.get(specPath)).serviceAccountName) ?? 'default';
    const identity = mappedIdentity(obj.metadata.namespace, sa, ctx);
    if (dst !== 'azure') e.remove(labelsPath, 'an Azure-only opt-in label');
    else if (identity) e.set(labelsPath, 'true', 'Azure workload identity opt-in');
    else if (ctx.source.cloud !== 'azure') e.remove(labelsPath);
  }
  return e.result();
};

/** Validation that returns 422 Invalid with causes, like the real API server. */
import type { Cluster } from './cluster.ts';
import { rkeyOf } from './cluster.ts';
import type { ResourceDef } from './resources.ts';
import { matchLabelSelector } from './selectors.ts';
import {
  asArray,
  asObject,
  asString,
  dig,
  errors,
  isObject,
  type KubeObject,
  type StatusCause,
} from './types.ts';
import { stableJson } from './util.ts';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

const DNS_LABEL_KINDS = new Set(['/namespaces', '/services']);
const PATH_SEGMENT_KINDS = new Set([
  'rbac.authorization.k8s.io/roles',
  'rbac.authorization.k8s.io/rolebindings',
  'rbac.authorization.k8s.io/clusterroles',
  'rbac.authorization.k8s.io/clusterrolebindings',
]);

function req(causes: StatusCause[], field: string, ok: boolean, message = 'Required value'): void {
  if (!ok) causes.push({ reason: 'FieldValueRequired', message, field });
}

function invalid(causes: StatusCause[], field: string, value: unknown, message: string): void {
  causes.push({
    reason: 'FieldValueInvalid',
    message: `Invalid value: ${JSON.stringify(value)}: ${message}`,
    field,
  });
}

function podSpec(causes: StatusCause[], spec: unknown, field: string, extraVolumes: string[] = []): void {
  const cs = asArray(dig(spec, 'containers'));
  req(causes, `${field}.containers`, cs.length > 0);
  const names = new Set<string>();
  cs.forEach((c, i) => {
    const n = asString(dig(c, 'name'));
    req(causes, `${field}.containers[${i}].name`, !!n);
    if (n && !LABEL.test(n))
      invalid(
        causes,
        `${field}.containers[${i}].name`,
        n,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'",
      );
    if (n && names.has(n))
      causes.push({
        reason: 'FieldValueDuplicate',
        message: `Duplicate value: "${n}"`,
        field: `${field}.containers[${i}].name`,
      });
    if (n) names.add(n);
    req(causes, `${field}.containers[${i}].image`, !!asString(dig(c, 'image')));
    asArray(dig(c, 'ports')).forEach((p, j) => {
      const cp = dig(p, 'containerPort');
      if (typeof cp !== 'number' || cp < 1 || cp > 65535)
        invalid(
          causes,
          `${field}.containers[${i}].ports[${j}].containerPort`,
          cp,
          'must be between 1 and 65535, inclusive',
        );
    });
  });
  const vols = new Set([
    ...asArray(dig(spec, 'volumes')).map((v) => asString(dig(v, 'name'))),
    ...extraVolumes,
  ]);
  cs.forEach((c, i) => {
    asArray(dig(c, 'volumeMounts')).forEach((m, j) => {
      const n = asString(dig(m, 'name'));
      if (n && !vols.has(n))
        causes.push({
          reason: 'FieldValueNotFound',
          message: `Not found: "${n}"`,
          field: `${field}.containers[${i}].volumeMounts[${j}].name`,
        });
    });
  });
  const rp = dig(spec, 'restartPolicy');
  if (rp !== undefined && !['Always', 'OnFailure', 'Never'].includes(String(rp)))
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: "${String(rp)}": supported values: "Always", "OnFailure", "Never"`,
      field: `${field}.restartPolicy`,
    });
}

function templateMatches(
  causes: StatusCause[],
  obj: KubeObject,
  needSelector: boolean,
  extraVolumes: string[] = [],
): void {
  const spec = asObject(obj.spec);
  const sel = spec.selector;
  if (needSelector) req(causes, 'spec.selector', isObject(sel));
  const labels = asObject(dig(spec, 'template', 'metadata', 'labels')) as Record<string, string>;
  if (isObject(sel)) {
    if (!Object.keys(asObject(sel.matchLabels)).length && !asArray(sel.matchExpressions).length)
      invalid(causes, 'spec.selector', sel, 'empty selector is invalid for deployment');
    else if (!matchLabelSelector(sel, labels))
      invalid(causes, 'spec.template.metadata.labels', labels, '`selector` does not match template `labels`');
  }
  podSpec(causes, dig(spec, 'template', 'spec'), 'spec.template.spec', extraVolumes);
  const replicas = spec.replicas;
  if (replicas !== undefined && (typeof replicas !== 'number' || replicas < 0))
    invalid(causes, 'spec.replicas', replicas, 'must be greater than or equal to 0');
}

function immutable(causes: StatusCause[], obj: KubeObject, old: KubeObject, path: string[]): void {
  const a = dig(obj, ...path);
  const b = dig(old, ...path);
  if (stableJson(a) !== stableJson(b)) invalid(causes, path.join('.'), a, 'field is immutable');
}

export function validate(c: Cluster, def: ResourceDef, obj: KubeObject, old: KubeObject | undefined): void {
  const causes: StatusCause[] = [];
  const meta = obj.metadata;
  const rk = rkeyOf(def);
  const name = meta.name;
  if (!name && !meta.generateName)
    req(causes, 'metadata.name', false, 'Required value: name or generateName is required');
  if (name) {
    if (PATH_SEGMENT_KINDS.has(rk)) {
      if (/[/%]/.test(name) || name === '.' || name === '..')
        invalid(causes, 'metadata.name', name, 'may not contain "/" or "%"');
    } else if (DNS_LABEL_KINDS.has(rk)) {
      if (!LABEL.test(name) || name.length > 63)
        invalid(
          causes,
          'metadata.name',
          name,
          "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        );
    } else if (!SUBDOMAIN.test(name) || name.length > 253)
      invalid(
        causes,
        'metadata.name',
        name,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      );
  }
  if (meta.labels !== undefined && !isObject(meta.labels))
    invalid(causes, 'metadata.labels', meta.labels, 'must be a map');
  for (const [k, v] of Object.entries(asObject(meta.labels))) {
    if (!QUALIFIED.test(k))
      invalid(causes, 'metadata.labels', k, 'name part must consist of alphanumeric characters');
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v))
      invalid(
        causes,
        'metadata.labels',
        v,
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
      );
  }
  for (const [k, v] of Object.entries(asObject(meta.annotations))) {
    if (!QUALIFIED.test(k))
      invalid(causes, 'metadata.annotations', k, 'name part must consist of alphanumeric characters');
    if (typeof v !== 'string') invalid(causes, `metadata.annotations[${k}]`, v, 'must be a string');
  }
  switch (rk) {
    case '/pods':
      podSpec(causes, obj.spec, 'spec');
      if (old) {
        const strip = (o: KubeObject) => {
          const s = structuredClone(asObject(o.spec));
          for (const ct of asArray(s.containers)) if (isObject(ct)) delete ct.image;
          for (const ct of asArray(s.initContainers)) if (isObject(ct)) delete ct.image;
          delete s.activeDeadlineSeconds;
          delete s.tolerations;
          delete s.nodeName;
          return stableJson(s);
        };
        if (strip(obj) !== strip(old))
          causes.push({
            reason: 'FieldValueForbidden',
            message:
              'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
            field: 'spec',
          });
      }
      break;
    case 'apps/deployments':
    case 'apps/replicasets':
    case 'apps/daemonsets':
      templateMatches(causes, obj, true);
      if (old) immutable(causes, obj, old, ['spec', 'selector']);
      break;
    case 'apps/statefulsets':
      templateMatches(
        causes,
        obj,
        true,
        asArray(dig(obj, 'spec', 'volumeClaimTemplates')).map(
          (t) => asString(dig(t, 'metadata', 'name')) ?? '',
        ),
      );
      if (old) {
        immutable(causes, obj, old, ['spec', 'selector']);
        immutable(causes, obj, old, ['spec', 'serviceName']);
        const strip = (o: KubeObject) =>
          stableJson(
            asArray(dig(o, 'spec', 'volumeClaimTemplates')).map((t) => ({
              metadata: { name: dig(t, 'metadata', 'name') },
              spec: dig(t, 'spec'),
            })),
          );
        if (strip(obj) !== strip(old))
          causes.push({
            reason: 'FieldValueForbidden',
            message:
              "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
            field: 'spec',
          });
      }
      break;
    case 'batch/jobs':
      podSpec(causes, dig(obj, 'spec', 'template', 'spec'), 'spec.template.spec');
      {
        const rp = dig(obj, 'spec', 'template', 'spec', 'restartPolicy');
        if (rp !== 'Never' && rp !== 'OnFailure')
          causes.push({
            reason: 'FieldValueNotSupported',
            message: `Unsupported value: "${String(rp ?? 'Always')}": supported values: "OnFailure", "Never"`,
            field: 'spec.template.spec.restartPolicy',
          });
      }
      break;
    case 'batch/cronjobs':
      req(causes, 'spec.schedule', !!asString(dig(obj, 'spec', 'schedule')));
      podSpec(
        causes,
        dig(obj, 'spec', 'jobTemplate', 'spec', 'template', 'spec'),
        'spec.jobTemplate.spec.template.spec',
      );
      break;
    case '/services': {
      const type = asString(dig(obj, 'spec', 'type')) ?? 'ClusterIP';
      if (!['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(type))
        causes.push({
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: "${type}": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"`,
          field: 'spec.type',
        });
      const ports = asArray(dig(obj, 'spec', 'ports'));
      if (type !== 'ExternalName' && dig(obj, 'spec', 'clusterIP') !== 'None')
        req(causes, 'spec.ports', ports.length > 0);
      ports.forEach((p, i) => {
        const port = dig(p, 'port');
        if (typeof port !== 'number' || port < 1 || port > 65535)
          invalid(causes, `spec.ports[${i}].port`, port, 'must be between 1 and 65535, inclusive');
        if (ports.length > 1 && !asString(dig(p, 'name'))) req(causes, `spec.ports[${i}].name`, false);
      });
      if (old) {
        const a = dig(obj, 'spec', 'clusterIP');
        const b = dig(old, 'spec', 'clusterIP');
        if (a !== undefined && a !== '' && b !== undefined && a !== b)
          invalid(causes, 'spec.clusterIPs[0]', a, 'may not change once set');
      }
      break;
    }
    case '/persistentvolumeclaims':
      req(causes, 'spec.accessModes', asArray(dig(obj, 'spec', 'accessModes')).length > 0);
      req(causes, 'spec.resources[storage]', !!dig(obj, 'spec', 'resources', 'requests', 'storage'));
      if (old) {
        const strip = (o: KubeObject) => {
          const s = structuredClone(asObject(o.spec));
          delete s.resources;
          if (!asString(dig(old, 'spec', 'volumeName'))) delete s.volumeName;
          return stableJson(s);
        };
        if (strip(obj) !== strip(old))
          causes.push({
            reason: 'FieldValueForbidden',
            message:
              'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
            field: 'spec',
          });
      }
      break;
    case '/configmaps':
    case '/secrets':
      for (const k of [
        ...Object.keys(asObject(obj.data)),
        ...Object.keys(asObject(obj.stringData)),
        ...Object.keys(asObject(obj.binaryData)),
      ])
        if (!/^[-._a-zA-Z0-9]+$/.test(k))
          invalid(
            causes,
            `data[${k}]`,
            k,
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
          );
      if (rk === '/secrets' && isObject(obj.stringData)) {
        obj.data = {
          ...asObject(obj.data),
          ...Object.fromEntries(
            Object.entries(obj.stringData).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')]),
          ),
        };
        delete obj.stringData;
      }
      if (rk === '/secrets') obj.type ??= 'Opaque';
      if (old && old.immutable === true && stableJson(obj.data) !== stableJson(old.data))
        causes.push({
          reason: 'FieldValueForbidden',
          message: 'Forbidden: field is immutable when `immutable` is set',
          field: 'data',
        });
      break;
    case 'apiextensions.k8s.io/customresourcedefinitions': {
      const group = asString(dig(obj, 'spec', 'group'));
      const plural = asString(dig(obj, 'spec', 'names', 'plural'));
      req(causes, 'spec.group', !!group);
      req(causes, 'spec.names.plural', !!plural);
      req(causes, 'spec.names.kind', !!asString(dig(obj, 'spec', 'names', 'kind')));
      req(causes, 'spec.versions', asArray(dig(obj, 'spec', 'versions')).length > 0);
      if (!['Namespaced', 'Cluster'].includes(String(dig(obj, 'spec', 'scope'))))
        causes.push({
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: "${String(dig(obj, 'spec', 'scope'))}": supported values: "Cluster", "Namespaced"`,
          field: 'spec.scope',
        });
      if (group && plural && name && name !== `${plural}.${group}`)
        invalid(causes, 'metadata.name', name, 'must be spec.names.plural+"."+spec.group');
      if (asArray(dig(obj, 'spec', 'versions')).filter((v) => dig(v, 'storage') === true).length !== 1)
        invalid(
          causes,
          'spec.versions',
          asArray(dig(obj, 'spec', 'versions')).length,
          'must have exactly one version marked as storage version',
        );
      if (old) immutable(causes, obj, old, ['spec', 'scope']);
      break;
    }
    case 'storage.k8s.io/storageclasses':
      req(causes, 'provisioner', !!asString(obj.provisioner));
      if (old) immutable(causes, obj, old, ['parameters']);
      break;
    case 'rbac.authorization.k8s.io/rolebindings':
    case 'rbac.authorization.k8s.io/clusterrolebindings':
      req(causes, 'roleRef.name', !!asString(dig(obj, 'roleRef', 'name')));
      if (old) immutable(causes, obj, old, ['roleRef']);
      break;
  }
  void c;
  if (causes.length) throw errors.invalid(def.group, def.kind, name ?? meta.generateName ?? '', causes);
}

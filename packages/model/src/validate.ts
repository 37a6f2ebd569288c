import type { z } from 'zod';
import type { Catalog } from './catalog/types';
import { clonePlanSchema, type ClonePlan, type TargetClusterSpec } from './schemas';
import { labelMapProblems } from './translate/labels';
import { resolveLocation } from './translate/location';
import { clusterNameRule, isLegalClusterName, isLegalPoolName, poolNameRule } from './translate/names';
import { compareVersionStrings } from './catalog/versions';

export interface ValidationIssue {
  /** Field path, e.g. `items[0].target.nodePools[1].machineType`. */
  path: string;
  message: string;
}

export type PlanValidation =
  | { ok: true; plan: ClonePlan; issues: [] }
  | { ok: false; issues: ValidationIssue[] };

/** `['items', 0, 'target', 'name']` -> `items[0].target.name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

export function zodIssues(error: z.ZodError, prefix = ''): ValidationIssue[] {
  return error.issues.map((i) => {
    const p = formatPath(i.path);
    // A missing field reads better as "Required" than as "expected string, received undefined".
    const message =
      i.code === 'invalid_type' && / received undefined$/.test(i.message) ? 'Required' : i.message;
    return { path: prefix && p ? `${prefix}${p.startsWith('[') ? '' : '.'}${p}` : prefix || p, message };
  });
}

// Pods per node the clouds accept (see translate/cluster.ts for the sources).
const MAX_PODS: Record<string, [number, number]> = { aws: [1, 250], azure: [10, 250], gcp: [8, 256] };

/**
 * Checks a cluster against its cloud in the catalog: location offers the managed service, version
 * supported, machine types exist in the region, names and labels legal, counts consistent.
 * Paths are relative to the cluster (prefix them yourself).
 */
export function validateClusterForCloud(c: TargetClusterSpec, catalog: Catalog): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const add = (path: string, message: string): void => {
    issues.push({ path, message });
  };
  const cloud = c.cloud;
  const loc = resolveLocation(catalog, cloud, c.location);
  if (!loc) add('location', `"${c.location}" is not a location offering managed Kubernetes on ${cloud}`);
  else if (loc.zone && cloud !== 'gcp') add('location', 'only GKE clusters can be zonal');
  const region = loc?.region.id;
  if (!isLegalClusterName(cloud, c.name)) add('name', `"${c.name}" is not legal: ${clusterNameRule(cloud)}`);
  const versionOk = catalog.isSupportedVersion(cloud, c.kubernetesVersion, region);
  if (!versionOk) {
    add(
      'kubernetesVersion',
      cloud === 'aws' && /^\d+\.\d+\.\d+/.test(c.kubernetesVersion)
        ? `EKS takes a minor version only (e.g. "1.34"), got "${c.kubernetesVersion}"`
        : `${cloud} does not support Kubernetes "${c.kubernetesVersion}"${region ? ` in ${region}` : ''}`,
    );
  }
  for (const p of labelMapProblems(cloud, c.labels)) {
    add(p.key ? `labels[${JSON.stringify(p.key)}]` : 'labels', p.message);
  }
  const names = new Set<string>();
  c.nodePools.forEach((pool, i) => {
    const base = `nodePools[${i}]`;
    if (!isLegalPoolName(cloud, pool.name, pool.os))
      add(`${base}.name`, `"${pool.name}" is not legal: ${poolNameRule(cloud, pool.os)}`);
    if (names.has(pool.name)) add(`${base}.name`, `"${pool.name}" is used by another pool`);
    names.add(pool.name);
    const type = region
      ? catalog.machineType(cloud, pool.machineType, region)
      : catalog.machineType(cloud, pool.machineType);
    if (!type)
      add(
        `${base}.machineType`,
        `unknown ${cloud} machine type "${pool.machineType}"${region ? ` in ${region}` : ''}`,
      );
    else {
      if (type.retiredOn) add(`${base}.machineType`, `${pool.machineType} was retired on ${type.retiredOn}`);
      if (pool.arch && pool.arch !== type.arch)
        add(`${base}.arch`, `${pool.machineType} is ${type.arch}, the pool says ${pool.arch}`);
    }
    if (cloud === 'aws') {
      // EKS node groups take these only from a launch template, which apply does not create.
      for (const field of ['maxPods', 'diskType'] as const) {
        if (pool[field] !== undefined)
          add(`${base}.${field}`, `EKS node groups set ${field} only through a launch template; remove it`);
      }
    }
    if (pool.autoscaling) {
      const { minNodes, maxNodes } = pool.autoscaling;
      if (pool.nodeCount < minNodes || pool.nodeCount > maxNodes) {
        add(`${base}.nodeCount`, `${pool.nodeCount} is outside autoscaling ${minNodes}-${maxNodes}`);
      }
    }
    if (pool.zones && loc) {
      pool.zones.forEach((z, j) => {
        if (!loc.region.zones.includes(z))
          add(`${base}.zones[${j}]`, `"${z}" is not a zone of ${loc.region.id}`);
      });
      if (cloud === 'gcp' && pool.zones.length > 1 && pool.nodeCount % pool.zones.length !== 0) {
        add(
          `${base}.nodeCount`,
          `GKE counts nodes per zone: ${pool.nodeCount} is not a multiple of ${pool.zones.length} zones`,
        );
      }
    }
    if (pool.kubernetesVersion !== undefined) {
      if (!catalog.isSupportedVersion(cloud, pool.kubernetesVersion, region)) {
        add(`${base}.kubernetesVersion`, `${cloud} does not support Kubernetes "${pool.kubernetesVersion}"`);
      } else if (versionOk && compareVersionStrings(pool.kubernetesVersion, c.kubernetesVersion) > 0) {
        add(
          `${base}.kubernetesVersion`,
          `a pool cannot run a newer Kubernetes than its control plane (${c.kubernetesVersion})`,
        );
      }
    }
    const range = MAX_PODS[cloud];
    if (pool.maxPods !== undefined && range && (pool.maxPods < range[0] || pool.maxPods > range[1])) {
      add(`${base}.maxPods`, `${cloud} allows ${range[0]}-${range[1]} pods per node`);
    }
    if (pool.mode !== undefined && cloud !== 'azure')
      add(`${base}.mode`, 'system/user pool modes exist on AKS only');
    if (cloud === 'azure' && pool.mode === 'system') {
      if (pool.spot) add(`${base}.spot`, 'AKS system pools cannot use Spot VMs');
      if (pool.os === 'windows') add(`${base}.os`, 'AKS system pools run Linux');
    }
  });
  if (cloud === 'azure' && !c.nodePools.some((p) => p.mode === 'system')) {
    add('nodePools', 'AKS needs a system pool (mode: "system")');
  }
  return issues;
}

/**
 * Validates a (possibly hand-edited) plan: the schema, then every target against its cloud in the
 * catalog. Error-level warnings (e.g. a Kubernetes downgrade) are refused unless `allowErrorWarnings`.
 */
export function validatePlan(
  plan: unknown,
  catalog: Catalog,
  options: { allowErrorWarnings?: boolean } = {},
): PlanValidation {
  const parsed = clonePlanSchema.safeParse(plan);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  const issues: ValidationIssue[] = [];
  parsed.data.items.forEach((item, i) => {
    for (const issue of validateClusterForCloud(item.target, catalog)) {
      issues.push({ path: `items[${i}].target.${issue.path}`, message: issue.message });
    }
    if (!options.allowErrorWarnings) {
      item.warnings.forEach((w, j) => {
        if (w.severity === 'error')
          issues.push({ path: `items[${i}].warnings[${j}]`, message: `${w.code}: ${w.message}` });
      });
    }
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, plan: parsed.data, issues: [] };
}

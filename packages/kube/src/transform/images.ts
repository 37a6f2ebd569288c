/**
 * Images and pull secrets. Registry prefixes are replaced on whole path segments only
 * (`reg.io/shop` never matches `reg.io/shopping`), longest prefix first; tags and digests are kept
 * as they are (a mirrored image has the same digest). Pull secrets for a replaced registry are
 * removed or replaced, since their credentials only open the source registry.
 */
import { asArray, asObject, asString, type CloudId, type KubeObject } from '../types.ts';
import {
  CONTAINER_LISTS,
  Edit,
  type PathSegment,
  podSpecPaths,
  type TransformContext,
  type TransformRule,
} from './rule.ts';

/** Splits `repo[:tag][@digest]`; the tag colon is the one after the last `/`. */
export function splitImage(image: string): { repository: string; suffix: string } {
  const at = image.indexOf('@');
  const withoutDigest = at < 0 ? image : image.slice(0, at);
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', slash + 1);
  const end = colon < 0 ? withoutDigest.length : colon;
  return { repository: image.slice(0, end), suffix: image.slice(end) };
}

/** The mapped image, or undefined when no prefix matches on a segment boundary. */
export function mapImage(image: string, registryMap: Record<string, string>): string | undefined {
  const { repository, suffix } = splitImage(image);
  const prefixes = Object.keys(registryMap)
    .map((p) => p.replace(/\/+$/, ''))
    .filter((p) => p && (repository === p || repository.startsWith(`${p}/`)))
    .sort((a, b) => b.length - a.length);
  const prefix = prefixes[0];
  if (prefix === undefined) return undefined;
  const to = (registryMap[prefix] ?? registryMap[`${prefix}/`] ?? '').replace(/\/+$/, '');
  return `${to}${repository.slice(prefix.length)}${suffix}`;
}

/** The registry host of an image reference (Docker's rule: a first segment with `.`/`:` or `localhost`). */
export function registryHost(image: string): string {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
    ? first
    : 'docker.io';
}

/** Private registries of each cloud: their images only pull with that cloud's credentials. */
const CLOUD_REGISTRIES: Record<CloudId, RegExp> = {
  aws: /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/,
  azure: /\.azurecr\.(io|cn|us)$/,
  gcp: /(^|\.)(gcr\.io|[a-z0-9-]+-docker\.pkg\.dev)$/,
};

export const mapImageRegistries: TransformRule = (obj, ctx) => {
  const map = ctx.request.registryMap ?? {};
  const e = new Edit('mapImageRegistries', obj);
  const unmapped = new Set<string>();
  for (const spec of podSpecPaths(obj)) {
    const podSpec = asObject(e.get(spec));
    for (const list of CONTAINER_LISTS)
      for (const [i, c] of asArray(podSpec[list]).entries()) {
        const image = asString(asObject(c).image);
        if (!image) continue;
        const mapped = mapImage(image, map);
        if (mapped && mapped !== image) e.set([...spec, list, i, 'image'], mapped, 'registryMap');
        else if (
          !mapped &&
          ctx.source.cloud !== ctx.target.cloud &&
          ctx.source.cloud !== 'kubernetes' &&
          CLOUD_REGISTRIES[ctx.source.cloud].test(registryHost(image))
        )
          unmapped.add(registryHost(image));
      }
  }
  if (unmapped.size)
    e.warn(
      `${obj.kind} ${obj.metadata.name} pulls from ${[...unmapped].join(', ')}, a private ${ctx.source.cloud} registry that ${ctx.target.cloud} nodes cannot pull from without credentials`,
      'mirror the images and set registryMap, or give the target a pull secret (pullSecretMap)',
    );
  return e.result();
};

function dockerConfigHosts(secret: KubeObject | undefined): string[] | undefined {
  if (!secret) return undefined;
  const data = asObject(secret.data);
  const raw = asString(data['.dockerconfigjson']) ?? asString(data['.dockercfg']);
  if (!raw) return undefined;
  try {
    // Only the registry host names are read; credentials are never looked at or copied anywhere.
    const doc = asObject(JSON.parse(Buffer.from(raw, 'base64').toString('utf8')));
    const auths = asObject(doc.auths ?? doc);
    return Object.keys(auths).map((h) => h.replace(/^https?:\/\//, '').replace(/\/.*$/, ''));
  } catch {
    return undefined;
  }
}

/** Hosts whose images this migration moves to another registry. */
function replacedHosts(ctx: TransformContext): Set<string> {
  return new Set(
    Object.keys(ctx.request.registryMap ?? {}).map((p) => registryHost(`${p.replace(/\/+$/, '')}/x`)),
  );
}

export const rewritePullSecrets: TransformRule = (obj, ctx) => {
  const e = new Edit('rewritePullSecrets', obj);
  const map = ctx.request.pullSecretMap ?? {};
  const replaced = replacedHosts(ctx);
  const rewriteList = (path: PathSegment[], list: unknown[]) => {
    const out: { name: string }[] = [];
    let changed = false;
    for (const ref of list) {
      const name = asString(asObject(ref).name);
      if (!name) continue;
      if (name in map) {
        changed = true;
        if (map[name]) out.push({ name: map[name] });
        continue;
      }
      const hosts = dockerConfigHosts(ctx.index.get('v1', 'Secret', obj.metadata.namespace, name));
      if (hosts?.length && hosts.every((h) => replaced.has(h))) {
        changed = true;
        e.warn(
          `${obj.kind} ${obj.metadata.name}: pull secret ${name} only opens ${hosts.join(', ')}, which registryMap replaces; removed`,
          'add a pull secret for the new registry (pullSecretMap) if it needs credentials',
        );
        continue;
      }
      out.push({ name });
    }
    if (!changed) return;
    if (out.length) e.set(path, out, 'pull secrets for the target registry');
    else e.remove(path, 'pull secrets of the source registry');
  };
  for (const spec of podSpecPaths(obj)) {
    const list = asArray(asObject(e.get(spec)).imagePullSecrets);
    if (list.length) rewriteList([...spec, 'imagePullSecrets'], list);
  }
  if (obj.kind === 'ServiceAccount') {
    const list = asArray(obj.imagePullSecrets);
    if (list.length) rewriteList(['imagePullSecrets'], list);
  }
  return e.result();
};

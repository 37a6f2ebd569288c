import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** An error the EKS/EC2/STS handlers throw; rendered in each protocol's own shape. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** extra members of the JSON error body (restJson1: clusterName, nodegroupName ...) */
    readonly fields: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const eksErrors = {
  invalidParameter: (message: string, fields: Record<string, unknown> = {}) =>
    new AwsError('InvalidParameterException', 400, message, fields),
  invalidRequest: (message: string, fields: Record<string, unknown> = {}) =>
    new AwsError('InvalidRequestException', 400, message, fields),
  notFound: (message: string, fields: Record<string, unknown> = {}) =>
    new AwsError('ResourceNotFoundException', 404, message, fields),
  inUse: (message: string, fields: Record<string, unknown> = {}) =>
    new AwsError('ResourceInUseException', 409, message, fields),
  limitExceeded: (message: string, fields: Record<string, unknown> = {}) =>
    new AwsError('ResourceLimitExceededException', 400, message, fields),
};

export function requestId(): string {
  return randomUUID();
}

/** restJson1 reply (EKS). Timestamps must already be epoch seconds. */
export function sendRestJson(res: ServerResponse, status: number, body: unknown, reqId: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': reqId,
  });
  res.end(text);
}

export function sendRestJsonError(res: ServerResponse, err: AwsError, reqId: string): void {
  const text = JSON.stringify({ ...err.fields, message: err.message });
  res.writeHead(err.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': reqId,
    'x-amzn-errortype': err.code,
    ...err.headers,
  });
  res.end(text);
}

// ---- XML (awsQuery / ec2Query) ----

export type XmlValue = string | number | boolean | undefined | null | XmlNode | XmlValue[];
export interface XmlNode {
  [tag: string]: XmlValue;
}

export function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Serialise an object: keys are tags; arrays become repeated <item> elements (ec2/awsQuery lists). */
export function toXml(node: XmlNode, listItemTag = 'item'): string {
  let out = '';
  for (const [tag, value] of Object.entries(node)) {
    if (value === undefined || value === null) continue;
    out += `<${tag}>${valueXml(value, listItemTag)}</${tag}>`;
  }
  return out;
}

function valueXml(value: XmlValue, listItemTag: string): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    return value.map((v) => `<${listItemTag}>${valueXml(v, listItemTag)}</${listItemTag}>`).join('');
  }
  if (typeof value === 'object') return toXml(value, listItemTag);
  return xmlEscape(String(value));
}

export function sendXml(
  res: ServerResponse,
  status: number,
  xml: string,
  reqId: string,
  headers: Record<string, string> = {},
): void {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  res.writeHead(status, {
    'content-type': 'text/xml;charset=UTF-8',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': reqId,
    ...headers,
  });
  res.end(text);
}

/** Parse an x-www-form-urlencoded awsQuery body into a flat map. */
export function parseForm(body: Buffer): Map<string, string> {
  return new Map(new URLSearchParams(body.toString('utf8')));
}

/** Collect `Prefix.1`, `Prefix.2`... values. */
export function formList(form: Map<string, string>, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; form.has(`${prefix}.${i}`); i++) out.push(form.get(`${prefix}.${i}`) as string);
  return out;
}

/** EC2 filters: Filter.N.Name / Filter.N.Value.M */
export function formFilters(form: Map<string, string>): { name: string; values: string[] }[] {
  const out: { name: string; values: string[] }[] = [];
  for (let i = 1; form.has(`Filter.${i}.Name`); i++) {
    out.push({ name: form.get(`Filter.${i}.Name`) as string, values: formList(form, `Filter.${i}.Value`) });
  }
  return out;
}

/** Opaque paging tokens: base64url of the next offset. */
export function encodeToken(offset: number, salt: string): string {
  return Buffer.from(JSON.stringify({ o: offset, s: salt })).toString('base64url');
}

export function decodeToken(token: string | undefined | null, salt: string): number | undefined {
  if (!token) return 0;
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; s?: unknown };
    if (typeof v.o === 'number' && Number.isInteger(v.o) && v.o >= 0 && v.s === salt) return v.o;
  } catch {
    // fall through
  }
  return undefined;
}

import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface SandboxTls {
  caCertPem: string;
  caKeyPem: string;
  certPem: string;
  keyPem: string;
}

function newKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

function serial(): string {
  // positive serial number (first bit clear)
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f;
  return b.toString('hex');
}

export function createCa(commonName = 'Dolly Sandbox CA'): { certPem: string; keyPem: string } {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600_000);
  const attrs = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'Dolly Sandbox' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKeyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

export function createServerCert(ca: { certPem: string; keyPem: string }): {
  certPem: string;
  keyPem: string;
} {
  const keys = newKeyPair();
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 825 * 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKeyPem };
}

function stillValid(pem: string, minDaysLeft: number): boolean {
  try {
    const x = new X509Certificate(pem);
    return new Date(x.validTo).getTime() - Date.now() > minDaysLeft * 24 * 3600_000;
  } catch {
    return false;
  }
}

/** Load the CA and server certificate from `<dataDir>/tls`, creating what is missing or expiring. */
export function loadOrCreateTls(dataDir: string): SandboxTls {
  const dir = join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true });
  const f = (n: string) => join(dir, n);
  let ca: { certPem: string; keyPem: string };
  if (
    existsSync(f('ca.pem')) &&
    existsSync(f('ca-key.pem')) &&
    stillValid(readFileSync(f('ca.pem'), 'utf8'), 30)
  ) {
    ca = { certPem: readFileSync(f('ca.pem'), 'utf8'), keyPem: readFileSync(f('ca-key.pem'), 'utf8') };
  } else {
    ca = createCa();
    writeFileSync(f('ca-key.pem'), ca.keyPem, { mode: 0o600 });
    writeFileSync(f('ca.pem'), ca.certPem);
  }
  let server: { certPem: string; keyPem: string } | undefined;
  if (existsSync(f('server.pem')) && existsSync(f('server-key.pem'))) {
    const certPem = readFileSync(f('server.pem'), 'utf8');
    const issuedByCa = (() => {
      try {
        return new X509Certificate(certPem).verify(new X509Certificate(ca.certPem).publicKey);
      } catch {
        return false;
      }
    })();
    if (issuedByCa && stillValid(certPem, 7))
      server = { certPem, keyPem: readFileSync(f('server-key.pem'), 'utf8') };
  }
  if (!server) {
    server = createServerCert(ca);
    writeFileSync(f('server-key.pem'), server.keyPem, { mode: 0o600 });
    writeFileSync(f('server.pem'), server.certPem);
  }
  return { caCertPem: ca.certPem, caKeyPem: ca.keyPem, certPem: server.certPem, keyPem: server.keyPem };
}

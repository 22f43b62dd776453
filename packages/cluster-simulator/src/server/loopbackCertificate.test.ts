import { X509Certificate, createPrivateKey } from 'node:crypto';
import { loopbackCertificate } from './loopbackCertificate';

describe('loopbackCertificate', () => {
  it('makes a self-signed certificate for 127.0.0.1 and localhost that matches its key', () => {
    const { cert, key } = loopbackCertificate();
    const x509 = new X509Certificate(cert);
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkHost('localhost')).toBe('localhost');
    expect(x509.checkHost('example.com')).toBeUndefined();
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(Date.parse(x509.validTo)).toBeGreaterThan(Date.now());
  });

  it('never hands out the same key twice', () => {
    expect(loopbackCertificate().key).not.toBe(loopbackCertificate().key);
  });
});

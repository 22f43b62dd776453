import { X509Certificate, createPrivateKey } from 'node:crypto';
import { loopbackCertificate, positiveSerial } from './loopbackCertificate';

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

  it('makes serials OpenSSL accepts whatever the random bytes are', () => {
    // A leading zero byte, bytes below and above 0x80: each becomes a
    // positive, minimally encoded 16-byte serial (OpenSSL refused the
    // zero-padded ones with "illegal padding").
    for (const first of [0x00, 0x05, 0x7f, 0x80, 0xff]) {
      const bytes = Buffer.alloc(16, 0xab);
      bytes[0] = first;
      const serial = positiveSerial(bytes);
      expect(serial).toHaveLength(32);
      expect(parseInt(serial.slice(0, 2), 16)).toBeGreaterThan(0);
      expect(parseInt(serial.slice(0, 2), 16)).toBeLessThan(0x80);
    }
    for (let i = 0; i < 20; i++) {
      expect(
        () => new X509Certificate(loopbackCertificate().cert),
      ).not.toThrow();
    }
  });
});

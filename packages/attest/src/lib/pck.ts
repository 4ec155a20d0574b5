/**
 * Intel SGX PCK certificate extension (OID 1.2.840.113741.1.13.1), per "Intel SGX PCK Certificate
 * and Certificate Revocation List Profile": PPID, TCB (16 component SVNs, PCESVN, CPUSVN), PCE-ID,
 * FMSPC. Read from a certificate whose chain has already been verified.
 */
import { fail, toHex } from './bytes.ts';
import { octets, oidEntry, sequenceOf, smallUint } from './asn1.ts';
import type { ParsedCert } from './x509.ts';

const SGX_EXT = '1.2.840.113741.1.13.1';
const CODE = 'ERR_CERT_MALFORMED';

export interface PckInfo {
  fmspc: string;
  pceId: string;
  /** 16 SGX TCB component SVNs. */
  tcbComponents: number[];
  pceSvn: number;
  cpuSvn: string;
}

const cache = new WeakMap<ParsedCert, PckInfo>();

/** The PCK fields of `cert` (parsed certificates are frozen and shared, so this is memoised). */
export function pckInfo(cert: ParsedCert): PckInfo {
  let info = cache.get(cert);
  if (!info) cache.set(cert, (info = Object.freeze(readPckInfo(cert))));
  return info;
}

function readPckInfo(cert: ParsedCert): PckInfo {
  const ext = cert.extensions.get(SGX_EXT);
  if (!ext) fail(CODE, 'PCK certificate has no SGX extension');
  const out: Partial<PckInfo> = {};
  for (const item of sequenceOf(ext, CODE, 'SGX extension')) {
    const [oid, val] = oidEntry(item, CODE, 'SGX extension');
    const id = oid.slice(SGX_EXT.length + 1);
    if (id === '4') out.fmspc = toHex(octets(val, CODE, 'FMSPC'));
    else if (id === '3') out.pceId = toHex(octets(val, CODE, 'PCE-ID'));
    else if (id === '2') {
      const comps = new Array<number>(16).fill(-1);
      for (const c of sequenceOf(val, CODE, 'SGX TCB')) {
        const [o, v] = oidEntry(c, CODE, 'SGX TCB');
        const n = Number(o.split('.').pop());
        if (n >= 1 && n <= 16) comps[n - 1] = smallUint(v, CODE, 'SGX TCB component');
        else if (n === 17) out.pceSvn = smallUint(v, CODE, 'PCESVN');
        else if (n === 18) out.cpuSvn = toHex(octets(v, CODE, 'CPUSVN'));
      }
      if (comps.includes(-1)) fail(CODE, 'SGX TCB: missing component SVNs');
      out.tcbComponents = comps;
    }
  }
  if (out.fmspc?.length !== 12 || out.pceId === undefined || !out.tcbComponents || out.pceSvn === undefined || out.cpuSvn === undefined) {
    fail(CODE, 'SGX extension: missing FMSPC, PCE-ID or TCB');
  }
  return out as PckInfo;
}

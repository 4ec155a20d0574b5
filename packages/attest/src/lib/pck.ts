/**
 * Intel SGX PCK certificate extension (OID 1.2.840.113741.1.13.1), per "Intel SGX PCK Certificate
 * and Certificate Revocation List Profile": PPID, TCB (16 component SVNs, PCESVN, CPUSVN), PCE-ID,
 * FMSPC. Read from the DER of a certificate whose chain has already been verified.
 */
import { fail, toHex } from './bytes.ts';
import { children, derUint, oidToString } from './der.ts';
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

export function pckInfo(cert: ParsedCert): PckInfo {
  const ext = cert.extensions.get(SGX_EXT);
  if (!ext) fail(CODE, 'PCK certificate has no SGX extension');
  const [seq] = children(ext, CODE);
  if (!seq || seq.tag !== 0x30) fail(CODE, 'SGX extension: not a SEQUENCE');
  const out: Partial<PckInfo> = {};
  for (const item of children(seq.value, CODE)) {
    const [oid, val] = children(item.value, CODE);
    if (!oid || !val) fail(CODE, 'SGX extension: malformed entry');
    const id = oidToString(oid.value).slice(SGX_EXT.length + 1);
    if (id === '4') out.fmspc = toHex(val.value);
    else if (id === '3') out.pceId = toHex(val.value);
    else if (id === '2') {
      const comps = new Array<number>(16).fill(-1);
      for (const c of children(val.value, CODE)) {
        const [o, v] = children(c.value, CODE);
        if (!o || !v) fail(CODE, 'SGX TCB: malformed entry');
        const n = Number(oidToString(o.value).split('.').pop());
        if (n >= 1 && n <= 16) comps[n - 1] = derUint(v.value, CODE);
        else if (n === 17) out.pceSvn = derUint(v.value, CODE);
        else if (n === 18) out.cpuSvn = toHex(v.value);
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

/**
 * Intel TCB level evaluation (DCAP Quote Verification Library semantics), kept apart from the
 * signature checks so it can be tested on real TCB info with hypothetical platforms.
 * A platform matches the first level (levels are listed newest first) whose every SGX component SVN
 * and PCESVN it meets or exceeds; for TDX also TEE_TCB_SVN against tdxtcbcomponents, where bytes 0–1
 * are left to the TDX module identity when byte 1 (the module's major version) is non-zero.
 * Inputs are the parsed, already signature-checked JSON; shapes are still checked strictly.
 */
import { fail } from './bytes.ts';
import type { PckInfo } from './pck.ts';
import type { TcbStatus } from '../policy.ts';

const MCODE = 'ERR_COLLATERAL_MALFORMED';

const STATUSES: TcbStatus[] = [
  'UpToDate',
  'SWHardeningNeeded',
  'ConfigurationNeeded',
  'ConfigurationAndSWHardeningNeeded',
  'OutOfDate',
  'OutOfDateConfigurationNeeded',
  'Revoked',
];

export function aStatus(s: unknown): TcbStatus {
  if (!STATUSES.includes(s as TcbStatus)) fail(MCODE, `unknown TCB status ${String(s)}`);
  return s as TcbStatus;
}

export function aInt(v: unknown, what: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 0) fail(MCODE, `${what}: expected a non-negative integer`);
  return v as number;
}

function svnList(tcb: Record<string, unknown>, version: number, prefix: 'sgx' | 'tdx'): number[] | undefined {
  if (version >= 3) {
    const comps = tcb[`${prefix}tcbcomponents`];
    if (comps === undefined) return undefined;
    if (!Array.isArray(comps) || comps.length !== 16) fail(MCODE, `${prefix}tcbcomponents must list 16 components`);
    return comps.map((c, i) => aInt((c as Record<string, unknown>)?.svn, `${prefix}tcbcomponents[${i}].svn`));
  }
  if (prefix === 'tdx') return undefined;
  return Array.from({ length: 16 }, (_, i) => aInt(tcb[`sgxtcbcomp${String(i + 1).padStart(2, '0')}svn`], `sgxtcbcomp${i + 1}svn`));
}

export function advisories(level: Record<string, unknown>): string[] {
  const a = level.advisoryIDs;
  if (a === undefined) return [];
  if (!Array.isArray(a) || a.some((x) => typeof x !== 'string')) fail(MCODE, 'advisoryIDs must be strings');
  return a as string[];
}

export function levels(doc: Record<string, unknown>, what: string): Record<string, unknown>[] {
  const l = doc.tcbLevels;
  if (!Array.isArray(l) || l.length === 0 || l.length > 1000) fail(MCODE, `${what}.tcbLevels must be a non-empty array`);
  return l.map((x) => {
    if (typeof x !== 'object' || x === null || typeof (x as Record<string, unknown>).tcb !== 'object') fail(MCODE, `${what}: malformed tcb level`);
    return x as Record<string, unknown>;
  });
}

/** Intel's convergence of a platform status with a QE / TDX-module status. */
export function converge(platform: TcbStatus, other: TcbStatus): TcbStatus {
  if (other === 'Revoked') return 'Revoked';
  if (other === 'OutOfDate' || other === 'OutOfDateConfigurationNeeded') {
    if (platform === 'UpToDate' || platform === 'SWHardeningNeeded') return 'OutOfDate';
    if (platform === 'ConfigurationNeeded' || platform === 'ConfigurationAndSWHardeningNeeded') return 'OutOfDateConfigurationNeeded';
  }
  return platform;
}

export interface PlatformLevel {
  status: TcbStatus;
  advisoryIds: string[];
  tcbDate: string;
}

/**
 * The TCB info level the platform is at.
 * @throws ERR_QUOTE_TCB_UNKNOWN when the platform is older than every level; ERR_COLLATERAL_MALFORMED
 */
export function matchPlatformTcbLevel(
  tcbInfo: Record<string, unknown>,
  version: number,
  pck: Pick<PckInfo, 'tcbComponents' | 'pceSvn'>,
  teeTcbSvn: Uint8Array | undefined,
): PlatformLevel {
  for (const level of levels(tcbInfo, 'tcb_info')) {
    const tcb = level.tcb as Record<string, unknown>;
    const sgx = svnList(tcb, version, 'sgx');
    if (!sgx) fail(MCODE, 'tcb level without SGX components');
    if (sgx.some((v, i) => pck.tcbComponents[i]! < v)) continue;
    if (pck.pceSvn < aInt(tcb.pcesvn, 'pcesvn')) continue;
    if (teeTcbSvn) {
      const tdx = svnList(tcb, version, 'tdx');
      if (!tdx) fail(MCODE, 'TDX tcb level without tdxtcbcomponents');
      // With a TDX module version (byte 1) set, bytes 0–1 are judged by the module identity instead.
      const from = teeTcbSvn[1]! > 0 ? 2 : 0;
      if (tdx.some((v, i) => i >= from && teeTcbSvn[i]! < v)) continue;
    }
    return { status: aStatus(level.tcbStatus), advisoryIds: advisories(level), tcbDate: String(level.tcbDate) };
  }
  fail('ERR_QUOTE_TCB_UNKNOWN', 'no TCB level in the TCB info matches the platform (older than every listed level)');
}

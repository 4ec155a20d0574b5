// The CRS follows the server: a CLI talking to a development server (whose /api/config says
// `crs.kind: "test"`) proves and verifies with the INSECURE test CRS — always with this warning on
// stderr, and only for that server's posts. VEIL_CRS=test still forces it for local commands.

/** Printed whenever the test CRS is in play; `why` says what brought it in. */
export function warnTestCrs(why: string): void {
  process.stderr.write(
    `veil: WARNING: INSECURE TEST CRS (${why}). Its trapdoor is public: anyone can forge these proofs. ` +
      'A "valid" result here proves nothing; use it for development only.\n',
  );
}


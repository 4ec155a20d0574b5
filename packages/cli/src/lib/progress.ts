// Progress of a long step on stderr: on a terminal, one line that counts the seconds; elsewhere
// (CI, pipes) a start line and an end line, so logs stay readable.

export function progress(label: string): { done(result: string): void } {
  const started = Date.now();
  const secs = () => ((Date.now() - started) / 1000).toFixed(0);
  const tty = process.stderr.isTTY === true;
  process.stderr.write(`veil: ${label}${tty ? ' … 0 s' : ' …\n'}`);
  const timer = tty ? setInterval(() => process.stderr.write(`\rveil: ${label} … ${secs()} s`), 1000) : undefined;
  timer?.unref();
  return {
    done(result: string) {
      if (timer) clearInterval(timer);
      process.stderr.write(`${tty ? '\r\x1b[K' : ''}veil: ${result} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    },
  };
}

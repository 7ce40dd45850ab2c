// A progress bar on stderr for the commands (stdout stays machine-readable). Redraws at most
// every 1% so a 50k-step loop does not spend its time writing the terminal.

export interface ProgressBar {
  update(done: number, label?: string): void;
  done(message?: string): void;
}

export function progressBar(title: string, total: number, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  const width = 30;
  let lastPct = -1;
  let lastDecile = -1;
  const tty = stream.isTTY === true;
  const draw = (done: number, label: string): void => {
    const pct = total === 0 ? 100 : Math.min(100, Math.floor((done / total) * 100));
    if (pct === lastPct) return;
    lastPct = pct;
    const filled = Math.round((pct / 100) * width);
    const line = `${title} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(pct).padStart(3)}% ${label}`;
    // Without a terminal, print every 10% on its own line instead of redrawing.
    if (tty) stream.write(`\r${line}`);
    else if (Math.floor(pct / 10) !== lastDecile) {
      lastDecile = Math.floor(pct / 10);
      stream.write(`${line}\n`);
    }
  };
  return {
    update(done, label = '') {
      draw(done, label);
    },
    done(message = '') {
      draw(total, '');
      stream.write(tty ? `\n${message ? message + '\n' : ''}` : message ? `${message}\n` : '');
    },
  };
}

// Terminal output for the demo: bars, numbers, and a progress line that redraws on a TTY.
const numbers = new Intl.NumberFormat('en');

export const count = (n) => numbers.format(Number(n));
export const percent = (ratio) => `${(ratio * 100).toFixed(1)}%`;

export function bar(ratio, width) {
  const filled = Math.round(Math.max(0, Math.min(1, ratio)) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export function bytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

export function section(title) {
  console.log(`\n${title}`);
}

/** Redraws one line on a terminal; prints each update on its own line elsewhere (CI logs). */
export function progressLine(text, done) {
  if (process.stdout.isTTY) process.stdout.write(`\r${text}${done ? '\n' : ''}`);
  else console.log(text);
}

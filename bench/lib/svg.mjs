// The verify chart of docs/benchmarks.md: grouped horizontal bars (one group per algorithm, one bar per
// contender), hand-written SVG so the docs need no charting dependency. The scale is logarithmic: the
// contenders span three orders of magnitude (a key parsed per call against a cache hit).

// One colour per contender, the same in every run (a row missing from a run does not shift the others).
const COLORS = {
  'ours (TokenService, strict)': '#2563eb',
  'ours + verifiedTokenCache': '#60a5fa',
  'node:crypto lax baseline': '#7c3aed',
  'jose jwtVerify': '#6b7280',
  'fast-jwt (cache off)': '#f59e0b',
  'fast-jwt (cache on)': '#fcd34d',
  'jsonwebtoken (KeyObject)': '#059669',
  'jsonwebtoken (string, as Feathers)': '#ef4444',
};
const OTHER = ['#0ea5e9', '#a855f7', '#14b8a6', '#f97316'];
const escape = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
function short(n) {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/**
 * @param {Array<{ scenario: string, name: string, opsPerSec: number }>} rows - the micro suite's rows
 * @param {string} caption - the machine line
 */
export function verifyChart(rows, caption) {
  const groups = new Map();
  for (const row of rows.filter((r) => r.scenario.startsWith('verify '))) {
    const alg = row.scenario.slice('verify '.length);
    if (!groups.has(alg)) groups.set(alg, []);
    groups.get(alg).push(row);
  }
  const names = [...new Set([...groups.values()].flat().map((r) => r.name))];
  const color = (name) => COLORS[name] ?? OTHER[names.indexOf(name) % OTHER.length];
  const values = [...groups.values()].flat().map((r) => r.opsPerSec);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const left = 70;
  const plot = 620;
  const width = left + plot + 70;
  const bar = 11;
  const legendRows = Math.ceil(names.length / 3);
  const top = 40 + legendRows * 18;
  const x = (v) => left + (Math.log10(v / lo) / Math.log10(hi / lo)) * plot;
  const out = [];
  let y = top;
  for (const [alg, group] of groups) {
    const height = group.length * (bar + 2);
    out.push(
      `<text x="${left - 8}" y="${y + height / 2 + 4}" text-anchor="end" font-weight="bold">${escape(alg)}</text>`,
    );
    for (const row of group) {
      const w = Math.max(1, x(row.opsPerSec) - left);
      out.push(
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${color(row.name)}"><title>${escape(row.name)}: ${Math.round(row.opsPerSec)} ops/s</title></rect>`,
        `<text x="${(left + w + 4).toFixed(1)}" y="${y + bar - 2}" font-size="10">${short(row.opsPerSec)}</text>`,
      );
      y += bar + 2;
    }
    y += 12;
  }
  const height = y + 36;
  const grid = [];
  for (let v = lo; v <= hi; v *= 10) {
    grid.push(
      `<line x1="${x(v).toFixed(1)}" y1="${top - 6}" x2="${x(v).toFixed(1)}" y2="${y - 6}" stroke="#d1d5db"/>`,
      `<text x="${x(v).toFixed(1)}" y="${y + 8}" text-anchor="middle" font-size="10">${short(v)}</text>`,
    );
  }
  const legend = names.map((name, i) => {
    const lx = 10 + (i % 3) * 250;
    const ly = 30 + Math.floor(i / 3) * 18;
    return `<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${color(name)}"/><text x="${lx + 14}" y="${ly}" font-size="11">${escape(name)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12" fill="#111827">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="16" font-weight="bold">Token verification, operations per second (median; logarithmic scale)</text>`,
    ...legend,
    ...grid,
    ...out,
    `<text x="10" y="${height - 8}" font-size="10" fill="#4b5563">${escape(caption)}</text>`,
    `</svg>`,
    '',
  ].join('\n');
}

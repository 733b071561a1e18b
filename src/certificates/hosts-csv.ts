import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';

export interface HostRow {
  // The line of the upload, from 1, so a person can find the row in their file.
  line: number;
  // As written, for the answer; host is its ASCII form.
  text: string;
  host: string;
  port: number;
  // Why the row cannot be used (import_host_invalid), or undefined.
  problem?: 'import_host_invalid';
}

const HEADER = /^(host|hostname|host name|server|name)$/i;
const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

// A CSV of servers: one `host[,port]` a line, an optional header line, port 443 when none is
// given. Blank lines and lines starting with # are left out; everything else gets a row, an
// unusable one too, so nothing a person wrote disappears without an answer.
export function parseHostsCsv(text: string): HostRow[] {
  const rows: HostRow[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const cells = line.split(/[,;\t]/).map((c) =>
      c
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .trim(),
    );
    if (rows.length === 0 && HEADER.test(cells[0])) {
      continue;
    }
    const text = line.slice(0, 300);
    const host = hostOf(cells[0]);
    const port = portOf(cells[1]);
    const extra = cells.slice(2).some((c) => c !== '');
    if (host === null || port === null || extra) {
      rows.push({ line: i + 1, text, host: cells[0], port: 443, problem: 'import_host_invalid' });
    } else {
      rows.push({ line: i + 1, text, host, port });
    }
  }
  return rows;
}

// A DNS name (IDNs as their ASCII form) or an IP address (IPv6 may be in brackets).
function hostOf(cell: string): string | null {
  const bare = cell.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare)) {
    return bare.includes('%') ? null : bare;
  }
  if (cell.length === 0 || cell.length > 253) {
    return null;
  }
  const ascii = domainToASCII(cell.replace(/\.$/, '')).toLowerCase();
  if (ascii === '' || ascii.length > 253 || !ascii.split('.').every((l) => LABEL.test(l))) {
    return null;
  }
  return ascii;
}

function portOf(cell: string | undefined): number | null {
  if (cell === undefined || cell === '') {
    return 443;
  }
  if (!/^\d{1,5}$/.test(cell)) {
    return null;
  }
  const port = Number(cell);
  return port >= 1 && port <= 65535 ? port : null;
}

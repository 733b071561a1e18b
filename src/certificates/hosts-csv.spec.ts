import { parseHostsCsv } from './hosts-csv.js';

describe('parseHostsCsv', () => {
  it('reads host[,port] lines, skipping a header, blank lines and comments', () => {
    const rows = parseHostsCsv(
      '\uFEFFHost,Port\r\nwww.example.org\r\n\r\n# mail\r\nmail.example.org, 993\r\n"Bücher.example", 8443\r\n',
    );
    expect(rows.map((r) => [r.line, r.host, r.port, r.problem])).toEqual([
      [2, 'www.example.org', 443, undefined],
      [5, 'mail.example.org', 993, undefined],
      [6, 'xn--bcher-kva.example', 8443, undefined],
    ]);
  });

  it('takes IP addresses, IPv6 in brackets or bare', () => {
    expect(
      parseHostsCsv('192.0.2.1,444\n[2001:db8::1],8443\n2001:db8::2').map((r) => r.host),
    ).toEqual(['192.0.2.1', '2001:db8::1', '2001:db8::2']);
  });

  it('keeps a row for every line it cannot use, with the line as written', () => {
    const rows = parseHostsCsv(
      'good.example\nbad host!\nx.example,0\nx.example,70000\nx.example,443,extra\n-x.example',
    );
    expect(rows.map((r) => [r.line, r.text, r.problem])).toEqual([
      [1, 'good.example', undefined],
      [2, 'bad host!', 'import_host_invalid'],
      [3, 'x.example,0', 'import_host_invalid'],
      [4, 'x.example,70000', 'import_host_invalid'],
      [5, 'x.example,443,extra', 'import_host_invalid'],
      [6, '-x.example', 'import_host_invalid'],
    ]);
  });

  it('treats a header only on the first line', () => {
    expect(parseHostsCsv('a.example\nhost').map((r) => r.host)).toEqual(['a.example', 'host']);
  });
});

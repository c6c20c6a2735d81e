import assert from 'node:assert/strict';
import { test } from 'node:test';
import { negotiateEncoding, type Coding } from '../../gateway/compression/negotiate-encoding.js';

const BOTH: readonly Coding[] = ['br', 'gzip'];

const cases: { header: string | undefined; offered?: readonly Coding[]; want: Coding | null; why: string }[] = [
  { header: undefined, want: null, why: 'no field: identity (the usual reading, and what clients without it expect)' },
  { header: '', want: null, why: 'empty field: the client wants no coding (RFC 9110 12.5.3)' },
  { header: 'gzip', want: 'gzip', why: 'the one coding listed' },
  { header: 'br', want: 'br', why: 'brotli alone' },
  { header: 'gzip, deflate, br', want: 'br', why: 'a browser\'s list: equal weights prefer br' },
  { header: 'gzip, deflate, br, zstd', want: 'br', why: 'unknown codings are passed over' },
  { header: 'deflate', want: null, why: 'nothing we offer' },
  { header: 'br;q=0.5, gzip', want: 'gzip', why: 'the higher weight wins over our preference' },
  { header: 'gzip;q=0.9, br;q=0.8', want: 'gzip', why: 'weights compared, not order' },
  { header: 'br;q=0, gzip;q=0', want: null, why: 'q=0 means not acceptable' },
  { header: 'br;q=0', want: null, why: 'the only one listed is refused' },
  { header: '*', want: 'br', why: 'the wildcard accepts every coding: our preference picks' },
  { header: '*;q=0.5, br;q=0', want: 'gzip', why: 'the wildcard covers gzip; br is refused by name' },
  { header: 'gzip;q=0.2, *;q=0.8', want: 'br', why: 'a listed coding keeps its own weight; br gets the wildcard\'s' },
  { header: '*;q=0', want: null, why: 'the wildcard refuses everything not listed' },
  { header: 'GZIP', want: 'gzip', why: 'coding names are case-insensitive (RFC 9110 8.4.1)' },
  { header: 'Br;Q=1', want: 'br', why: 'the q parameter name is case-insensitive too' },
  { header: 'x-gzip', want: 'gzip', why: 'x-gzip is gzip (RFC 9110 8.4.1.3)' },
  { header: '  gzip ;  q=0.5 ,\tbr ; q=0.4  ', want: 'gzip', why: 'optional whitespace around ; and ,' },
  { header: ',, ,gzip,', want: 'gzip', why: 'empty list elements are skipped (RFC 9110 5.6.1)' },
  { header: 'br;q=2, gzip', want: 'gzip', why: 'a weight above 1 is invalid: that member is ignored' },
  { header: 'br;q=0.5555, gzip;q=0.1', want: 'gzip', why: 'more than three decimals is invalid: ignored' },
  { header: 'br;q=.5, gzip;q=0.1', want: 'gzip', why: 'a weight without its leading digit is invalid' },
  { header: 'br;q=abc, gzip;q=0.1', want: 'gzip', why: 'a weight that is no number is invalid' },
  { header: 'br;q=1.000, gzip', want: 'br', why: '1.000 is a valid weight' },
  { header: 'br;q=1.001, gzip;q=0.1', want: 'gzip', why: '1.001 is not' },
  { header: 'br;q=0., gzip;q=0.1', want: 'gzip', why: '"0." is valid (zero decimals) and refuses br' },
  { header: 'br;level=5, gzip;q=0.1', want: 'gzip', why: 'parameters other than q are not in the grammar: ignored' },
  { header: 'br;q=0.5;x=1, gzip;q=0.1', want: 'gzip', why: 'a q followed by another parameter: ignored too' },
  { header: 'br;q=0, br', want: null, why: 'the first valid member for a name counts' },
  { header: 'identity;q=0', want: null, why: 'identity refused but nothing else acceptable: identity anyway (no 406)' },
  { header: 'identity;q=0, gzip', want: 'gzip', why: 'identity refused and gzip accepted' },
  { header: 'identity, gzip;q=0.5', want: null, why: 'identity listed above every coding: the client prefers it' },
  { header: 'identity;q=0.5, gzip;q=0.5', want: 'gzip', why: 'a tie with identity goes to the coding' },
  { header: 'gzip, br', offered: ['gzip'], want: 'gzip', why: 'only what is offered can be chosen' },
  { header: 'gzip, br', offered: ['gzip', 'br'], want: 'gzip', why: 'ties follow the offered order' },
  { header: 'gzip', offered: [], want: null, why: 'nothing offered' },
];

for (const c of cases) {
  test(`negotiateEncoding ${JSON.stringify(c.header)}: ${c.why}`, () => {
    assert.equal(negotiateEncoding(c.header, c.offered ?? BOTH), c.want);
  });
}

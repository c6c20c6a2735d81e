/** The content codings the gateway can apply itself. */
export type Coding = 'br' | 'gzip';

// RFC 9110 12.4.2: weight = OWS ";" OWS "q=" qvalue; qvalue = 0[.ddd] / 1[.000]. The name is
// case-insensitive like every parameter name (5.6.6).
const WEIGHT = /^[ \t]*[qQ]=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)[ \t]*$/;
const NOT_LISTED = -1;

/**
 * The coding to send for a request's Accept-Encoding, per RFC 9110 12.5.3, or null for
 * identity. `offered` is in the server's order of preference: on equal weights the earlier one
 * wins (callers offer br before gzip: smaller for the same work at the levels we use).
 *
 * - No field, or an empty one (12.5.3: "does not want any content coding"): identity.
 * - A coding is acceptable when listed with q > 0, or covered by `*` with q > 0 and not listed.
 * - `x-gzip` is gzip (8.4.1.3). Names are case-insensitive (8.4.1).
 * - A member whose weight is not a valid qvalue, or that carries other parameters, is ignored
 *   (the grammar has no room for them); the first valid member for a name counts.
 * - identity is never refused here: `identity;q=0` with nothing else acceptable still gets
 *   identity (12.5.3 allows disregarding the field rather than a 406). When identity is listed
 *   with a weight above every acceptable coding, the client prefers it: null.
 */
export function negotiateEncoding(acceptEncoding: string | undefined, offered: readonly Coding[]): Coding | null {
  if (acceptEncoding === undefined || acceptEncoding === '') return null;
  let br = NOT_LISTED;
  let gzip = NOT_LISTED;
  let star = NOT_LISTED;
  let identity = NOT_LISTED;
  for (const member of acceptEncoding.split(',')) {
    const semi = member.indexOf(';');
    const name = (semi === -1 ? member : member.slice(0, semi)).trim().toLowerCase();
    if (name === '') continue; // RFC 9110 5.6.1: empty list elements are allowed and mean nothing
    let q = 1;
    if (semi !== -1) {
      const m = WEIGHT.exec(member.slice(semi + 1));
      if (m === null) continue;
      q = Number(m[1]);
    }
    if (name === 'br') { if (br === NOT_LISTED) br = q; }
    else if (name === 'gzip' || name === 'x-gzip') { if (gzip === NOT_LISTED) gzip = q; }
    else if (name === '*') { if (star === NOT_LISTED) star = q; }
    else if (name === 'identity') { if (identity === NOT_LISTED) identity = q; }
  }
  let best: Coding | null = null;
  let bestQ = 0;
  for (const coding of offered) {
    const listed = coding === 'br' ? br : gzip;
    const q = listed !== NOT_LISTED ? listed : star !== NOT_LISTED ? star : 0;
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  return best !== null && identity > bestQ ? null : best;
}

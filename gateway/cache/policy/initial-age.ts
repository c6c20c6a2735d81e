import { singleton, type HeaderRecord } from './header-value.js';
import { parseAge } from './parse-age.js';
import { parseHttpDate } from './parse-http-date.js';

/**
 * The Date of a response (RFC 9110 6.6.1), or the time it was received when it has none, a
 * repeated one, or one that is not an HTTP-date: "a recipient with a clock that receives a
 * response message without a Date header field MUST record the time it was received".
 */
export function responseDateMs(headers: HeaderRecord, responseTime: number): number {
  const raw = singleton(headers['date']);
  return (raw === null ? null : parseHttpDate(raw, responseTime)) ?? responseTime;
}

/**
 * RFC 9111 4.2.3, at the moment the response arrived (resident_time 0):
 *   apparent_age = max(0, response_time - date_value)
 *   response_delay = response_time - request_time
 *   corrected_age_value = age_value + response_delay
 *   corrected_initial_age = max(apparent_age, corrected_age_value)
 * current_age later adds the resident time (entry-state.ts). Age is seconds on the wire, ms here.
 * A response_delay below 0 (clock stepped back between request and response) counts as 0.
 */
export function initialAgeMs(headers: HeaderRecord, requestTime: number, responseTime: number): number {
  const apparentAge = Math.max(0, responseTime - responseDateMs(headers, responseTime));
  const responseDelay = Math.max(0, responseTime - requestTime);
  const ageValue = (parseAge(headers['age']) ?? 0) * 1000;
  return Math.max(apparentAge, ageValue + responseDelay);
}

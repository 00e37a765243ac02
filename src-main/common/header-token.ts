/**
 * A SIP header value's leading token, without its parameters, lower-cased: a Content-Type's
 * media type ("application/sdp;charset=x" → "application/sdp"), an Event's package
 * ("message-summary;id=1" → "message-summary"). An absent header gives "".
 */
export function headerToken(value: string | undefined): string {
  return (value ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/** The read key a request presents: `Authorization: Bearer KEY`, else `?key=KEY`. */
export function presentedKey(request: Request, url: URL): string | undefined {
  const header = request.headers.get('authorization');
  const bearer = header === null ? undefined : /^Bearer\s+(.+)$/i.exec(header.trim())?.[1];
  return bearer ?? url.searchParams.get('key') ?? undefined;
}

/** Compares in time that depends on the expected key's length only. */
export function sameKey(given: string, expected: string): boolean {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= (given.charCodeAt(i) || 0) ^ expected.charCodeAt(i);
  return diff === 0;
}

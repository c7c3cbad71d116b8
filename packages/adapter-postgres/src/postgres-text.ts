// PostgreSQL text and jsonb cannot hold U+0000 (jsonb rejects `\u0000` with 22P05, a text parameter with
// 22021), and jsonb rejects an unpaired surrogate escape (22P02). JSON.stringify writes exactly those two
// as `\u` escapes (paired surrogates stay raw), so one scan of the JSON text finds them; an escape only
// counts after an even run of backslashes, so a literal `\u0000` typed by a user (`\\u0000`) is fine.
const UNSTORABLE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f])/i;

/**
 * True when PostgreSQL can store this JSON text (as jsonb, or its string as text) as it is.
 * @param json - The output of `JSON.stringify`.
 */
export function isStorableJson(json: string): boolean {
  return !UNSTORABLE.test(json);
}

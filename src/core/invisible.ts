// Characters a reader of the forge does not see but an agent reading the raw text does (DESIGN §8):
// format characters (Unicode category Cf: zero-width, bidi controls, the soft hyphen, tag characters
// U+E0000–E007F that spell invisible ASCII), every other Default_Ignorable_Code_Point (variation
// selectors U+FE00–FE0F and U+E0100–E01EF, the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, the
// combining grapheme joiner…), lone surrogates, terminal escape sequences and control characters.
// Pure; used by both the plain-text and the Markdown sanitizer.

/** ANSI/VT escape sequences (CI logs are full of colour codes): CSI, OSC, and two-character escapes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC and BEL start and end the sequences it removes.
const ANSI = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)|\u001B[@-Z\\-_]/g;

/** Cf, Default_Ignorable_Code_Point (the fillers listed again for the reader), lone surrogates. */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Cs}\u115F\u1160\u3164\uFFA0]/gu;

/** C0 controls except \t and \n (\r is normalized before), DEL, C1 controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this regex's job.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/**
 * Remove invisible and control characters and escape sequences; normalize line endings (CRLF, CR and
 * the Unicode line/paragraph separators) to \n. Keeps tabs, newlines and everything visible.
 * Idempotent.
 */
export function stripInvisible(text: string): string {
  return text
    .replace(/\r\n?|[\u2028\u2029]/g, '\n')
    .replace(ANSI, '')
    .replace(INVISIBLE, '')
    .replace(CONTROL, '');
}

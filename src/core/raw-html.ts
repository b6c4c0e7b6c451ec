// Raw HTML inside untrusted Markdown, read as a browser reads what the forge renders (see markdown.ts).
// Chunks arrive in document order; whatever one leaves open (a comment, a raw-text or hidden element, a
// tag or an attribute value) hides everything after it, Markdown included, until raw HTML closes it.
// Only the text a reader sees comes out: tags, attributes and comments do not. Pure.

import { decodeNamedCharacterReference } from 'decode-named-character-reference';
import { stripInvisible } from './invisible.js';

/** Elements whose content the forge does not show (or shows escaped): dropped with their content. */
const HIDDEN_ELEMENTS = new Set(['template', 'svg', 'math', 'object', 'head', 'select', 'datalist']);
/** Raw-text elements: their content is not HTML, so only the matching end tag ends them. */
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'plaintext']);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
/** Tags that break a line in the rendered text. */
const BLOCK = new Set(
  'address article aside blockquote center dd details dialog div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody tfoot thead tr ul'.split(
    ' ',
  ),
);
const WS = /[\t\n\f\r ]/;
const ENTITY = /&(?:#(\d{1,8})|#[xX]([0-9A-Fa-f]{1,8})|([A-Za-z][A-Za-z0-9]{0,31}));/g;

/** What raw HTML has left open: the browser hides everything until it is closed. */
type Open = { kind: 'comment' } | { kind: 'bogus' } | { kind: 'raw'; name: string } | { kind: 'element'; name: string; depth: number };

interface TagToken {
  kind: 'start' | 'end';
  name: string;
  end: number;
  selfClosing: boolean;
  /** Has the `hidden` attribute. */
  hidden: boolean;
}
type Token = { kind: 'text' } | { kind: 'incomplete' } | { kind: 'comment' | 'bogus' | 'ignored'; end: number } | TagToken;

/** One document's raw HTML, fed chunk by chunk (block and inline `html` nodes) in document order. */
export class RawHtml {
  private readonly open: Open[] = [];
  /** A tag the last chunk left unfinished: the next chunk continues it. */
  private pendingTag = '';

  /** Raw HTML has left something open: what follows is not shown. */
  get hidden(): boolean {
    return this.open.length > 0 || this.pendingTag !== '';
  }

  /** The text a browser shows for a chunk of raw HTML, continuing whatever earlier chunks left open. */
  text(raw: string): string {
    const s = this.pendingTag + raw;
    this.pendingTag = '';
    let out = '';
    let i = 0;
    while (i < s.length) {
      const top = this.open.at(-1);
      if (top?.kind === 'comment' || top?.kind === 'bogus') {
        const end = top.kind === 'comment' ? /--!?>/g : />/g;
        end.lastIndex = i;
        const m = end.exec(s);
        if (!m) return out;
        this.open.pop();
        i = m.index + m[0].length;
        continue;
      }
      if (top?.kind === 'raw') {
        if (top.name === 'plaintext') return out; // never ends
        const end = new RegExp(`</${top.name}(?=[\\t\\n\\f\\r />])`, 'gi');
        end.lastIndex = i;
        const m = end.exec(s);
        if (!m) return out;
        this.open.pop();
        i = m.index; // the end tag itself is read below, in the enclosing state
        continue;
      }
      const lt = s.indexOf('<', i);
      if (!top) out += decode(s.slice(i, lt < 0 ? s.length : lt));
      if (lt < 0) break;
      const tok = readTag(s, lt);
      if (tok.kind === 'text') {
        if (!top) out += '<';
        i = lt + 1;
        continue;
      }
      if (tok.kind === 'incomplete') {
        this.pendingTag = s.slice(lt);
        return out;
      }
      i = tok.end;
      if (tok.kind === 'comment' || tok.kind === 'bogus') this.open.push({ kind: tok.kind });
      else if (tok.kind === 'start') out += this.startTag(tok, top);
      else if (tok.kind === 'end') {
        if (top?.kind === 'element' && tok.name === top.name && --top.depth === 0) this.open.pop();
        else if (!top && BLOCK.has(tok.name)) out += '\n';
      }
    }
    return out;
  }

  private startTag(tok: TagToken, top: Open | undefined): string {
    const { name } = tok;
    const opens = !tok.selfClosing && !VOID.has(name);
    if (RAW_TEXT.has(name)) {
      this.open.push({ kind: 'raw', name });
      return '';
    }
    if (top?.kind === 'element') {
      if (name === top.name && opens) top.depth++;
      return '';
    }
    if (HIDDEN_ELEMENTS.has(name) || tok.hidden) {
      if (opens) this.open.push({ kind: 'element', name, depth: 1 });
      return '';
    }
    if (name === 'br') return '\n';
    if (name === 'img') return '[image]';
    return BLOCK.has(name) ? '\n' : '';
  }
}

/** One token at `<`, read the way a browser's tokenizer does (attribute values may hold `>`). */
function readTag(s: string, lt: number): Token {
  const c = s[lt + 1];
  if (c === undefined) return { kind: 'text' };
  if (s.startsWith('<!--', lt)) return { kind: 'comment', end: lt + 4 };
  if (c === '!' || c === '?') return { kind: 'bogus', end: lt + 2 };
  const closing = c === '/';
  if (closing) {
    const d = s[lt + 2];
    if (d === undefined) return { kind: 'incomplete' };
    if (d === '>') return { kind: 'ignored', end: lt + 3 };
    if (!/[A-Za-z]/.test(d)) return { kind: 'bogus', end: lt + 2 };
  } else if (!/[A-Za-z]/.test(c)) return { kind: 'text' };
  let j = lt + (closing ? 2 : 1);
  const nameStart = j;
  while (j < s.length && !WS.test(s[j]!) && s[j] !== '/' && s[j] !== '>') j++;
  const name = s.slice(nameStart, j).toLowerCase();
  let selfClosing = false;
  let hidden = false;
  while (j < s.length) {
    const ch = s[j]!;
    if (WS.test(ch)) j++;
    else if (ch === '>') return { kind: closing ? 'end' : 'start', name, end: j + 1, selfClosing, hidden };
    else if (ch === '/') {
      selfClosing = s[j + 1] === '>';
      j++;
    } else {
      const attrStart = j++;
      while (j < s.length && !WS.test(s[j]!) && !'/>='.includes(s[j]!)) j++;
      if (s.slice(attrStart, j).toLowerCase() === 'hidden') hidden = true;
      while (j < s.length && WS.test(s[j]!)) j++;
      if (s[j] !== '=') continue;
      j++;
      while (j < s.length && WS.test(s[j]!)) j++;
      const q = s[j];
      if (q === '"' || q === "'") {
        const close = s.indexOf(q, j + 1);
        if (close < 0) return { kind: 'incomplete' };
        j = close + 1;
      } else while (j < s.length && !WS.test(s[j]!) && s[j] !== '>') j++;
    }
  }
  return { kind: 'incomplete' };
}

/** Character references in raw HTML text, decoded (so an encoded invisible character is removed too). */
function decode(text: string): string {
  const decoded = text.replace(ENTITY, (whole, dec?: string, hex?: string, name?: string) => {
    if (name) {
      const value = decodeNamedCharacterReference(name);
      return value === false ? whole : value;
    }
    const code = dec ? Number.parseInt(dec, 10) : Number.parseInt(hex!, 16);
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '\uFFFD';
  });
  return stripInvisible(decoded);
}

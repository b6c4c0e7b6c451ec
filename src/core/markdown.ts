// Markdown reduced to what a reader of the rendered issue sees (DESIGN §8): the only issue text an
// agent may read. The text is parsed as GitHub parses it (CommonMark + GFM: tables, strikethrough,
// autolinks, task lists, footnotes) and re-emitted as plain Markdown-like text. Pure.
//
// Dropped: HTML comments, link reference definitions, link and image titles, image alt text (an image
// becomes `[image]`), code info strings, footnote labels (rendered as numbers), footnotes nobody
// references, raw HTML tags and their attributes, the content of elements the forge does not show
// (script, style, template, `hidden`…), and every invisible or control character (invisible.ts).
// Kept: text, headings, lists, quotes, tables, code spans and blocks (content verbatim apart from
// invisible characters), links as `text (url)`, the text inside raw HTML (e.g. <details>).
//
// Raw HTML is handed to the browser as it stands, so a construct it leaves open (a comment, a hidden
// element, a tag or attribute value) can hide the Markdown after it: the reducer keeps that state across
// the whole document and drops everything until raw HTML closes it. Never parse the input after
// removing characters: `<!-- a --\u200B> hidden -->` would then end early and show what the forge hides.

import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import { stripInvisible } from './invisible.js';
import { RawHtml } from './raw-html.js';

type Root = ReturnType<typeof fromMarkdown>;
type Node = Root['children'][number];
type Of<T extends Node['type']> = Extract<Node, { type: T }>;
type Parent = Extract<Node, { children: unknown[] }>;

/** Deeper nesting than this (quotes in lists in quotes…) is not a real issue: fail closed. */
const MAX_DEPTH = 100;

/** GitHub's limit for a body or comment. Longer text (other forges) is cut at a blank line first. */
export const MAX_MARKDOWN = 65_536;

/**
 * The visible content of untrusted Markdown. Text over MAX_MARKDOWN characters is cut at the last
 * blank line before the limit (no inline construct spans a blank line; a block left open there hides
 * the rest, the safe way), with a marker. Text the parser cannot handle (nesting thousands deep) is
 * left out entirely, with a marker: fail closed.
 */
export function sanitizeMarkdown(markdown: string): string {
  let text = markdown.replace(/\r\n?/g, '\n');
  let cut = '';
  if (text.length > MAX_MARKDOWN) {
    const end = text.lastIndexOf('\n\n', MAX_MARKDOWN);
    cut = `\n\n[… ${text.length - Math.max(0, end)} characters left out: the text is longer than ${MAX_MARKDOWN} …]`;
    text = end < 0 ? '' : text.slice(0, end);
  }
  try {
    const root = fromMarkdown(text, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
    return (new Reducer(root).run() + cut).trim();
  } catch {
    return `[… ${markdown.length} characters left out: the text could not be read safely …]`;
  }
}

class Reducer {
  private readonly raw = new RawHtml();
  private readonly urls = new Map<string, string>();
  private readonly notes = new Map<string, Of<'footnoteDefinition'>>();
  private readonly numbers = new Map<string, number>();
  private depth = 0;

  constructor(private readonly root: Root) {
    const collect = (nodes: readonly Node[]) => {
      for (const n of nodes) {
        if (n.type === 'definition' && !this.urls.has(n.identifier)) this.urls.set(n.identifier, n.url);
        if (n.type === 'footnoteDefinition' && !this.notes.has(n.identifier)) this.notes.set(n.identifier, n);
        if ('children' in n) collect(n.children as Node[]);
      }
    };
    collect(root.children);
  }

  run(): string {
    const parts = [this.blocks(this.root.children)];
    // GitHub lists the footnotes that are referenced at the end, numbered in order of first reference.
    const done = new Set<string>();
    for (let added = true; added; ) {
      added = false;
      for (const [id, n] of [...this.numbers].sort((a, b) => a[1] - b[1])) {
        if (done.has(id)) continue;
        done.add(id);
        added = true;
        const body = this.blocks(this.notes.get(id)?.children ?? [], '\n');
        if (body) parts.push(indent(`[^${n}]: `, body, '    '));
      }
    }
    return parts.filter((p) => p !== '').join('\n\n');
  }

  private get hidden(): boolean {
    return this.raw.hidden;
  }

  private text(value: string): string {
    return this.hidden ? '' : stripInvisible(value);
  }

  private blocks(nodes: readonly Node[], sep = '\n\n'): string {
    return this.nested(() =>
      nodes
        .map((n) => this.block(n))
        .filter((s) => s.trim() !== '')
        .join(sep),
    );
  }

  private nested(render: () => string): string {
    if (++this.depth > MAX_DEPTH) throw new Error(`nested more than ${MAX_DEPTH} deep`);
    try {
      return render();
    } finally {
      this.depth--;
    }
  }

  private block(n: Node): string {
    switch (n.type) {
      case 'paragraph':
        return this.inline(n.children).trim();
      case 'heading': {
        const inner = this.inline(n.children).trim();
        return inner ? `${'#'.repeat(n.depth)} ${inner}` : '';
      }
      case 'thematicBreak':
        return this.hidden ? '' : '---';
      case 'blockquote': {
        const inner = this.blocks(n.children);
        return inner
          .split('\n')
          .map((l) => (l ? `> ${l}` : '>'))
          .join('\n');
      }
      case 'list':
        return this.list(n);
      case 'code': {
        if (this.hidden) return '';
        const body = stripInvisible(n.value);
        const fence = '`'.repeat(Math.max(3, longestRun(body) + 1));
        return `${fence}\n${body}\n${fence}`;
      }
      case 'html':
        return tidy(this.raw.text(n.value));
      case 'table':
        return this.table(n);
      case 'definition':
      case 'footnoteDefinition':
        return '';
      default:
        return 'children' in n ? this.blocks((n as Parent).children as Node[]) : '';
    }
  }

  private list(n: Of<'list'>): string {
    const items = n.children.map((item, i) => {
      const marker = n.ordered ? `${(n.start ?? 1) + i}.` : '-';
      const body = this.blocks(item.children, item.spread ? '\n\n' : '\n');
      if (body === '') return '';
      const box = item.checked === true ? '[x] ' : item.checked === false ? '[ ] ' : '';
      return indent(`${marker} ${box}`, body, ' '.repeat(marker.length + 1));
    });
    return items.filter((s) => s !== '').join(n.spread ? '\n\n' : '\n');
  }

  private table(n: Of<'table'>): string {
    const rows = n.children.map((row) =>
      row.children.map((cell) => this.inline(cell.children).replace(/\n/g, ' ').replace(/\|/g, '\\|').trim()),
    );
    const [head, ...rest] = rows;
    if (!head || rows.every((r) => r.every((c) => c === ''))) return '';
    const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
    return [line(head), line(head.map(() => '---')), ...rest.map(line)].join('\n');
  }

  private inline(nodes: readonly Node[]): string {
    return this.nested(() => nodes.map((n) => this.phrase(n)).join(''));
  }

  private phrase(n: Node): string {
    switch (n.type) {
      case 'text':
        return this.text(n.value);
      case 'emphasis':
        return wrap('*', this.inline(n.children));
      case 'strong':
        return wrap('**', this.inline(n.children));
      case 'delete':
        return wrap('~~', this.inline(n.children));
      case 'inlineCode': {
        if (this.hidden) return '';
        const body = stripInvisible(n.value);
        const ticks = '`'.repeat(longestRun(body) + 1);
        const pad = body.startsWith('`') || body.endsWith('`') ? ' ' : '';
        return `${ticks}${pad}${body}${pad}${ticks}`;
      }
      case 'break':
        return this.hidden ? '' : '\n';
      case 'link':
        return this.link(n.children, n.url);
      case 'linkReference':
        return this.link(n.children, this.urls.get(n.identifier) ?? '');
      case 'image':
      case 'imageReference':
        return this.hidden ? '' : '[image]';
      case 'footnoteReference': {
        if (this.hidden || !this.notes.has(n.identifier)) return '';
        if (!this.numbers.has(n.identifier)) this.numbers.set(n.identifier, this.numbers.size + 1);
        return `[^${this.numbers.get(n.identifier)}]`;
      }
      case 'html':
        return this.raw.text(n.value);
      default:
        return 'children' in n ? this.inline((n as Parent).children as Node[]) : '';
    }
  }

  /** `text (url)`; just the text when it is the URL (autolinks); nothing when the text is empty. */
  private link(children: readonly Node[], rawUrl: string): string {
    const shown = !this.hidden;
    const inner = this.inline(children);
    if (!shown || inner.trim() === '') return inner;
    const url = stripInvisible(rawUrl);
    const same = [inner, `mailto:${inner}`, `http://${inner}`, `https://${inner}`].includes(url);
    return url === '' || same ? inner : `${inner} (${url})`;
  }
}

function tidy(text: string): string {
  return text
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function wrap(marker: string, inner: string): string {
  return inner.trim() === '' ? inner : `${marker}${inner}${marker}`;
}

/** `first` before the first line, `pad` before the following non-empty ones. */
function indent(first: string, body: string, pad: string): string {
  return body
    .split('\n')
    .map((l, i) => (i === 0 ? first + l : l === '' ? l : pad + l))
    .join('\n');
}

function longestRun(text: string): number {
  let longest = 0;
  for (const m of text.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return longest;
}

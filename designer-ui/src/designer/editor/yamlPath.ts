// Where the cursor is in a YAML text, for completion and hover help: the
// path of the mapping it is in (keys, and 0 for a list item) and whether it
// is typing a key or a value. Block style is read by indentation; a flow
// mapping ({channel: email, to: …}) on the cursor's line is followed too.
// Tolerant of half-typed text: it never throws.

export type PathSegment = string | number;

export interface YamlPosition {
  /** the keys (and 0 for list items) from the document's root to the mapping the cursor is in */
  path: PathSegment[];
  /** typing a key (true) or the value of key (false) */
  inKey: boolean;
  /** for a value: the key it belongs to */
  key?: string;
  /** what is typed so far of the key or value */
  prefix: string;
  /** the offset where the typed prefix starts */
  from: number;
}

const lineRe = /^(\s*)((?:-\s+)*)(?:([\w.-]+)\s*:(?:\s|$))?/;

interface LineShape {
  dashCol: number; // -1 without a list dash
  keyCol: number; // -1 without a key
  key?: string;
}

function shape(line: string): LineShape | undefined {
  if (/^\s*(#.*)?$/.test(line)) return undefined;
  const m = lineRe.exec(line);
  if (!m) return undefined;
  const indent = m[1]?.length ?? 0;
  const dashes = m[2] ?? '';
  const keyCol = m[3] ? indent + dashes.length : -1;
  return { dashCol: dashes ? indent + dashes.lastIndexOf('-') : -1, keyCol, key: m[3] };
}

/** parentPath walks up from line index `below` to the mappings that contain column `col`. */
function parentPath(lines: string[], below: number, col: number): PathSegment[] {
  const out: PathSegment[] = [];
  let limit = col;
  for (let i = below - 1; i >= 0 && limit > 0; i--) {
    const s = shape(lines[i] ?? '');
    if (!s) continue;
    if (s.dashCol >= 0 && s.dashCol < limit) {
      // inside this list item; its own key (if any) is a sibling when at limit
      if (s.keyCol >= 0 && s.keyCol < limit && s.key) {
        // "- key:" whose value holds the cursor (a nested mapping under the item's key)
        out.push(s.key);
      }
      out.push(0);
      limit = s.dashCol;
      continue;
    }
    if (s.keyCol >= 0 && s.keyCol < limit && s.key) {
      out.push(s.key);
      limit = s.keyCol;
    }
  }
  return out.reverse();
}

/** flowTail reads an unclosed {…} flow mapping at the end of text: the keys leading to it and what is typed. */
function flowTail(text: string): { keys: string[]; inKey: boolean; key?: string; prefix: string } | undefined {
  let depth = 0;
  let start = -1;
  let inQuote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuote) {
      if (c === inQuote) inQuote = undefined;
      continue;
    }
    if (c === '"' || c === "'") inQuote = c;
    else if (c === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}') depth = Math.max(0, depth - 1);
  }
  if (depth === 0 || start < 0) return undefined;
  const keyBefore = /([\w.-]+)\s*:\s*$/.exec(text.slice(0, start));
  const inner = text.slice(start + 1);
  const keys: string[] = keyBefore?.[1] ? [keyBefore[1]] : [];
  // nested {a: {b: …: follow each opening brace after a key
  const segments = inner.split('{');
  for (let i = 0; i < segments.length - 1; i++) {
    const k = /([\w.-]+)\s*:\s*$/.exec(segments[i] ?? '');
    if (k?.[1]) keys.push(k[1]);
  }
  const last = segments[segments.length - 1] ?? '';
  const part = last.slice(last.lastIndexOf(',') + 1);
  const kv = /^\s*([\w.-]+)\s*:\s*(.*)$/.exec(part);
  if (kv?.[1] !== undefined) return { keys, inKey: false, key: kv[1], prefix: kv[2] ?? '' };
  return { keys, inKey: true, prefix: part.trimStart() };
}

/** positionAt says where offset is in text. */
export function positionAt(text: string, offset: number): YamlPosition {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  const idx = lines.length - 1;
  const cur = lines[idx] ?? '';
  const m = /^(\s*)((?:-\s+)*)(.*)$/.exec(cur);
  const indent = m?.[1]?.length ?? 0;
  const dashes = m?.[2] ?? '';
  const rest = m?.[3] ?? '';
  const keyCol = indent + dashes.length;
  const base = parentPath(lines, idx, dashes ? indent + 1 : keyCol);
  if (dashes) base.push(0);
  const flow = flowTail(rest);
  if (flow) {
    const prefix = flow.inKey ? flow.prefix : flow.prefix;
    return { path: [...base, ...flow.keys], inKey: flow.inKey, key: flow.key, prefix, from: offset - prefix.length };
  }
  const kv = /^([\w.-]+)\s*:\s?(.*)$/.exec(rest);
  if (kv?.[1] !== undefined) {
    const value = kv[2] ?? '';
    return { path: base, inKey: false, key: kv[1], prefix: value, from: offset - value.length };
  }
  if (/^[\w.-]*$/.test(rest)) return { path: base, inKey: true, prefix: rest, from: offset - rest.length };
  // a scalar list item or anything else: a value with no key
  return { path: base, inKey: false, prefix: rest, from: offset - rest.length };
}

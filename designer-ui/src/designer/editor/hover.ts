// What both editors' hover help shares: the name under the pointer and the
// tooltip that documents it.

/** wordAt gives the start and end, in text, of the dotted name around offset (invoice.amount); equal when there is none. */
export function wordAt(text: string, offset: number): [number, number] {
  let s = offset;
  let e = offset;
  while (s > 0 && /[\w.]/.test(text[s - 1] ?? '')) s--;
  while (e < text.length && /\w/.test(text[e] ?? '')) e++;
  return [s, e];
}

/** hoverBox is the tooltip of a name or key: its title in bold, its documentation under it. */
export function hoverBox(title: string, doc?: string): { dom: HTMLElement } {
  const dom = document.createElement('div');
  dom.className = 'designer-hover';
  const strong = document.createElement('strong');
  strong.textContent = title;
  dom.appendChild(strong);
  if (doc) {
    const p = document.createElement('div');
    p.textContent = doc;
    dom.appendChild(p);
  }
  return { dom };
}

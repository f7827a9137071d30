// The server calls of the try and render tabs, typed from api/openapi.yaml:
// a saved version of a rule evaluated on a live invoice, a saved version of
// a template rendered for one, and the address of its formal letter.
import { api, unwrap, type Schemas } from '../api/client';
import type { Kind } from './data';

export type RuleTry = Schemas['RuleTry'];
export type TemplateRendering = Schemas['TemplateRendering'];
export type InvoiceSummary = Schemas['Invoice'];
export type RenderLocale = Schemas['TemplateRenderRequest']['locale'];
export const renderLocales: readonly RenderLocale[] = ['en', 'zh-CN'];

export async function tryRule(kind: Kind, name: string, version: number, invoice: string): Promise<RuleTry> {
  return unwrap(await api.POST('/api/definitions/{kind}/{name}/try', { params: { path: { kind, name } }, body: { version, invoice } }));
}

export async function renderTemplate(kind: Kind, name: string, version: number, invoice: string, locale: RenderLocale): Promise<TemplateRendering> {
  return unwrap(await api.POST('/api/definitions/{kind}/{name}/render', { params: { path: { kind, name } }, body: { version, invoice, locale } }));
}

/** letterUrl is the formal letter as a PDF (GET …/render.pdf), for a frame and a download link. */
export function letterUrl(kind: Kind, name: string, version: number, invoice: string, locale: RenderLocale): string {
  const q = new URLSearchParams({ version: String(version), invoice, locale });
  return `/api/definitions/${encodeURIComponent(kind)}/${encodeURIComponent(name)}/render.pdf?${q.toString()}`;
}

/** searchInvoices is the first page of invoices matching q (number prefix, customer name or id). */
export async function searchInvoices(q: string, limit = 20): Promise<InvoiceSummary[]> {
  return unwrap(await api.GET('/api/invoices', { params: { query: { q: q.trim() || undefined, limit } } })).items;
}

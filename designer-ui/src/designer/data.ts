// The designer's server calls, typed from api/openapi.yaml.
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { designerNamespaces } from '../i18n';
import { api, unwrap, type Schemas } from '../api/client';
import type { JsonSchema } from './editor/schemaHints';

export type Kind = 'Form' | 'Rule' | 'Workflow' | 'Template';
export const kinds: Kind[] = ['Workflow', 'Rule', 'Form', 'Template'];
export type CatalogEntry = Schemas['CatalogEntry'];
export type Definition = Schemas['Definition'];
export type Problem = Schemas['DefinitionProblem'];
export type Language = Schemas['DefinitionLanguage'];

export const catalogKey = ['designer', 'catalog'] as const;
export const historyKey = (kind: string, name: string) => ['designer', 'history', kind, name] as const;

export function isKind(k: string | undefined): k is Kind {
  return kinds.includes(k as Kind);
}

export function useCatalog() {
  return useQuery({ queryKey: catalogKey, queryFn: async () => unwrap(await api.GET('/api/definitions/catalog')).items });
}

/** useLanguage is the schemas and expression environment; they change only with the server. */
export function useLanguage() {
  return useQuery({ queryKey: ['designer', 'language'], queryFn: async () => unwrap(await api.GET('/api/definitions/language')), staleTime: Infinity });
}

export function schemaOf(lang: Language | undefined, kind: Kind): JsonSchema | undefined {
  return lang?.schemas[kind];
}

export async function fetchHistory(kind: Kind, name: string): Promise<Definition[]> {
  return unwrap(await api.GET('/api/definitions/{kind}/{name}/history', { params: { path: { kind, name } } })).items;
}

export function useHistory(kind: Kind, name: string) {
  return useQuery({ queryKey: historyKey(kind, name), queryFn: () => fetchHistory(kind, name) });
}

export async function validateText(kind: Kind, name: string, source: string, signal?: AbortSignal) {
  return unwrap(await api.POST('/api/definitions/{kind}/{name}/validate', { params: { path: { kind, name } }, body: { source }, signal }));
}

export async function saveDraft(kind: Kind, name: string, source: string, baseVersion: number) {
  return unwrap(await api.PUT('/api/definitions/{kind}/{name}/draft', { params: { path: { kind, name } }, body: { source, base_version: baseVersion } }));
}

export async function publishVersion(kind: Kind, name: string, version: number, note: string) {
  return unwrap(await api.POST('/api/definitions/{kind}/{name}/publish', { params: { path: { kind, name } }, body: { version, note: note || undefined } }));
}

export async function rollbackTo(kind: Kind, name: string, version: number, note: string) {
  return unwrap(await api.POST('/api/definitions/{kind}/{name}/rollback', { params: { path: { kind, name } }, body: { version, note: note || undefined } }));
}

export async function previewVersion(kind: Kind, name: string, version: number) {
  return unwrap(await api.POST('/api/definitions/{kind}/{name}/preview', { params: { path: { kind, name } }, body: { version } }));
}

/** titleOf is a definition's title in the user's language, else the other, else its name. */
export function titleOf(e: { name: string; title?: { en?: string; 'zh-CN'?: string } }, lang: string): string {
  const t = e.title ?? {};
  return (lang.startsWith('zh') ? t['zh-CN'] || t.en : t.en || t['zh-CN']) || e.name;
}

/** useDesignerCatalogs loads the designer's catalogs (not loaded with the app); render the page once ready. */
export function useDesignerCatalogs(): boolean {
  return useTranslation(designerNamespaces).ready;
}

// i18next with one catalog per language and area (src/i18n/<lang>/<area>.json;
// the area is the namespace), loaded on demand. The language follows the user's saved
// preference, else what they picked on this device, else the browser:
// zh-CN for a Chinese browser, en otherwise. catalogs.test.ts fails when a
// key exists in one language and not the other.
import i18n, { type BackendModule, type ReadCallback, type ResourceKey } from 'i18next';
import { initReactI18next } from 'react-i18next';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { setRequestLanguage } from '../api/client';

export const languages = ['en', 'zh-CN'] as const;
export type Language = (typeof languages)[number];

type Catalog = Record<string, unknown>;
// Each catalog is its own small chunk, fetched when its language is used:
// an English session never downloads the Chinese texts, nor the reverse.
const loaders = import.meta.glob<Catalog>('./*/*.json', { import: 'default' });

/** namespaces are the areas with a catalog (the file names). */
export const namespaces = [...new Set(Object.keys(loaders).map((p) => /\/([^/]+)\.json$/.exec(p)?.[1] ?? ''))].filter(Boolean);

/** catalogBackend lets i18next load a language's catalogs when it switches to it. */
const catalogBackend: BackendModule = {
  type: 'backend',
  init() {},
  read(language: string, namespace: string, callback: ReadCallback) {
    const load = loaders[`./${language}/${namespace}.json`];
    if (!load) {
      callback(new Error(`no catalog ${language}/${namespace}`), false);
      return;
    }
    load().then((c) => callback(null, c as ResourceKey), (e: unknown) => callback(e instanceof Error ? e : new Error(String(e)), false));
  },
};

const storageKey = 'recoup.lang';

/** browserLanguage picks zh-CN for a Chinese browser, else en. */
export function browserLanguage(list: readonly string[] = navigator.languages ?? [navigator.language]): Language {
  for (const l of list) {
    if (l.toLowerCase().startsWith('zh')) return 'zh-CN';
    if (l.toLowerCase().startsWith('en')) return 'en';
  }
  return 'en';
}

export function isLanguage(v: unknown): v is Language {
  return v === 'en' || v === 'zh-CN';
}

function initialLanguage(): Language {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(storageKey);
  } catch {
    // storage may be unavailable (private mode): fall back to the browser
  }
  return isLanguage(saved) ? saved : browserLanguage();
}

/** applyLanguage switches the UI, dayjs and the document's lang, and remembers it on this device. */
export async function applyLanguage(lang: Language): Promise<void> {
  try {
    localStorage.setItem(storageKey, lang);
  } catch {
    // not remembered on this device; the server-side preference still is
  }
  dayjs.locale(lang === 'zh-CN' ? 'zh-cn' : 'en');
  document.documentElement.lang = lang;
  setRequestLanguage(lang);
  await i18n.changeLanguage(lang);
}

const lang = initialLanguage();
setRequestLanguage(lang);
dayjs.locale(lang === 'zh-CN' ? 'zh-cn' : 'en');
if (typeof document !== 'undefined') document.documentElement.lang = lang;

/**
 * designerNamespaces are the designer's catalogs: loaded by its pages when
 * they open (useDesignerCatalogs), not with the rest, so that a rep's inbox
 * does not download them.
 */
export const designerNamespaces = ['designer', 'designerSim', 'designerTry', 'formDesigner', 'workflowGraph'];

/** ready settles once the first language's catalogs are loaded: render after it. */
export const ready: Promise<unknown> = i18n.use(catalogBackend).use(initReactI18next).init({
  lng: lang,
  fallbackLng: false,
  defaultNS: 'common',
  ns: namespaces.filter((n) => !designerNamespaces.includes(n)),
  interpolation: { escapeValue: false },
  returnNull: false,
  react: { useSuspense: false },
});

export default i18n;

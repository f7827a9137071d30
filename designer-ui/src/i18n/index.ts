// i18next with one catalog per language and area (src/i18n/<lang>/<area>.json;
// the area is the namespace). The language follows the user's saved
// preference, else what they picked on this device, else the browser:
// zh-CN for a Chinese browser, en otherwise. catalogs.test.ts fails when a
// key exists in one language and not the other.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';

export const languages = ['en', 'zh-CN'] as const;
export type Language = (typeof languages)[number];

type Catalog = Record<string, unknown>;
const files = import.meta.glob<Catalog>('./*/*.json', { eager: true, import: 'default' });

/** catalogs maps language → namespace → messages. */
export const catalogs: Record<Language, Record<string, Catalog>> = { en: {}, 'zh-CN': {} };
for (const [path, messages] of Object.entries(files)) {
  const m = /^\.\/([^/]+)\/([^/]+)\.json$/.exec(path);
  if (!m) continue;
  const lang = m[1] as Language;
  if (!(lang in catalogs)) continue;
  catalogs[lang][m[2] as string] = messages;
}

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
  await i18n.changeLanguage(lang);
}

const lang = initialLanguage();
dayjs.locale(lang === 'zh-CN' ? 'zh-cn' : 'en');
if (typeof document !== 'undefined') document.documentElement.lang = lang;

void i18n.use(initReactI18next).init({
  resources: catalogs,
  lng: lang,
  fallbackLng: false,
  defaultNS: 'common',
  ns: Object.keys(catalogs.en),
  interpolation: { escapeValue: false },
  returnNull: false,
});

export default i18n;

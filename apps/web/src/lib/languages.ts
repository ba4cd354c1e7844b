// Languages offered for the spoken language and the translation target; names come from the browser.
export const LANGUAGE_CODES = [
  'en', 'ar', 'bg', 'ca', 'cs', 'da', 'de', 'el', 'es', 'et', 'fa', 'fi', 'fr', 'he', 'hi', 'hr', 'hu', 'id', 'it', 'ja',
  'ko', 'lt', 'lv', 'ms', 'nl', 'no', 'pl', 'pt', 'ro', 'ru', 'sk', 'sl', 'sr', 'sv', 'sw', 'th', 'tr', 'uk', 'ur', 'vi', 'zh',
];

let names: Intl.DisplayNames | null = null;
export function languageName(code: string): string {
  try {
    names ??= new Intl.DisplayNames([navigator.language || 'en'], { type: 'language' });
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

export function languageOptions(): Array<{ code: string; name: string }> {
  return LANGUAGE_CODES.map((code) => ({ code, name: languageName(code) })).sort((a, b) => a.name.localeCompare(b.name));
}

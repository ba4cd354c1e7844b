// Language names for prompts: an LLM follows "translate into German" more reliably than "into de".
const NAMES: Record<string, string> = {
  en: 'English', fr: 'French', de: 'German', es: 'Spanish', it: 'Italian', pt: 'Portuguese', nl: 'Dutch',
  ru: 'Russian', pl: 'Polish', uk: 'Ukrainian', cs: 'Czech', sv: 'Swedish', da: 'Danish', no: 'Norwegian',
  nb: 'Norwegian Bokmål', fi: 'Finnish', el: 'Greek', tr: 'Turkish', ar: 'Arabic', he: 'Hebrew', hi: 'Hindi',
  ja: 'Japanese', ko: 'Korean', zh: 'Chinese', vi: 'Vietnamese', id: 'Indonesian', ro: 'Romanian',
  hu: 'Hungarian', ca: 'Catalan', bg: 'Bulgarian', hr: 'Croatian', sk: 'Slovak', sl: 'Slovenian',
  et: 'Estonian', lv: 'Latvian', lt: 'Lithuanian', mt: 'Maltese', th: 'Thai', fa: 'Persian', ms: 'Malay',
  ta: 'Tamil', bn: 'Bengali', ur: 'Urdu', sw: 'Swahili', eu: 'Basque', gl: 'Galician', is: 'Icelandic',
};

/** "German (de)" for known codes, the code itself otherwise (it may already be a name). */
export function languageLabel(code: string): string {
  const name = NAMES[code.toLowerCase()];
  return name ? `${name} (${code})` : code;
}
